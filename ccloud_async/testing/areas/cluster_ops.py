"""A cluster's operations settings: log and metric export, the maintenance window,
blackout windows, version deferral and disruption; plus the cluster-wide catalogues
(available regions, major versions).

Enabling an export shows ENABLING for ``Timings.log_export`` / ``metric_export``
seconds (0 by default), then ENABLED — or ENABLE_FAILED (log) / ERROR (metrics) after
``fake.fail_next(kind)``. Deleting the log export shows DISABLING for as long, then
the configuration is gone (404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call, Handler
from ..clusters import COCKROACH_VERSIONS
from ..common import new_id, not_found, ok, timestamp
from ..errors import invalid
from ..paging import page
from ..validation import read_body
from ._cluster_shared import PerCluster, cluster_for, require_plan

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["handlers"]

_DURATION = re.compile(r"([0-9]+)(\.[0-9]{1,9})?s")
_WEEK = 7 * 24 * 3600
_MAX_BLACKOUT = timedelta(days=14)

# name, location, provider, serverless, distance (miles from a fixed point)
REGIONS: tuple[tuple[str, str, str, bool, float], ...] = (
    ("us-east-1", "N. Virginia", "AWS", True, 230.5),
    ("us-west-2", "Oregon", "AWS", True, 2380.0),
    ("eu-west-1", "Ireland", "AWS", True, 3300.2),
    ("ap-southeast-1", "Singapore", "AWS", False, 9530.8),
    ("us-central1", "Iowa", "GCP", True, 890.1),
    ("us-east1", "South Carolina", "GCP", True, 510.4),
    ("europe-west1", "Belgium", "GCP", True, 3710.9),
    ("asia-southeast1", "Singapore", "GCP", True, 9528.3),
    ("eastus", "Virginia", "AZURE", True, 240.7),
    ("westeurope", "Netherlands", "AZURE", False, 3650.0),
)

# major version -> (days from the emulator's start to its support end, release type).
# Relative, so that on any date two majors are supported and two are not; the status
# is read off the clock when asked.
MAJOR_VERSIONS = {
    "v23.2": (-300, "REGULAR"),
    "v24.1": (120, "REGULAR"),
    "v24.2": (-200, "INNOVATION"),
    "v24.3": (365, "REGULAR"),
}
# Deferral policies that push a patch back by a fixed number of days.
_DEFERRAL_DAYS = {"DEFERRAL_30_DAYS": 30, "DEFERRAL_60_DAYS": 60, "DEFERRAL_90_DAYS": 90}


@dataclass
class Ops:
    log_export: dict[str, Any] | None = None
    metric_exports: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> info
    maintenance: dict[str, str] | None = None
    blackouts: dict[str, dict[str, Any]] = field(default_factory=dict)
    deferral: dict[str, Any] = field(default_factory=lambda: {"deferral_policy": "NOT_DEFERRED"})
    disruption: list[dict[str, Any]] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # blackout id -> creation time


def seconds(value: str, path: str) -> float:
    """A protobuf Duration string ("172800s")."""
    match = _DURATION.fullmatch(value)
    if match is None:
        raise invalid(f"{path}: must be a duration in seconds like '21600s' (got {value!r})")
    return float(value[:-1])


def _mask(secret: str) -> str:
    return "*" * max(len(secret) - 4, 0) + secret[-4:]


def handlers(fake: FakeCloud) -> dict[str, Handler]:
    store: PerCluster[Ops] = PerCluster(Ops)
    clock = fake.timeline

    # --- log export -------------------------------------------------------------------

    async def get_log_export(call: Call) -> web.StreamResponse:
        info = store[cluster_for(fake, call)["id"]].log_export
        if info is None:
            raise not_found("log export configuration")
        return ok(info)

    async def enable_log_export(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        spec = await read_body(call)
        for name in ("log_name", "auth_principal"):
            if not spec[name]:
                raise invalid(f"{name}: must not be empty")
        if spec["type"] == "AZURE_LOG_ANALYTICS" and not spec.get("azure_shared_key"):
            raise invalid("azure_shared_key: is required for AZURE_LOG_ANALYTICS")
        for i, group in enumerate(spec.get("groups", [])):
            if not group["channels"]:
                raise invalid(f"groups[{i}].channels: must name at least one channel")
        spec.pop("azure_shared_key", None)  # a secret: kept by the service, never returned
        data = store[cluster["id"]]
        now = clock.stamp()
        created = data.log_export["created_at"] if data.log_export else now
        info = data.log_export = {
            "cluster_id": cluster["id"],
            "spec": spec,
            "status": "ENABLING",
            "user_message": "",
            "created_at": created,
            "updated_at": now,
        }

        def enabled(failure: str | None) -> None:
            info["status"] = failure or "ENABLED"
            if failure is not None:
                info["user_message"] = "log export could not be enabled"

        fake.jobs.start("log_export", enabled, key=("log_export", cluster["id"]))
        call.applied()
        return ok(info)

    async def delete_log_export(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        data = store[cluster["id"]]
        if data.log_export is None:
            raise not_found("log export configuration")
        current = data.log_export
        current.update(status="DISABLING", updated_at=clock.stamp())

        def disabled(failure: str | None) -> None:
            if failure is not None:
                current["status"] = failure
            elif data.log_export is current:
                data.log_export = None

        job = fake.jobs.start(
            "log_export", disabled, failed="DISABLE_FAILED", key=("log_export", cluster["id"])
        )
        call.applied()
        if job.finished and job.failure is None:
            return ok({**current, "status": "DISABLED"})
        return ok(current)

    # --- metric export ------------------------------------------------------------------

    def metric_handlers(kind: str) -> tuple[Handler, Handler, Handler]:
        async def get(call: Call) -> web.StreamResponse:
            info = store[cluster_for(fake, call)["id"]].metric_exports.get(kind)
            if info is None:
                raise not_found(f"{kind} metric export configuration")
            return ok(info)

        async def enable(call: Call) -> web.StreamResponse:
            cluster = cluster_for(fake, call, mutate=True)
            body = await read_body(call)
            info: dict[str, Any] = {"cluster_id": cluster["id"], "status": "ENABLED"}
            if kind == "datadog":
                if not body["api_key"]:
                    raise invalid("api_key: must not be empty")
                info.update(site=body["site"], api_key=_mask(body["api_key"]))
            elif kind == "cloudwatch":
                if not body["role_arn"].startswith("arn:aws:iam::"):
                    raise invalid("role_arn: must be an IAM role ARN (arn:aws:iam::...)")
                info.update(
                    role_arn=body["role_arn"],
                    target_region=body.get("target_region") or cluster["regions"][0]["name"],
                    log_group_name=body.get("log_group_name") or f"crdb-metrics-{cluster['name']}",
                    external_id=body.get("external_id", ""),
                )
            else:
                require_plan(cluster, "ADVANCED", "Prometheus metric export")
                info["targets"] = {
                    r["name"]: f"https://{cluster['name']}-{cluster['id'][:4]}.{r['name']}"
                    f".cockroachlabs.cloud:8080/_status/vars"
                    for r in cluster["regions"]
                }
            info["user_message"] = ""
            info["status"] = "ENABLING"
            store[cluster["id"]].metric_exports[kind] = info

            def enabled(failure: str | None) -> None:
                info["status"] = failure or "ENABLED"
                if failure is not None:
                    info["user_message"] = f"{kind} metric export could not be enabled"

            fake.jobs.start("metric_export", enabled, key=(kind, cluster["id"]))
            call.applied()
            return ok(info)

        async def delete(call: Call) -> web.StreamResponse:
            cluster = cluster_for(fake, call, mutate=True)
            if store[cluster["id"]].metric_exports.pop(kind, None) is None:
                raise not_found(f"{kind} metric export configuration")
            call.applied()
            return ok({"cluster_id": cluster["id"], "status": "NOT_DEPLOYED"})

        return get, enable, delete

    # --- maintenance and blackout windows --------------------------------------------

    async def get_maintenance(call: Call) -> web.StreamResponse:
        window = store[cluster_for(fake, call)["id"]].maintenance
        if window is None:
            raise not_found("maintenance window")
        return ok(window)

    async def set_maintenance(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        offset = seconds(body["offset_duration"], "offset_duration")
        length = seconds(body["window_duration"], "window_duration")
        if not 0 <= offset < _WEEK:
            raise invalid("offset_duration: must be less than a week (from Monday 00:00 UTC)")
        if not 6 * 3600 < length < _WEEK:
            raise invalid("window_duration: must be more than 6 hours and less than a week")
        window = {
            "offset_duration": body["offset_duration"],
            "window_duration": body["window_duration"],
        }
        store[cluster["id"]].maintenance = window
        call.applied()
        return ok(window)

    async def delete_maintenance(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        data = store[cluster["id"]]
        if data.maintenance is None:
            raise not_found("maintenance window")
        window, data.maintenance = data.maintenance, None
        call.applied()
        return ok(window)

    def blackout_of(call: Call, cluster: dict[str, Any]) -> dict[str, Any]:
        window = store[cluster["id"]].blackouts.get(call.params["blackout_window_id"])
        if window is None:
            raise not_found("blackout window")
        return window

    def check_blackout(start: str, end: str) -> dict[str, str]:
        begin, finish = v.date_time(start, "start_time"), v.date_time(end, "end_time")
        if finish <= begin:
            raise invalid("end_time: must be after start_time")
        if finish - begin > _MAX_BLACKOUT:
            raise invalid("end_time: a blackout window lasts at most 14 days")
        return {"start_time": timestamp(begin), "end_time": timestamp(finish)}

    async def list_blackouts(call: Call) -> web.StreamResponse:
        data = store[cluster_for(fake, call)["id"]]
        items, pagination = page(
            call,
            data.blackouts.values(),
            lambda w: w["start_time"] + w["id"],
            "START",
            created=lambda w: data.created.get(w["id"]),
        )
        return ok({"blackout_windows": items, "pagination": pagination})

    async def create_blackout(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        times = check_blackout(body["start_time"], body["end_time"])
        require_plan(cluster, "ADVANCED", "blackout windows")
        window = {"id": new_id(), "cluster_id": cluster["id"], **times}
        store[cluster["id"]].blackouts[window["id"]] = window
        store[cluster["id"]].created[window["id"]] = clock.stamp()
        call.applied()
        return ok(window)

    async def get_blackout(call: Call) -> web.StreamResponse:
        return ok(blackout_of(call, cluster_for(fake, call)))

    async def update_blackout(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        window = blackout_of(call, cluster)
        body = await read_body(call)
        times = check_blackout(
            body.get("start_time", window["start_time"]), body.get("end_time", window["end_time"])
        )
        window.update(times)
        call.applied()
        return ok(window)

    async def delete_blackout(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        window = blackout_of(call, cluster)
        del store[cluster["id"]].blackouts[window["id"]]
        call.applied()
        return ok(window)

    # --- version deferral and disruption ----------------------------------------------

    async def get_deferral(call: Call) -> web.StreamResponse:
        return ok(store[cluster_for(fake, call)["id"]].deferral)

    async def set_deferral(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        policy = body["deferral_policy"]
        deferral: dict[str, Any] = {"deferral_policy": policy}
        if policy in _DEFERRAL_DAYS:
            # As if the pending patch were released now: eligible that many days later.
            deferral["deferred_until"] = timestamp(
                clock.current() + timedelta(days=_DEFERRAL_DAYS[policy])
            )
        elif policy == "FIXED_DEFERRAL":
            if "deferred_until" not in body:
                raise invalid("deferred_until: is required for FIXED_DEFERRAL")
            deferral["deferred_until"] = timestamp(
                v.date_time(body["deferred_until"], "deferred_until")
            )
        store[cluster["id"]].deferral = deferral
        call.applied()
        return ok(deferral)

    async def get_disruption(call: Call) -> web.StreamResponse:
        specs = store[cluster_for(fake, call)["id"]].disruption
        return ok({"regional_disruptor_specifications": specs})

    async def set_disruption(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
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
        store[cluster["id"]].disruption = specs
        call.applied()
        return ok({"regional_disruptor_specifications": specs})

    datadog = metric_handlers("datadog")
    cloudwatch = metric_handlers("cloudwatch")
    prometheus = metric_handlers("prometheus")
    return {
        "CockroachCloud_GetLogExportInfo": get_log_export,
        "CockroachCloud_EnableLogExport": enable_log_export,
        "CockroachCloud_DeleteLogExport": delete_log_export,
        "CockroachCloud_GetDatadogMetricExportInfo": datadog[0],
        "CockroachCloud_EnableDatadogMetricExport": datadog[1],
        "CockroachCloud_DeleteDatadogMetricExport": datadog[2],
        "CockroachCloud_GetCloudWatchMetricExportInfo": cloudwatch[0],
        "CockroachCloud_EnableCloudWatchMetricExport": cloudwatch[1],
        "CockroachCloud_DeleteCloudWatchMetricExport": cloudwatch[2],
        "CockroachCloud_GetPrometheusMetricExportInfo": prometheus[0],
        "CockroachCloud_EnablePrometheusMetricExport": prometheus[1],
        "CockroachCloud_DeletePrometheusMetricExport": prometheus[2],
        "CockroachCloud_GetMaintenanceWindow": get_maintenance,
        "CockroachCloud_SetMaintenanceWindow": set_maintenance,
        "CockroachCloud_DeleteMaintenanceWindow": delete_maintenance,
        "CockroachCloud_ListBlackoutWindows": list_blackouts,
        "CockroachCloud_CreateBlackoutWindow": create_blackout,
        "CockroachCloud_GetBlackoutWindow": get_blackout,
        "CockroachCloud_UpdateBlackoutWindow": update_blackout,
        "CockroachCloud_DeleteBlackoutWindow": delete_blackout,
        "CockroachCloud_GetClusterVersionDeferral": get_deferral,
        "CockroachCloud_SetClusterVersionDeferral": set_deferral,
        "CockroachCloud_GetClusterDisruptionInfo": get_disruption,
        "CockroachCloud_UpdateClusterDisruption": set_disruption,
        **catalogue_handlers(fake, clock.current()),
    }


def catalogue_handlers(fake: FakeCloud, started: datetime) -> dict[str, Handler]:
    """Available regions and major versions (registered through :func:`handlers`).

    Support ends are dated from ``started``, the emulator's start.
    """
    support_ends = {
        major: started + timedelta(days=days) for major, (days, _) in MAJOR_VERSIONS.items()
    }

    async def available_regions(call: Call) -> web.StreamResponse:
        query = call.request.query
        provider = query.get("provider")
        if provider is not None:
            v.enum(provider, "provider", ("GCP", "AWS", "AZURE"))
        serverless = v.parse_bool(query.get("serverless"), "serverless")
        regions = [
            {"name": n, "location": loc, "provider": p, "serverless": s, "distance": d}
            for n, loc, p, s, d in REGIONS
            if provider in (None, p) and (s or not serverless)
        ]
        items, pagination = page(call, regions, lambda r: f"{r['provider']}/{r['name']}", "NAME")
        return ok({"regions": items, "pagination": pagination})

    async def major_versions(call: Call) -> web.StreamResponse:
        majors = sorted(MAJOR_VERSIONS)
        now = fake.timeline.current()
        versions = [
            {
                "version": major,
                "support_end": timestamp(support_ends[major]),
                "release_type": kind,
                "support_status": "SUPPORTED" if support_ends[major] > now else "UNSUPPORTED",
                "allowed_upgrades": [m for m in majors if m > major and m in COCKROACH_VERSIONS][
                    :2
                ],
            }
            for major, (_, kind) in MAJOR_VERSIONS.items()
        ]
        items, pagination = page(call, versions, lambda m: m["version"], "VERSION")
        return ok({"versions": items, "pagination": pagination})

    return {
        "CockroachCloud_ListAvailableRegions": available_regions,
        "CockroachCloud_ListMajorClusterVersions": major_versions,
    }
