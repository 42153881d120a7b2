"""Physical cluster replication streams (``/api/v1/physical-replication-streams``).

A stream links a live primary cluster to a live standby cluster, both ADVANCED, on the
same cloud provider and regions, and neither in another active stream. Statuses follow
the snapshot's ReplicationStreamStatus: STARTING -> REPLICATING -> (PATCH status
FAILING_OVER) -> COMPLETED, or (PATCH status CANCELED) -> CANCELED from STARTING or
REPLICATING. Other transitions are 400 FAILED_PRECONDITION (code 9); asking again for
the transition a stream already made (or is making) answers 200 and changes nothing,
so a retried PATCH whose first reply was lost does not fail.

The in-progress statuses (STARTING, FAILING_OVER) are what a create or a failover
returns; :meth:`Stream.advance` moves them on once their :class:`StreamDelays` have
passed: ``fake.timings.replication`` seconds (``testing/timings.py``; zero by default,
so the next read sees REPLICATING / COMPLETED). A standby cluster deleted under an
active stream cancels it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import new_id, not_found, ok, parse_time, precondition, timestamp
from ..errors import invalid
from ..paging import page
from ._base import Area, handles

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["ACTIVE", "ReplicationStreams", "Stream", "StreamDelays"]

ACTIVE = frozenset({"STARTING", "REPLICATING", "FAILING_OVER"})
# PATCH status -> the statuses a stream may be in to take it.
_ALLOWED_FROM = {
    "FAILING_OVER": frozenset({"REPLICATING"}),
    "CANCELED": frozenset({"STARTING", "REPLICATING"}),
}
# PATCH status -> the statuses that mean that request was already applied.
_ALREADY = {
    "FAILING_OVER": frozenset({"FAILING_OVER", "COMPLETED"}),
    "CANCELED": frozenset({"CANCELED"}),
}
_LAG_SECONDS = 2
_RETENTION = timedelta(hours=24)


@dataclass
class StreamDelays:
    """How long the in-progress statuses last before :meth:`Stream.advance` moves on."""

    starting: timedelta = timedelta(0)
    failing_over: timedelta = timedelta(0)

    @classmethod
    def from_seconds(cls, seconds: float) -> StreamDelays:
        """Both delays ``seconds`` long (the emulator's ``Timings.replication``)."""
        return cls(timedelta(seconds=seconds), timedelta(seconds=seconds))


@dataclass
class Stream:
    id: str
    primary_cluster_id: str
    standby_cluster_id: str
    created_at: datetime
    status: str = "STARTING"
    status_since: datetime | None = None  # when ``status`` was entered
    activated_at: datetime | None = None
    failover_at: datetime | None = None
    canceled_at: datetime | None = None
    final_replicated_time: datetime | None = None  # frozen once replication stops

    def advance(self, now: datetime, delays: StreamDelays) -> None:
        """Move in-progress statuses on once their delay has passed."""
        since = self.status_since or self.created_at
        if self.status == "STARTING" and now - since >= delays.starting:
            self._enter("REPLICATING", since + delays.starting)
            self.activated_at = self.status_since
        elif self.status == "FAILING_OVER" and now - since >= delays.failing_over:
            self._enter("COMPLETED", since + delays.failing_over)

    def cancel(self, now: datetime) -> None:
        self.final_replicated_time = self.replicated_time(now)
        self._enter("CANCELED", now)
        self.canceled_at = now

    def fail_over(self, now: datetime, to: datetime | None) -> None:
        self.final_replicated_time = self.replicated_time(now)
        self.failover_at = to or self.final_replicated_time or now
        self._enter("FAILING_OVER", now)

    def replicated_time(self, now: datetime) -> datetime | None:
        if self.final_replicated_time is not None:
            return self.final_replicated_time
        if self.activated_at is None:
            return None
        return max(self.activated_at, now - timedelta(seconds=_LAG_SECONDS))

    def retained_time(self, now: datetime) -> datetime | None:
        if self.activated_at is None:
            return None
        return max(self.activated_at, now - _RETENTION)

    def _enter(self, status: str, at: datetime) -> None:
        self.status, self.status_since = status, at

    def to_json(self, now: datetime) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "primary_cluster_id": self.primary_cluster_id,
            "standby_cluster_id": self.standby_cluster_id,
            "created_at": timestamp(self.created_at),
        }
        for name in ("activated_at", "failover_at", "canceled_at"):
            moment = getattr(self, name)
            if moment is not None:
                out[name] = timestamp(moment)
        replicated, retained = self.replicated_time(now), self.retained_time(now)
        if replicated is not None and retained is not None:
            out["replicated_time"] = timestamp(replicated)
            out["retained_time"] = timestamp(retained)
        if self.status == "REPLICATING" and replicated is not None:
            out["replication_lag_seconds"] = int((now - replicated).total_seconds())
        return out


class ReplicationStreams(Area):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.streams: dict[str, Stream] = {}
        self.delays = StreamDelays.from_seconds(fake.timings.replication)

    def _settle(self, stream: Stream, now: datetime) -> None:
        stream.advance(now, self.delays)
        standby = self.fake.clusters.get(stream.standby_cluster_id)
        if stream.status in ACTIVE - {"FAILING_OVER"} and (
            standby is None or standby["state"] == "DELETED"
        ):
            stream.cancel(now)

    def _stream(self, call: Call, now: datetime) -> Stream:
        stream = self.streams.get(call.params["id"])
        if stream is None:
            raise not_found("physical replication stream")
        self._settle(stream, now)
        return stream

    def _live_cluster(self, body: dict[str, Any], name: str) -> dict[str, Any]:
        cluster_id = body[name]
        cluster = self.fake.clusters.get(cluster_id)
        if cluster is None:
            raise not_found(f"{name}: cluster {cluster_id!r}")
        if cluster["state"] == "LOCKED":
            raise precondition(f"{name}: cluster is locked while an operation runs")
        if cluster["state"] != "CREATED":
            raise precondition(f"{name}: cluster is {cluster['state']}, not live")
        if cluster["plan"] != "ADVANCED":
            raise precondition(f"{name}: physical replication needs an ADVANCED cluster")
        for stream in self.streams.values():
            if stream.status in ACTIVE and cluster_id in (
                stream.primary_cluster_id,
                stream.standby_cluster_id,
            ):
                raise precondition(
                    f"{name}: cluster is already in active replication stream {stream.id}"
                )
        return cluster

    @handles("CockroachCloud_ListPhysicalReplicationStreams")
    async def list_streams(self, call: Call) -> web.StreamResponse:
        query = call.request.query
        show_completed = v.parse_bool(query.get("show_completed"), "show_completed")
        now = self.timeline.now()
        wanted: list[dict[str, Any]] = []
        for stream in self.streams.values():
            self._settle(stream, now)
            ids = (stream.primary_cluster_id, stream.standby_cluster_id)
            if (
                query.get("primary_cluster_id", ids[0]) == ids[0]
                and query.get("standby_cluster_id", ids[1]) == ids[1]
                and query.get("cluster_id", ids[0]) in ids
                and (show_completed or stream.status in ACTIVE)
            ):
                wanted.append(stream.to_json(now))
        items, pagination = page(call, wanted, lambda s: s["created_at"] + s["id"], "CREATED_AT")
        return ok({"physical_replication_streams": items, "pagination": pagination})

    @handles(
        "CockroachCloud_CreatePhysicalReplicationStream",
        audit="CREATE_PHYSICAL_REPLICATION_STREAM",
    )
    async def create(self, call: Call) -> web.StreamResponse:
        body = await call.body()
        if body["primary_cluster_id"] == body["standby_cluster_id"]:
            raise invalid("standby_cluster_id: must differ from primary_cluster_id")
        now = self.timeline.now()
        for stream in self.streams.values():
            self._settle(stream, now)
        primary = self._live_cluster(body, "primary_cluster_id")
        standby = self._live_cluster(body, "standby_cluster_id")
        if standby["cloud_provider"] != primary["cloud_provider"]:
            raise invalid("standby_cluster_id: must use the primary's cloud provider")
        regions = sorted(r["name"] for r in primary["regions"])
        if sorted(r["name"] for r in standby["regions"]) != regions:
            raise invalid("standby_cluster_id: must have the primary's regions")
        stream = Stream(new_id(), primary["id"], standby["id"], created_at=now)
        self.streams[stream.id] = stream
        call.applied()  # the entry names no cluster: a stream joins two
        return ok(stream.to_json(now))

    @handles("CockroachCloud_GetPhysicalReplicationStream")
    async def get(self, call: Call) -> web.StreamResponse:
        now = self.timeline.now()
        return ok(self._stream(call, now).to_json(now))

    @handles(
        "CockroachCloud_UpdatePhysicalReplicationStream",
        audit="FAILOVER_PHYSICAL_REPLICATION_STREAM",
    )
    async def update(self, call: Call) -> web.StreamResponse:
        body = await call.body()
        target = body.get("status")
        if target is None:
            raise invalid("status: is required (FAILING_OVER or CANCELED)")
        if target not in _ALLOWED_FROM:
            raise invalid(f"status: can only be set to FAILING_OVER or CANCELED (got {target!r})")
        failover_at = None
        if "failover_at" in body:
            if target != "FAILING_OVER":
                raise invalid("failover_at: only allowed with status FAILING_OVER")
            failover_at = parse_time(body["failover_at"], "failover_at")
        now = self.timeline.now()
        stream = self._stream(call, now)
        if stream.status in _ALREADY[target] and (
            failover_at is None or failover_at == stream.failover_at
        ):
            return ok(stream.to_json(now))  # a repeat of an applied request
        if stream.status not in _ALLOWED_FROM[target]:
            raise precondition(
                f"status: cannot move a {stream.status} stream to {target}"
                f" (only from {' or '.join(sorted(_ALLOWED_FROM[target]))})"
            )
        if target == "CANCELED":
            stream.cancel(now)
        else:
            retained = stream.retained_time(now)
            if failover_at is not None and retained is not None and failover_at < retained:
                raise invalid(
                    f"failover_at: must not be before the retained time {timestamp(retained)}"
                )
            stream.fail_over(now, failover_at)
        call.applied()
        return ok(stream.to_json(now))
