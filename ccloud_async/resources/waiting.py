"""Waiters on the namespaces whose work runs in the background.

Each namespace here extends its generated class with ``wait*`` methods built on
:func:`ccloud_async.waiters.wait_until`. Timeouts are in seconds (``None``: no limit);
``poll`` sets the delays between polls; ``on_change(state, value)`` hears each change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..errors import NotFoundError, ValidationError
from ..models import (
    ClientCACertInfo,
    CloudWatchMetricExportInfo,
    Cluster,
    CMEKClusterInfo,
    DatadogMetricExportInfo,
    LogExportClusterInfo,
    PhysicalReplicationStream,
    PrometheusMetricExportInfo,
    Restore,
)
from ..waiters import (
    DEFAULT_SCHEDULE,
    Judgement,
    OnChange,
    PollSchedule,
    Verdict,
    cluster_judge,
    state_text,
    status_judge,
    wait_until,
)
from .client_ca_certs import ClientCACertsResource
from .clusters import ClustersResource
from .cmek import CMEKResource
from .egress_rules import EgressRulesResource
from .log_export import LogExportResource
from .metric_export import MetricExportResource
from .private_endpoints import PrivateEndpointsResource
from .replication import ReplicationResource
from .restores import RestoresResource

__all__ = [
    "CMEK",
    "ClientCACerts",
    "Clusters",
    "EgressRules",
    "LogExport",
    "MetricExport",
    "PrivateEndpoints",
    "Replication",
    "Restores",
]

T = TypeVar("T")
HOUR = 3600.0


def _gone_as(
    get: Callable[[], Awaitable[T]], counts: bool, stand_in: Callable[[], Any]
) -> Callable[[], Awaitable[T]]:
    """Poll ``get``; when ``counts`` (the wait is for the resource to go), a 404 answers
    ``stand_in()`` — a value in the gone state — instead of raising."""

    async def fetch() -> T:
        try:
            return await get()
        except NotFoundError:
            if not counts:
                raise
            result: T = stand_in()
            return result

    return fetch


def _status(value: Any) -> object:
    return getattr(value, "status", None)


class Clusters(ClustersResource):
    async def wait(
        self,
        cluster_id: str,
        until: str = "CREATED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> Cluster:
        """Wait until the cluster is CREATED, DELETED, or IDLE (no operation running).

        Waits through CREATING and LOCKED; fails fast on CREATION_FAILED and on any
        ``*_FAILED`` operation status. A cluster that is gone (404) counts as DELETED.
        """
        judge = cluster_judge(until)

        fetch = _gone_as(
            lambda: self.get(cluster_id),
            until == "DELETED",
            lambda: Cluster(id=cluster_id, state="DELETED"),  # type: ignore[arg-type]
        )
        return await wait_until(
            fetch,
            judge,
            what=f"cluster {cluster_id} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )


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
            _status,
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


class Replication(ReplicationResource):
    async def wait_stream(
        self,
        stream_id: str,
        until: str = "REPLICATING",
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
        judge = status_judge(_status, done={until}, pending=pending)
        return await wait_until(
            lambda: self.get_stream(stream_id),
            judge,
            what=f"replication stream {stream_id} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )


class CMEK(CMEKResource):
    async def wait(
        self,
        cluster_id: str,
        until: str = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> CMEKClusterInfo:
        """Wait until CMEK is ``until`` (ENABLED, DISABLED or REVOKED); ``*_FAILED`` raises."""
        return await wait_until(
            lambda: self.get(cluster_id),
            status_judge(_status, done={until}, pending=_CMEK_PENDING),
            what=f"CMEK of cluster {cluster_id} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )


_EXPORT_PENDING = {"ENABLING", "DISABLING"}


class LogExport(LogExportResource):
    async def wait(
        self,
        cluster_id: str,
        until: str = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> LogExportClusterInfo:
        """Wait until log export is ``until``; ``*_FAILED`` or CREDENTIALS_ERROR raises.

        Waiting for DISABLED, a configuration that is gone (404) counts as DISABLED.
        """

        fetch = _gone_as(
            lambda: self.get(cluster_id),
            until == "DISABLED",
            lambda: LogExportClusterInfo(cluster_id=cluster_id, status="DISABLED"),  # type: ignore[arg-type]
        )
        return await wait_until(
            fetch,
            status_judge(_status, done={until}, pending=_EXPORT_PENDING),
            what=f"log export of cluster {cluster_id} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )


class MetricExport(MetricExportResource):
    async def _wait(
        self,
        get: Callable[[], Awaitable[T]],
        what: str,
        until: str,
        timeout: float | None,
        poll: PollSchedule,
        on_change: OnChange | None,
    ) -> T:
        return await wait_until(
            _gone_as(get, until == "NOT_DEPLOYED", _NotDeployed),
            status_judge(_status, done={until}, pending=_EXPORT_PENDING),
            what=f"{what} until {until}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )

    async def wait_datadog(
        self,
        cluster_id: str,
        until: str = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> DatadogMetricExportInfo:
        """Wait until the Datadog export is ``until`` (ENABLED / NOT_DEPLOYED); ERROR raises."""
        what = f"Datadog export of cluster {cluster_id}"
        return await self._wait(
            lambda: self.get_datadog(cluster_id), what, until, timeout, poll, on_change
        )

    async def wait_cloudwatch(
        self,
        cluster_id: str,
        until: str = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> CloudWatchMetricExportInfo:
        """Wait until the CloudWatch export is ``until``; ERROR raises."""
        what = f"CloudWatch export of cluster {cluster_id}"
        return await self._wait(
            lambda: self.get_cloudwatch(cluster_id), what, until, timeout, poll, on_change
        )

    async def wait_prometheus(
        self,
        cluster_id: str,
        until: str = "ENABLED",
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> PrometheusMetricExportInfo:
        """Wait until the Prometheus export is ``until``; ERROR raises."""
        what = f"Prometheus export of cluster {cluster_id}"
        return await self._wait(
            lambda: self.get_prometheus(cluster_id), what, until, timeout, poll, on_change
        )


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


class EgressRules(EgressRulesResource):
    async def wait_traffic_policy(
        self,
        cluster_id: str,
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
        clusters: ClustersResource | None = None,
    ) -> Cluster:
        """Wait until the cluster's egress traffic policy is no longer UPDATING."""
        reader = clusters or ClustersResource(self._transport)
        return await wait_until(
            lambda: reader.get(cluster_id),
            status_judge(
                lambda c: c.egress_traffic_policy,
                done={"ALLOW_ALL", "DEFAULT_DENY", "UNSPECIFIED"},
                pending={"UPDATING"},
            ),
            what=f"egress traffic policy of cluster {cluster_id}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )


class ClientCACerts(ClientCACertsResource):
    async def wait(
        self,
        cluster_id: str,
        *,
        timeout: float | None = HOUR,
        poll: PollSchedule = DEFAULT_SCHEDULE,
        on_change: OnChange | None = None,
    ) -> ClientCACertInfo:
        """Wait until the client CA certificate is no longer PENDING; FAILED raises."""
        return await wait_until(
            lambda: self.get(cluster_id),
            status_judge(_status, done={"IS_SET", "NOT_SET"}, pending={"PENDING"}),
            what=f"client CA certificate of cluster {cluster_id}",
            timeout=timeout,
            schedule=poll,
            on_change=on_change,
        )


class _NotDeployed:
    """Stands for a metric export configuration that is gone (404)."""

    status = "NOT_DEPLOYED"


_CMEK_PENDING = {"ENABLING", "DISABLING", "ROTATING", "REVOKING"}


def _percent(value: object) -> str:
    return f"{float(value) * 100:.0f}%" if isinstance(value, (int, float)) else ""


def _services_judge(services: list[Any]) -> Judgement:
    statuses = sorted({state_text(s.status) for s in services}) or ["NONE"]
    label = ",".join(statuses)
    if any(s.endswith("_FAILED") for s in statuses):
        return Verdict.FAILED, label
    if statuses == ["AVAILABLE"]:
        return Verdict.DONE, label
    return Verdict.PENDING, label
