"""``cloud.replication``: the generated operations, plus waiting for a stream."""

from __future__ import annotations

from typing import Literal

from .._generated.resources.replication import ReplicationResource
from ..errors import ValidationError
from ..models import PhysicalReplicationStream
from ..waiters import (
    DEFAULT_SCHEDULE,
    HOUR,
    OnChange,
    PollSchedule,
    status_judge,
    status_of,
    wait_until,
)

__all__ = ["Replication"]


class Replication(ReplicationResource):
    async def wait_stream(
        self,
        stream_id: str,
        until: Literal["REPLICATING", "COMPLETED", "CANCELED"] = "REPLICATING",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> PhysicalReplicationStream:
        """Wait until the stream reaches ``until`` (REPLICATING, COMPLETED or CANCELED)."""
        order = ("STARTING", "REPLICATING", "FAILING_OVER", "COMPLETED")
        if until not in (*order, "CANCELED"):
            raise ValidationError(f"until must be one of {', '.join(order)} or CANCELED: {until!r}")
        # Earlier states are on the way; a CANCELED wait accepts any live state.
        pending = set(order[: order.index(until)]) if until in order else set(order[:3])
        judge = status_judge(status_of, done={until}, pending=pending)
        return await wait_until(
            lambda: self.get_stream(stream_id),
            judge,
            what=f"replication stream {stream_id} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )
