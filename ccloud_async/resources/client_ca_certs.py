"""``cloud.client_ca_certs``: the generated operations, plus waiting for a certificate."""

from __future__ import annotations

from .._generated.resources.client_ca_certs import ClientCACertsResource
from ..models import ClientCACertInfo
from ..waiters import (
    DEFAULT_SCHEDULE,
    HOUR,
    OnChange,
    PollSchedule,
    status_judge,
    status_of,
    wait_until,
)

__all__ = ["ClientCACerts"]


class ClientCACerts(ClientCACertsResource):
    async def wait(
        self,
        cluster_id: str,
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> ClientCACertInfo:
        """Wait until the client CA certificate is no longer PENDING; FAILED raises."""
        return await wait_until(
            lambda: self.get(cluster_id),
            status_judge(status_of, done={"IS_SET", "NOT_SET"}, pending={"PENDING"}),
            what=f"client CA certificate of cluster {cluster_id}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )
