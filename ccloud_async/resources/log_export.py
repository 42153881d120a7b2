"""``cloud.log_export``: the generated operations, plus waiting for an export status."""

from __future__ import annotations

from typing import Literal

from .._generated.resources.log_export import LogExportResource
from ..models import LogExportClusterInfo
from ..waiters import (
    DEFAULT_SCHEDULE,
    EXPORT_PENDING,
    HOUR,
    OnChange,
    PollSchedule,
    gone_as,
    status_judge,
    status_of,
    wait_until,
)

__all__ = ["LogExport"]


class LogExport(LogExportResource):
    async def wait(
        self,
        cluster_id: str,
        until: Literal["ENABLED", "DISABLED"] = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> LogExportClusterInfo:
        """Wait until log export is ``until``; ``*_FAILED`` or CREDENTIALS_ERROR raises.

        Waiting for DISABLED, a configuration that is gone (404) counts as DISABLED.
        """

        fetch = gone_as(
            lambda: self.get(cluster_id),
            until == "DISABLED",
            lambda: LogExportClusterInfo(cluster_id=cluster_id, status="DISABLED"),  # type: ignore[arg-type]
        )
        return await wait_until(
            fetch,
            status_judge(status_of, done={until}, pending=EXPORT_PENDING),
            what=f"log export of cluster {cluster_id} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )
