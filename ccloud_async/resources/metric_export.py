"""``cloud.metric_export``: the generated operations, plus waiting for each kind of export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

from .._generated.resources.metric_export import MetricExportResource
from ..models import (
    CloudWatchMetricExportInfo,
    DatadogMetricExportInfo,
    MetricExportStatus,
    PrometheusMetricExportInfo,
)
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

__all__ = ["MetricExport"]

T = TypeVar("T")
MetricGoal = Literal["ENABLED", "NOT_DEPLOYED"]
_NOT_DEPLOYED = MetricExportStatus("NOT_DEPLOYED")  # what a configuration that is gone reads


class MetricExport(MetricExportResource):
    async def _wait(
        self,
        get: Callable[[], Awaitable[T]],
        gone: Callable[[], T],
        what: str,
        until: MetricGoal,
        timeout: float | None,
        poll: PollSchedule,
        on_change: OnChange | None,
    ) -> T:
        """Wait on one kind of export; a configuration gone (404) is ``gone()``."""
        return await wait_until(
            gone_as(get, until == "NOT_DEPLOYED", gone),
            status_judge(status_of, done={until}, pending=EXPORT_PENDING),
            what=f"{what} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )

    async def wait_datadog(
        self,
        cluster_id: str,
        until: MetricGoal = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> DatadogMetricExportInfo:
        """Wait until the Datadog export is ``until`` (ENABLED / NOT_DEPLOYED); ERROR raises."""
        what = f"Datadog export of cluster {cluster_id}"
        return await self._wait(
            lambda: self.get_datadog(cluster_id),
            lambda: DatadogMetricExportInfo(cluster_id=cluster_id, status=_NOT_DEPLOYED),
            what,
            until,
            timeout,
            poll,
            on_change,
        )

    async def wait_cloudwatch(
        self,
        cluster_id: str,
        until: MetricGoal = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> CloudWatchMetricExportInfo:
        """Wait until the CloudWatch export is ``until``; ERROR raises."""
        what = f"CloudWatch export of cluster {cluster_id}"
        return await self._wait(
            lambda: self.get_cloudwatch(cluster_id),
            lambda: CloudWatchMetricExportInfo(cluster_id=cluster_id, status=_NOT_DEPLOYED),
            what,
            until,
            timeout,
            poll,
            on_change,
        )

    async def wait_prometheus(
        self,
        cluster_id: str,
        until: MetricGoal = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> PrometheusMetricExportInfo:
        """Wait until the Prometheus export is ``until``; ERROR raises."""
        what = f"Prometheus export of cluster {cluster_id}"
        return await self._wait(
            lambda: self.get_prometheus(cluster_id),
            lambda: PrometheusMetricExportInfo(cluster_id=cluster_id, status=_NOT_DEPLOYED),
            what,
            until,
            timeout,
            poll,
            on_change,
        )
