"""``cloud.cmek``: the generated operations, plus waiting for a CMEK status."""

from __future__ import annotations

from typing import Literal

from .._generated.resources.cmek import CMEKResource
from ..models import CMEKClusterInfo
from ..waiters import (
    DEFAULT_SCHEDULE,
    HOUR,
    OnChange,
    PollSchedule,
    status_judge,
    status_of,
    wait_until,
)

__all__ = ["CMEK"]

_CMEK_PENDING = {"ENABLING", "DISABLING", "ROTATING", "REVOKING"}


class CMEK(CMEKResource):
    async def wait(
        self,
        cluster_id: str,
        until: Literal["ENABLED", "DISABLED", "REVOKED"] = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> CMEKClusterInfo:
        """Wait until CMEK is ``until`` (ENABLED, DISABLED or REVOKED); ``*_FAILED`` raises."""
        return await wait_until(
            lambda: self.get(cluster_id),
            status_judge(status_of, done={until}, pending=_CMEK_PENDING),
            what=f"CMEK of cluster {cluster_id} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )
