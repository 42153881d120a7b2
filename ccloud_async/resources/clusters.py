"""``cloud.clusters``: the generated operations, plus waiting for a cluster."""

from __future__ import annotations

from .._generated.resources.clusters import ClustersResource
from ..models import Cluster
from ..waiters import (
    DEFAULT_SCHEDULE,
    HOUR,
    ClusterGoal,
    OnChange,
    PollSchedule,
    cluster_judge,
    gone_as,
    wait_until,
)

__all__ = ["Clusters"]


class Clusters(ClustersResource):
    async def wait(
        self,
        cluster_id: str,
        until: ClusterGoal = "CREATED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> Cluster:
        """Wait until the cluster is CREATED, DELETED, or IDLE (no operation running).

        Waits through CREATING and LOCKED; fails fast on CREATION_FAILED and on any
        ``*_FAILED`` operation status. A cluster that is gone (404) counts as DELETED.
        """
        judge = cluster_judge(until)

        fetch = gone_as(
            lambda: self.get(cluster_id),
            until == "DELETED",
            lambda: Cluster(id=cluster_id, state="DELETED"),  # type: ignore[arg-type]
        )
        return await wait_until(
            fetch,
            judge,
            what=f"cluster {cluster_id} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )
