"""The waiters against the emulator's timed state machine (``FakeCloud(timings=...)``).

Each waiter: success, and a failure or a timeout. Work takes ``T`` seconds and the
waiters poll every 0.05-0.2 s, so the file runs in a few seconds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ccloud_async import BadRequestError, CockroachCloud
from ccloud_async.errors import OperationFailedError, WaitTimeoutError
from ccloud_async.testing import FakeCloud, Timings
from ccloud_async.waiters import PollSchedule

from ..conftest import SERVERLESS, emulator_thread, make_client

T = 0.2  # seconds each kind of background work takes
FAST = PollSchedule(initial=0.05, factor=1.5, maximum=0.2)
TIMINGS = Timings(
    cluster_create=T,
    cluster_update=T,
    cluster_delete=T,
    restore=T,
    cmek=T,
    log_export=T,
    metric_export=T,
    private_endpoint=T,
    egress_policy=T,
    client_ca=T,
    replication=T,
)
DEDICATED = {
    "dedicated": {
        "region_nodes": {"us-east-1": 3},
        "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 150},
    }
}
SCALE = {"dedicated": {"region_nodes": {"us-east-1": 5}}}
KMS_KEY = {
    "type": "AWS_KMS",
    "uri": "arn:aws:kms:us-east-1:123456789012:key/k1",
    "auth_principal": "arn:aws:iam::123456789012:role/cmek",
}
PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"


@pytest.fixture
async def fake() -> AsyncIterator[FakeCloud]:
    timings = dataclasses.replace(TIMINGS)  # a test may change its own copy
    async with FakeCloud(rate_limit=None, validate_responses=True, timings=timings) as server:
        yield server


@pytest.fixture
async def cloud(fake: FakeCloud) -> AsyncIterator[CockroachCloud]:
    async with make_client(fake) as client:
        yield client


class Seen:
    """An ``on_change`` that records the states."""

    def __init__(self) -> None:
        self.states: list[str] = []
        self.values: list[Any] = []

    def __call__(self, state: str, value: Any) -> None:
        self.states.append(state)
        self.values.append(value)


async def create(cloud: CockroachCloud, name: str = "adv-cluster", spec: Any = None) -> str:
    cluster = await cloud.clusters.create(name=name, provider="AWS", spec=spec or DEDICATED)
    return cluster.id


async def live(cloud: CockroachCloud, name: str = "adv-cluster") -> str:
    """A cluster that has finished creating."""
    cluster_id = await create(cloud, name)
    await cloud.clusters.wait(cluster_id, poll=FAST, timeout=5)
    return cluster_id


# --- the emulator's state machine ---------------------------------------------------


def test_timings_default_to_instant_and_reject_negatives() -> None:
    assert all(value == 0 for value in vars(Timings()).values())
    with pytest.raises(ValueError):
        Timings(restore=-1)
    with pytest.raises(ValueError):
        FakeCloud().fail_next("no-such-kind")


async def test_states_come_from_the_clock(fake: FakeCloud, cloud: CockroachCloud) -> None:
    fake.timings.cluster_create = 0.5  # read when the work starts
    created = await cloud.clusters.create(name="adv-cluster", provider="AWS", spec=DEDICATED)
    assert created.state == "CREATING"
    assert (await cloud.clusters.get(created.id)).state == "CREATING"
    await asyncio.sleep(0.55)
    assert (await cloud.clusters.get(created.id)).state == "CREATED"
    assert len(fake.jobs) == 0  # nothing left running


# --- clusters -----------------------------------------------------------------------


async def test_wait_created_reports_creating_then_created(cloud: CockroachCloud) -> None:
    cluster_id = await create(cloud)
    seen = Seen()
    cluster = await cloud.clusters.wait(cluster_id, poll=FAST, timeout=5, on_change=seen)
    assert cluster.state == "CREATED"
    assert seen.states == ["CREATING", "CREATED"]


async def test_wait_created_fails_on_creation_failed(
    fake: FakeCloud, cloud: CockroachCloud
) -> None:
    fake.fail_next("cluster_create")
    cluster_id = await create(cloud)
    with pytest.raises(OperationFailedError) as info:
        await cloud.clusters.wait(cluster_id, poll=FAST, timeout=5)
    assert info.value.state == "CREATION_FAILED"


async def test_wait_deleted(cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    deleting = await cloud.clusters.delete(cluster_id)
    assert deleting.state == "LOCKED"
    seen = Seen()
    cluster = await cloud.clusters.wait(cluster_id, "DELETED", poll=FAST, timeout=5, on_change=seen)
    assert cluster.state == "DELETED"
    assert seen.states == ["LOCKED", "DELETED"]


async def test_wait_idle_through_locked_after_an_update(cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    updated = await cloud.clusters.update(cluster_id, **SCALE)
    assert (updated.state, updated.operation_status) == ("LOCKED", "CRDB_SCALE_RUNNING")
    seen = Seen()
    cluster = await cloud.clusters.wait(cluster_id, "IDLE", poll=FAST, timeout=5, on_change=seen)
    assert (cluster.state, cluster.operation_status) == ("CREATED", "UNSPECIFIED")
    assert seen.states == ["LOCKED (CRDB_SCALE_RUNNING)", "CREATED"]
    assert [r.node_count for r in cluster.regions] == [5]


async def test_labels_only_update_does_not_lock(cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    updated = await cloud.clusters.update(cluster_id, labels={"team": "db"})
    assert updated.state == "CREATED"


async def test_wait_idle_fails_on_a_failed_operation(
    fake: FakeCloud, cloud: CockroachCloud
) -> None:
    cluster_id = await live(cloud)
    fake.fail_next("cluster_update")
    await cloud.clusters.update(cluster_id, **SCALE)
    with pytest.raises(OperationFailedError) as info:
        await cloud.clusters.wait(cluster_id, "IDLE", poll=FAST, timeout=5)
    assert info.value.state == "CREATED (CRDB_SCALE_FAILED)"


async def test_wait_times_out_with_the_last_state(cloud: CockroachCloud) -> None:
    cluster_id = await create(cloud)
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as info:
        await cloud.clusters.wait(cluster_id, poll=FAST, timeout=0.1)
    assert time.monotonic() - started < 1.0
    assert info.value.state == "CREATING"
    assert info.value.last.state == "CREATING"


async def test_mutations_of_a_locked_cluster_fail_and_reads_work(
    fake: FakeCloud, cloud: CockroachCloud
) -> None:
    cluster_id = await live(cloud)
    fake.timings.cluster_update = 5  # locked for the whole test
    await cloud.clusters.update(cluster_id, **SCALE)
    with pytest.raises(BadRequestError, match="lock"):
        await cloud.clusters.update(cluster_id, labels={"team": "db"})
    with pytest.raises(BadRequestError, match="lock"):
        await cloud.client_ca_certs.set(cluster_id, x509_pem_cert=PEM)
    with pytest.raises(BadRequestError, match="lock"):
        await cloud.clusters.delete(cluster_id)
    assert (await cloud.clusters.get(cluster_id)).state == "LOCKED"
    assert (await cloud.client_ca_certs.get(cluster_id)).status == "NOT_SET"


async def test_lock_wait_retries_a_mutation_until_the_lock_is_gone(
    fake: FakeCloud, cloud: CockroachCloud
) -> None:
    cluster_id = await live(cloud)
    await cloud.clusters.update(cluster_id, **SCALE)
    fake.reset_stats()
    updated = await cloud.with_options(lock_wait=5).clusters.update(
        cluster_id, labels={"team": "db"}
    )
    assert updated.labels == {"team": "db"} and updated.state == "CREATED"
    assert fake.stats.applied["CockroachCloud_UpdateCluster"] == 1
    patches = [r.status for r in fake.request_log if r.method == "PATCH"]
    assert patches[0] == 400 and patches[-1] == 200 and patches.count(200) == 1


# --- restores -----------------------------------------------------------------------


async def test_restore_progress_then_success(cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    restore = await cloud.restores.create(
        cluster_id, type="DATABASE", objects=[{"database": "defaultdb"}]
    )
    assert restore.status == "PENDING"
    seen = Seen()
    done = await cloud.restores.wait(cluster_id, restore.id, poll=FAST, timeout=5, on_change=seen)
    assert done.status == "SUCCESS" and done.completion_percent == 1.0
    percents = [v.completion_percent for v in seen.values]
    assert percents == sorted(percents) and percents[0] < 0.5 and len(percents) >= 2
    assert seen.states[0].startswith("PENDING") and seen.states[-1] == "SUCCESS 100%"


async def test_restore_failure(fake: FakeCloud, cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    fake.fail_next("restore")
    restore = await cloud.restores.create(
        cluster_id, type="DATABASE", objects=[{"database": "defaultdb"}]
    )
    with pytest.raises(OperationFailedError) as info:
        await cloud.restores.wait(cluster_id, restore.id, poll=FAST, timeout=5)
    assert info.value.state.startswith("FAILED")


# --- replication --------------------------------------------------------------------


async def test_replication_stream_start_and_failover(cloud: CockroachCloud) -> None:
    primary, standby = await asyncio.gather(live(cloud, "primary-1"), live(cloud, "standby-1"))
    stream = await cloud.replication.create_stream(
        primary_cluster_id=primary, standby_cluster_id=standby
    )
    assert stream.status == "STARTING"
    with pytest.raises(WaitTimeoutError) as info:
        await cloud.replication.wait_stream(stream.id, poll=FAST, timeout=0.1)
    assert info.value.state == "STARTING"
    seen = Seen()
    got = await cloud.replication.wait_stream(stream.id, poll=FAST, timeout=5, on_change=seen)
    assert got.status == "REPLICATING" and seen.states == ["STARTING", "REPLICATING"]
    await cloud.replication.update_stream(stream.id, status="FAILING_OVER")
    done = await cloud.replication.wait_stream(stream.id, "COMPLETED", poll=FAST, timeout=5)
    assert done.status == "COMPLETED"


# --- CMEK ---------------------------------------------------------------------------


async def test_cmek_enable_then_revoke(cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    info = await cloud.cmek.enable(
        cluster_id, region_specs=[{"region": "us-east-1", "key_spec": KMS_KEY}]
    )
    assert info.status == "ENABLING"
    seen = Seen()
    got = await cloud.cmek.wait(cluster_id, poll=FAST, timeout=5, on_change=seen)
    assert got.status == "ENABLED" and seen.states == ["ENABLING", "ENABLED"]
    await cloud.cmek.update_status(cluster_id, action="REVOKE")
    got = await cloud.cmek.wait(cluster_id, "REVOKED", poll=FAST, timeout=5)
    assert got.status == "REVOKED"


async def test_cmek_rotation_failure(fake: FakeCloud, cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    spec = [{"region": "us-east-1", "key_spec": KMS_KEY}]
    await cloud.cmek.enable(cluster_id, region_specs=spec)
    await cloud.cmek.wait(cluster_id, poll=FAST, timeout=5)
    fake.fail_next("cmek")
    rotating = await cloud.cmek.update_spec(cluster_id, region_specs=spec)
    assert rotating.status == "ROTATING"
    with pytest.raises(OperationFailedError) as info:
        await cloud.cmek.wait(cluster_id, poll=FAST, timeout=5)
    assert info.value.state == "ROTATE_FAILED"


# --- log and metric export ----------------------------------------------------------


async def test_log_export_enable_and_disable(cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    info = await cloud.log_export.enable(
        cluster_id, type="AWS_CLOUDWATCH", log_name="crdb", auth_principal="arn:aws:iam::1:role/r"
    )
    assert info.status == "ENABLING"
    assert (await cloud.log_export.wait(cluster_id, poll=FAST, timeout=5)).status == "ENABLED"
    assert (await cloud.log_export.disable(cluster_id)).status == "DISABLING"
    gone = await cloud.log_export.wait(cluster_id, "DISABLED", poll=FAST, timeout=5)
    assert gone.status == "DISABLED"


async def test_log_export_failure(fake: FakeCloud, cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    fake.fail_next("log_export")
    await cloud.log_export.enable(
        cluster_id, type="AWS_CLOUDWATCH", log_name="crdb", auth_principal="arn:aws:iam::1:role/r"
    )
    with pytest.raises(OperationFailedError) as info:
        await cloud.log_export.wait(cluster_id, poll=FAST, timeout=5)
    assert info.value.state == "ENABLE_FAILED"


async def test_metric_exports(fake: FakeCloud, cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    metrics = cloud.metric_export
    await metrics.enable_datadog(cluster_id, site="US1", api_key="abcdef123456")
    role_arn = "arn:aws:iam::123456789012:role/metrics"
    await metrics.enable_cloudwatch(cluster_id, role_arn=role_arn)
    fake.fail_next("metric_export")
    assert (await metrics.enable_prometheus(cluster_id)).status == "ENABLING"
    datadog, cloudwatch = await asyncio.gather(
        metrics.wait_datadog(cluster_id, poll=FAST, timeout=5),
        metrics.wait_cloudwatch(cluster_id, poll=FAST, timeout=5),
    )
    assert datadog.status == cloudwatch.status == "ENABLED"
    with pytest.raises(OperationFailedError) as info:
        await metrics.wait_prometheus(cluster_id, poll=FAST, timeout=5)
    assert info.value.state == "ERROR"


async def test_metric_export_timeout(cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    await cloud.metric_export.enable_datadog(cluster_id, site="US1", api_key="abcdef123456")
    with pytest.raises(WaitTimeoutError) as info:
        await cloud.metric_export.wait_datadog(cluster_id, poll=FAST, timeout=0.1)
    assert info.value.state == "ENABLING"


# --- private endpoints, egress policy, client CA --------------------------------------


async def test_private_endpoint_services(cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    await cloud.private_endpoints.create_services(cluster_id)
    seen = Seen()
    services = await cloud.private_endpoints.wait_services(
        cluster_id, poll=FAST, timeout=5, on_change=seen
    )
    assert [s.status for s in services] == ["AVAILABLE"]
    assert seen.states == ["CREATING", "AVAILABLE"]


async def test_private_endpoint_services_failure(fake: FakeCloud, cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    fake.fail_next("private_endpoint")
    await cloud.private_endpoints.create_services(cluster_id)
    with pytest.raises(OperationFailedError) as info:
        await cloud.private_endpoints.wait_services(cluster_id, poll=FAST, timeout=5)
    assert info.value.state == "CREATE_FAILED"


async def test_egress_traffic_policy(fake: FakeCloud, cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    await cloud.egress_rules.set_traffic_policy(cluster_id, allow_all=False)
    assert (await cloud.clusters.get(cluster_id)).egress_traffic_policy == "UPDATING"
    seen = Seen()
    cluster = await cloud.egress_rules.wait_traffic_policy(
        cluster_id, poll=FAST, timeout=5, on_change=seen
    )
    assert cluster.egress_traffic_policy == "DEFAULT_DENY"
    assert seen.states == ["UPDATING", "DEFAULT_DENY"]
    fake.fail_next("egress_policy")
    await cloud.egress_rules.set_traffic_policy(cluster_id, allow_all=True)
    with pytest.raises(OperationFailedError) as info:
        await cloud.egress_rules.wait_traffic_policy(cluster_id, poll=FAST, timeout=5)
    assert info.value.state == "ERROR"


async def test_client_ca_cert(fake: FakeCloud, cloud: CockroachCloud) -> None:
    cluster_id = await live(cloud)
    assert (await cloud.client_ca_certs.set(cluster_id, x509_pem_cert=PEM)).status == "PENDING"
    seen = Seen()
    info = await cloud.client_ca_certs.wait(cluster_id, poll=FAST, timeout=5, on_change=seen)
    assert info.status == "IS_SET" and seen.states == ["PENDING", "IS_SET"]
    fake.fail_next("client_ca")
    await cloud.client_ca_certs.update(cluster_id, x509_pem_cert=PEM)
    with pytest.raises(OperationFailedError) as info_failed:
        await cloud.client_ca_certs.wait(cluster_id, poll=FAST, timeout=5)
    assert info_failed.value.state == "FAILED"


# --- cancellation -------------------------------------------------------------------


async def test_cancelling_a_waiter_leaves_no_task_behind() -> None:
    with emulator_thread(rate_limit=None, timings=Timings(cluster_create=30)) as server:
        async with make_client(server) as cloud:
            cluster_id = (
                await cloud.clusters.create(name="slow-cluster", provider="GCP", spec=SERVERLESS)
            ).id
            before = asyncio.all_tasks()
            waiter = asyncio.create_task(cloud.clusters.wait(cluster_id, poll=FAST, timeout=60))
            await asyncio.sleep(0.3)  # a few polls in
            assert not waiter.done()
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
            await asyncio.sleep(0)
            assert asyncio.all_tasks() == before
            # The client still works after the cancellation.
            assert (await cloud.clusters.get(cluster_id)).state == "CREATING"


async def test_seed_clusters_are_created_at_once() -> None:
    async with FakeCloud(rate_limit=None, seed_clusters=2, timings=TIMINGS) as server:
        assert {c["state"] for c in server.clusters.all()} == {"CREATED"}
