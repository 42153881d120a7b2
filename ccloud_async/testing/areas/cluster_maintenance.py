"""When a cluster may be disrupted: its maintenance window, blackout windows (ADVANCED
only), version upgrade deferral, and the disruption test settings.

Durations are protobuf Duration strings (``"21600s"``); a maintenance window starts
``offset_duration`` after Monday 00:00 UTC and lasts more than 6 hours and less than a
week; a blackout window lasts at most 14 days. A deferral of 30/60/90 days is dated
from the emulator's clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..call import Call
from ..common import new_id, not_found, ok, parse_time, timestamp
from ..errors import invalid
from ..paging import page
from ._base import handles
from ._cluster_shared import ClusterArea, PerCluster, require_plan

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["BlackoutWindows", "Disruption", "MaintenanceWindows", "VersionDeferral"]

_DURATION = re.compile(r"([0-9]+)(\.[0-9]{1,9})?s")
_WEEK = 7 * 24 * 3600
_MAX_BLACKOUT = timedelta(days=14)
# Deferral policies that push a patch back by a fixed number of days.
_DEFERRAL_DAYS = {"DEFERRAL_30_DAYS": 30, "DEFERRAL_60_DAYS": 60, "DEFERRAL_90_DAYS": 90}


def _seconds(value: str, path: str) -> float:
    """A protobuf Duration string ("172800s")."""
    match = _DURATION.fullmatch(value)
    if match is None:
        raise invalid(f"{path}: must be a duration in seconds like '21600s' (got {value!r})")
    return float(value[:-1])


class MaintenanceWindows(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.windows: dict[str, dict[str, str]] = {}  # cluster id -> MaintenanceWindow

    def _window(self, cluster: dict[str, Any]) -> dict[str, str]:
        window = self.windows.get(cluster["id"])
        if window is None:
            raise not_found("maintenance window")
        return window

    @handles("CockroachCloud_GetMaintenanceWindow")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self._window(self.cluster_for(call)))

    @handles("CockroachCloud_SetMaintenanceWindow", audit="SET_CLUSTER_MAINTENANCE_WINDOW")
    async def set_window(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        offset = _seconds(body["offset_duration"], "offset_duration")
        length = _seconds(body["window_duration"], "window_duration")
        if not 0 <= offset < _WEEK:
            raise invalid("offset_duration: must be less than a week (from Monday 00:00 UTC)")
        if not 6 * 3600 < length < _WEEK:
            raise invalid("window_duration: must be more than 6 hours and less than a week")
        window = {
            "offset_duration": body["offset_duration"],
            "window_duration": body["window_duration"],
        }
        self.windows[cluster["id"]] = window
        call.applied(cluster=cluster)
        return ok(window)

    @handles("CockroachCloud_DeleteMaintenanceWindow", audit="DELETE_CLUSTER_MAINTENANCE_WINDOW")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        window = self._window(cluster)
        del self.windows[cluster["id"]]
        call.applied(cluster=cluster)
        return ok(window)


@dataclass
class _Blackouts:
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: dict[str, str] = field(default_factory=dict)  # id -> creation time


def _check_blackout(start: str, end: str) -> dict[str, str]:
    begin, finish = parse_time(start, "start_time"), parse_time(end, "end_time")
    if finish <= begin:
        raise invalid("end_time: must be after start_time")
    if finish - begin > _MAX_BLACKOUT:
        raise invalid("end_time: a blackout window lasts at most 14 days")
    return {"start_time": timestamp(begin), "end_time": timestamp(finish)}


class BlackoutWindows(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.windows: PerCluster[_Blackouts] = PerCluster(_Blackouts)

    def _window(self, call: Call, cluster: dict[str, Any]) -> dict[str, Any]:
        window = self.windows[cluster["id"]].by_id.get(call.params["blackout_window_id"])
        if window is None:
            raise not_found("blackout window")
        return window

    @handles("CockroachCloud_ListBlackoutWindows")
    async def list_windows(self, call: Call) -> web.StreamResponse:
        data = self.windows[self.cluster_for(call)["id"]]
        items, pagination = page(
            call,
            data.by_id.values(),
            lambda w: w["start_time"] + w["id"],
            "START",
            created=lambda w: data.created.get(w["id"]),
        )
        return ok({"blackout_windows": items, "pagination": pagination})

    @handles("CockroachCloud_CreateBlackoutWindow", audit="CREATE_CLUSTER_BLACKOUT_WINDOW")
    async def create(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        times = _check_blackout(body["start_time"], body["end_time"])
        require_plan(cluster, "ADVANCED", "blackout windows")
        window = {"id": new_id(), "cluster_id": cluster["id"], **times}
        data = self.windows[cluster["id"]]
        data.by_id[window["id"]] = window
        data.created[window["id"]] = self.timeline.stamp()
        call.applied(cluster=cluster)
        return ok(window)

    @handles("CockroachCloud_GetBlackoutWindow")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self._window(call, self.cluster_for(call)))

    @handles("CockroachCloud_UpdateBlackoutWindow", audit="UPDATE_CLUSTER_BLACKOUT_WINDOW")
    async def update(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        window = self._window(call, cluster)
        body = await call.body()
        times = _check_blackout(
            body.get("start_time", window["start_time"]), body.get("end_time", window["end_time"])
        )
        window.update(times)
        call.applied(cluster=cluster)
        return ok(window)

    @handles("CockroachCloud_DeleteBlackoutWindow", audit="DELETE_CLUSTER_BLACKOUT_WINDOW")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        window = self._window(call, cluster)
        del self.windows[cluster["id"]].by_id[window["id"]]
        call.applied(cluster=cluster)
        return ok(window)


class VersionDeferral(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.deferrals: dict[str, dict[str, Any]] = {}  # cluster id -> ClusterVersionDeferral

    @handles("CockroachCloud_GetClusterVersionDeferral")
    async def get(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call)
        return ok(self.deferrals.get(cluster["id"], {"deferral_policy": "NOT_DEFERRED"}))

    @handles(
        "CockroachCloud_SetClusterVersionDeferral", audit="UPDATE_CLUSTER_VERSION_UPGRADE_DEFERRAL"
    )
    async def set_deferral(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        policy = body["deferral_policy"]
        deferral: dict[str, Any] = {"deferral_policy": policy}
        if policy in _DEFERRAL_DAYS:
            # As if the pending patch were released now: eligible that many days later.
            deferral["deferred_until"] = timestamp(
                self.timeline.current() + timedelta(days=_DEFERRAL_DAYS[policy])
            )
        elif policy == "FIXED_DEFERRAL":
            if "deferred_until" not in body:
                raise invalid("deferred_until: is required for FIXED_DEFERRAL")
            deferral["deferred_until"] = timestamp(
                parse_time(body["deferred_until"], "deferred_until")
            )
        self.deferrals[cluster["id"]] = deferral
        call.applied(cluster=cluster)
        return ok(deferral)


class Disruption(ClusterArea):
    """Regional disruptions a test of resilience asks for (``/disrupt``)."""

    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.specs: dict[str, list[dict[str, Any]]] = {}  # cluster id -> disruptor specs

    @handles("CockroachCloud_GetClusterDisruptionInfo")
    async def get(self, call: Call) -> web.StreamResponse:
        specs = self.specs.get(self.cluster_for(call)["id"], [])
        return ok({"regional_disruptor_specifications": specs})

    @handles("CockroachCloud_UpdateClusterDisruption", audit="UPDATE_CLUSTER_DISRUPTION")
    async def update(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        specs = body.get("regional_disruptor_specifications", [])
        regions = {r["name"] for r in cluster["regions"]}
        for i, spec in enumerate(specs):
            path = f"regional_disruptor_specifications[{i}]"
            if spec["region_code"] not in regions:
                raise invalid(
                    f"{path}.region_code: {spec['region_code']!r} is not a cluster region"
                )
            spec.setdefault("azs", [])
            spec.setdefault("pods", [])
        self.specs[cluster["id"]] = specs
        call.applied(cluster=cluster)
        return ok({"regional_disruptor_specifications": specs})
