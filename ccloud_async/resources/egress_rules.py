"""``cloud.egress_rules``: the generated operations, plus waiting for the traffic policy."""

from __future__ import annotations

from .._generated.resources.clusters import ClustersResource
from .._generated.resources.egress_rules import EgressRulesResource
from ..models import Cluster
from ..waiters import (
    DEFAULT_SCHEDULE,
    HOUR,
    OnChange,
    PollSchedule,
    status_judge,
    wait_until,
)

__all__ = ["EgressRules"]


class EgressRules(EgressRulesResource):
    async def wait_traffic_policy(
        self,
        cluster_id: str,
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
        clusters: ClustersResource | None = None,
    ) -> Cluster:
        """Wait until the cluster's egress traffic policy is no longer UPDATING."""
        reader = clusters or ClustersResource(self._engine)
        return await wait_until(
            lambda: reader.get(cluster_id),
            status_judge(
                lambda c: c.egress_traffic_policy,
                done={"ALLOW_ALL", "DEFAULT_DENY", "UNSPECIFIED"},
                pending={"UPDATING"},
            ),
            what=f"egress traffic policy of cluster {cluster_id}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )
