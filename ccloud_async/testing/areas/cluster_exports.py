"""A cluster's log export and its metric exports (Datadog, CloudWatch, Prometheus).

Enabling an export shows ENABLING for ``Timings.log_export`` / ``metric_export``
seconds (0 by default), then ENABLED — or ENABLE_FAILED (log) / ERROR (metrics) after
``fake.fail_next(kind)``. Deleting the log export shows DISABLING for as long, then
the configuration is gone (404). Secrets (the Azure shared key, the Datadog API key)
are never answered back; the Datadog key shows masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import not_found, ok
from ..errors import invalid
from ._base import handles
from ._cluster_shared import ClusterArea, PerCluster, require_plan

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["LogExport", "MetricExports"]


def _mask(secret: str) -> str:
    return "*" * max(len(secret) - 4, 0) + secret[-4:]


class LogExport(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.exports: dict[str, dict[str, Any]] = {}  # cluster id -> LogExportClusterInfo

    def _export(self, cluster: dict[str, Any]) -> dict[str, Any]:
        info = self.exports.get(cluster["id"])
        if info is None:
            raise not_found("log export configuration")
        return info

    @handles("CockroachCloud_GetLogExportInfo")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self._export(self.cluster_for(call)))

    @handles("CockroachCloud_EnableLogExport", audit="UPDATE_CLUSTER_LOG_EXPORT")
    async def enable(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        spec = await call.body()
        for name in ("log_name", "auth_principal"):
            v.non_empty(spec[name], name)
        if spec["type"] == "AZURE_LOG_ANALYTICS" and not spec.get("azure_shared_key"):
            raise invalid("azure_shared_key: is required for AZURE_LOG_ANALYTICS")
        for i, group in enumerate(spec.get("groups", [])):
            if not group["channels"]:
                raise invalid(f"groups[{i}].channels: must name at least one channel")
        spec.pop("azure_shared_key", None)  # a secret: kept by the service, never returned
        now = self.timeline.stamp()
        previous = self.exports.get(cluster["id"])
        info = self.exports[cluster["id"]] = {
            "cluster_id": cluster["id"],
            "spec": spec,
            "status": "ENABLING",
            "user_message": "",
            "created_at": previous["created_at"] if previous else now,
            "updated_at": now,
        }

        def enabled(failure: str | None) -> None:
            info["status"] = failure or "ENABLED"
            if failure is not None:
                info["user_message"] = "log export could not be enabled"

        self.fake.jobs.start("log_export", enabled, key=("log_export", cluster["id"]))
        call.applied(cluster=cluster)
        return ok(info)

    @handles("CockroachCloud_DeleteLogExport", audit="DELETE_CLUSTER_LOG_EXPORT")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        current = self._export(cluster)
        current.update(status="DISABLING", updated_at=self.timeline.stamp())

        def disabled(failure: str | None) -> None:
            if failure is not None:
                current["status"] = failure
            elif self.exports.get(cluster["id"]) is current:
                del self.exports[cluster["id"]]

        job = self.fake.jobs.start(
            "log_export", disabled, failed="DISABLE_FAILED", key=("log_export", cluster["id"])
        )
        call.applied(cluster=cluster)
        if job.finished and job.failure is None:
            return ok({**current, "status": "DISABLED"})
        return ok(current)


class MetricExports(ClusterArea):
    """The three metric exports, one small handler per operation over shared helpers."""

    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        # kind ("datadog", "cloudwatch", "prometheus") -> its export info
        self.exports: PerCluster[dict[str, dict[str, Any]]] = PerCluster(dict)

    def _get(self, call: Call, kind: str) -> web.StreamResponse:
        info = self.exports[self.cluster_for(call)["id"]].get(kind)
        if info is None:
            raise not_found(f"{kind} metric export configuration")
        return ok(info)

    async def _enable(self, call: Call, kind: str) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        info: dict[str, Any] = {"cluster_id": cluster["id"], "status": "ENABLING"}
        if kind == "datadog":
            v.non_empty(body["api_key"], "api_key")
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
        self.exports[cluster["id"]][kind] = info

        def enabled(failure: str | None) -> None:
            info["status"] = failure or "ENABLED"
            if failure is not None:
                info["user_message"] = f"{kind} metric export could not be enabled"

        self.fake.jobs.start("metric_export", enabled, key=(kind, cluster["id"]))
        call.applied(cluster=cluster)
        return ok(info)

    def _delete(self, call: Call, kind: str) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        if self.exports[cluster["id"]].pop(kind, None) is None:
            raise not_found(f"{kind} metric export configuration")
        call.applied(cluster=cluster)
        return ok({"cluster_id": cluster["id"], "status": "NOT_DEPLOYED"})

    @handles("CockroachCloud_GetDatadogMetricExportInfo")
    async def get_datadog(self, call: Call) -> web.StreamResponse:
        return self._get(call, "datadog")

    @handles("CockroachCloud_EnableDatadogMetricExport", audit="UPDATE_CLUSTER_METRIC_EXPORT")
    async def enable_datadog(self, call: Call) -> web.StreamResponse:
        return await self._enable(call, "datadog")

    @handles("CockroachCloud_DeleteDatadogMetricExport", audit="DELETE_CLUSTER_METRIC_EXPORT")
    async def delete_datadog(self, call: Call) -> web.StreamResponse:
        return self._delete(call, "datadog")

    @handles("CockroachCloud_GetCloudWatchMetricExportInfo")
    async def get_cloudwatch(self, call: Call) -> web.StreamResponse:
        return self._get(call, "cloudwatch")

    @handles("CockroachCloud_EnableCloudWatchMetricExport", audit="UPDATE_CLUSTER_METRIC_EXPORT")
    async def enable_cloudwatch(self, call: Call) -> web.StreamResponse:
        return await self._enable(call, "cloudwatch")

    @handles("CockroachCloud_DeleteCloudWatchMetricExport", audit="DELETE_CLUSTER_METRIC_EXPORT")
    async def delete_cloudwatch(self, call: Call) -> web.StreamResponse:
        return self._delete(call, "cloudwatch")

    @handles("CockroachCloud_GetPrometheusMetricExportInfo")
    async def get_prometheus(self, call: Call) -> web.StreamResponse:
        return self._get(call, "prometheus")

    @handles("CockroachCloud_EnablePrometheusMetricExport", audit="UPDATE_CLUSTER_METRIC_EXPORT")
    async def enable_prometheus(self, call: Call) -> web.StreamResponse:
        return await self._enable(call, "prometheus")

    @handles("CockroachCloud_DeletePrometheusMetricExport", audit="DELETE_CLUSTER_METRIC_EXPORT")
    async def delete_prometheus(self, call: Call) -> web.StreamResponse:
        return self._delete(call, "prometheus")
