"""``cloud.private_endpoints``: the generated operations, plus waiting for the services."""

from __future__ import annotations

from typing import Any

from .._generated.resources.private_endpoints import PrivateEndpointsResource
from ..waiters import (
    DEFAULT_SCHEDULE,
    HOUR,
    Judgement,
    OnChange,
    PollSchedule,
    Verdict,
    state_text,
    wait_until,
)

__all__ = ["PrivateEndpoints"]


def _services_judge(services: list[Any]) -> Judgement:
    statuses = sorted({state_text(s.status) for s in services}) or ["NONE"]
    label = ",".join(statuses)
    if any(s.endswith("_FAILED") for s in statuses):
        return Verdict.FAILED, label
    if statuses == ["AVAILABLE"]:
        return Verdict.DONE, label
    return Verdict.PENDING, label


class PrivateEndpoints(PrivateEndpointsResource):
    async def wait_services(
        self,
        cluster_id: str,
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> list[Any]:
        """Wait until every private endpoint service is AVAILABLE; ``*_FAILED`` raises."""

        async def fetch() -> list[Any]:
            return [s async for s in self.list_services(cluster_id)]

        return await wait_until(
            fetch,
            _services_judge,
            what=f"private endpoint services of cluster {cluster_id}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )
