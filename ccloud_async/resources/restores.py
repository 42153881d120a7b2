"""``cloud.restores``: the generated operations, plus waiting for a restore."""

from __future__ import annotations

from .._generated.resources.restores import RestoresResource
from ..models import Restore
from ..waiters import (
    DEFAULT_SCHEDULE,
    HOUR,
    OnChange,
    PollSchedule,
    state_text,
    status_judge,
    status_of,
    wait_until,
)

__all__ = ["Restores"]


def _percent(value: object) -> str:
    return f"{float(value) * 100:.0f}%" if isinstance(value, (int, float)) else ""


class Restores(RestoresResource):
    async def wait(
        self,
        cluster_id: str,
        restore_id: str,
        *,
        timeout: float | None = 6 * HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> Restore:
        """Wait until the restore leaves PENDING: SUCCESS returns, FAILED raises."""
        judge = status_judge(
            status_of,
            done={"SUCCESS"},
            pending={"PENDING"},
            describe=lambda r: f"{state_text(r.status)} {_percent(r.completion_percent)}".strip(),
        )
        return await wait_until(
            lambda: self.get(cluster_id, restore_id),
            judge,
            what=f"restore {restore_id}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )
