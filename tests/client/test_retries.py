"""The retry matrix: which failures are re-sent for which method, counted on the server."""

from __future__ import annotations

import pytest

from ccloud_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    CockroachCloud,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
)
from ccloud_async._http.messages import CallOptions, build_request
from ccloud_async.limiters import PauseOnlyLimiter
from ccloud_async.operations import is_resend_safe
from ccloud_async.testing import FakeCloud, Fault

from ..conftest import SERVERLESS, make_client

FAULTS = ["500", "502", "503", "504", "reset", "timeout"]


def fault_for(kind: str, method: str, path: str) -> Fault:
    if kind == "reset":
        return Fault("reset", method=method, path=path, times=1)
    if kind == "timeout":
        return Fault("delay", method=method, path=path, times=1, delay=1.0)
    return Fault("status", status=int(kind), method=method, path=path, times=1)


def sent(fake: FakeCloud, method: str) -> int:
    return sum(1 for r in fake.request_log if r.method == method)


async def call(cloud: CockroachCloud, method: str, cluster_id: str) -> object:
    if method == "GET":
        return await cloud.clusters.get(cluster_id, timeout=0.3)
    if method == "DELETE":
        return await cloud.clusters.delete(cluster_id, timeout=0.3)
    if method == "PATCH":
        return await cloud.clusters.update(cluster_id, labels={"team": "a"}, timeout=0.3)
    if method == "POST":
        return await cloud.clusters.create(
            name="post-target", provider="GCP", spec=SERVERLESS, timeout=0.3
        )
    # No cluster operation uses PUT: exercise the transport with a PUT the emulator
    # answers 405 once the fault has passed.
    request = build_request(
        "PUT",
        "/api/v1/clusters/{cluster_id}",
        path_params={"cluster_id": cluster_id},
        resend_safe=is_resend_safe("PUT", ()),
        options=CallOptions(timeout=0.3),
    )
    return await cloud._engine.send(request)


@pytest.mark.parametrize("kind", FAULTS)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_idempotent_methods_are_retried(
    fake: FakeCloud, client: CockroachCloud, method: str, kind: str
) -> None:
    created = await client.clusters.create(name="retry-target", provider="GCP", spec=SERVERLESS)
    fake.reset_stats()
    fake.faults.add(fault_for(kind, method, "/api/v1/clusters/"))
    if method == "PUT":
        with pytest.raises(APIStatusError) as info:
            await call(client, method, created.id)
        assert info.value.status == 405  # the retry got through, to a route without PUT
    else:
        result = await call(client, method, created.id)
        assert getattr(result, "id", None) == created.id
    assert sent(fake, method) == 2


@pytest.mark.parametrize("kind", FAULTS)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_post_and_patch_are_never_sent_twice(
    fake: FakeCloud, client: CockroachCloud, method: str, kind: str
) -> None:
    created = await client.clusters.create(name="retry-target", provider="GCP", spec=SERVERLESS)
    fake.reset_stats()
    fake.faults.add(fault_for(kind, method, "/api/v1/clusters"))
    expected = {"reset": APIConnectionError, "timeout": APITimeoutError}.get(kind, ServerError)
    with pytest.raises(expected):
        await call(client, method, created.id)
    assert sent(fake, method) == 1


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_response_lost_after_the_server_acted_is_not_resent(
    fake: FakeCloud, client: CockroachCloud, method: str
) -> None:
    created = await client.clusters.create(name="retry-target", provider="GCP", spec=SERVERLESS)
    fake.reset_stats()
    fake.faults.add(Fault("reset", method=method, path="/api/v1/clusters", after_apply=True))
    with pytest.raises(APIConnectionError):
        await call(client, method, created.id)
    assert sent(fake, method) == 1
    assert sum(fake.stats.applied.values()) == 1


async def test_opt_in_resends_post(fake: FakeCloud) -> None:
    async with make_client(
        fake, retry_policy=RetryPolicy(backoff_initial=0.01, retry_unsafe=True)
    ) as cloud:
        fake.faults.add(Fault("status", status=503, method="POST", path="/api/v1/clusters"))
        created = await cloud.clusters.create(name="opted-in", provider="GCP", spec=SERVERLESS)
    assert created.name == "opted-in"
    assert sent(fake, "POST") == 2


async def test_429_is_retried_for_post_because_it_was_not_processed(
    fake: FakeCloud, client: CockroachCloud
) -> None:
    fake.faults.add(Fault("status", status=429, method="POST", path="/api/v1/clusters"))
    created = await client.clusters.create(name="after-429", provider="GCP", spec=SERVERLESS)
    assert created.name == "after-429"
    assert sent(fake, "POST") == 2
    assert fake.stats.applied["CockroachCloud_CreateCluster"] == 1


async def test_max_retries_per_client_and_per_call(fake: FakeCloud) -> None:
    async with make_client(fake) as cloud:
        fake.faults.add(Fault("status", status=503, method="GET", times=None))
        with pytest.raises(ServerError):
            await cloud.clusters.get("any")
        assert sent(fake, "GET") == 4  # 1 + max_retries (3)
        fake.reset_stats()
        with pytest.raises(ServerError):
            await cloud.clusters.get("any", max_retries=0)
        assert sent(fake, "GET") == 1


@pytest.mark.parametrize("kind", ["html", "empty", "null"])
async def test_odd_error_bodies_are_typed(
    fake: FakeCloud, client: CockroachCloud, kind: str
) -> None:
    fake.faults.add(Fault(kind, status=502, method="GET", times=None))
    with pytest.raises(ServerError) as info:
        await client.clusters.get("any", max_retries=0)
    assert info.value.status == 502
    assert kind.replace("empty", "empty body").replace("null", "null body") in str(info.value) or (
        kind == "html" and "HTML" in str(info.value)
    )


async def test_retry_after_beyond_the_cap_raises(fake: FakeCloud) -> None:
    async with FakeCloud(rate_limit=1, rate_window=120.0) as slow:
        async with make_client(slow, max_retry_after=5.0, retry_policy=None) as cloud:
            with pytest.raises(NotFoundError):
                await cloud.clusters.get("a")
            with pytest.raises(RateLimitedError) as info:
                await cloud.clusters.get("b")
    assert info.value.retry_after is not None and info.value.retry_after > 5.0
    assert slow.stats.rate_limited == 1


class CountingLimiter(PauseOnlyLimiter):
    def __init__(self) -> None:
        super().__init__()
        self.acquired = 0

    async def acquire(self) -> None:
        await super().acquire()
        self.acquired += 1


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_every_wire_attempt_passes_the_limiter(fake: FakeCloud, method: str) -> None:
    """aiohttp silently re-sends idempotent requests after a reset; those count too."""
    limiter = CountingLimiter()
    async with make_client(fake, limiter=limiter) as cloud:
        created = await cloud.clusters.create(name="gated-one", provider="GCP", spec=SERVERLESS)
        fake.reset_stats()
        limiter.acquired = 0
        fake.faults.add(Fault("reset", method=method, times=None))
        with pytest.raises(APIConnectionError):
            await call(cloud, method, created.id)
    assert sent(fake, method) >= 4  # 1 + max_retries at least
    assert limiter.acquired == sent(fake, method) == fake.stats.requests


async def test_locked_cluster_fails_at_once_unless_asked_to_wait(fake: FakeCloud) -> None:
    async with make_client(fake) as cloud:
        created = await cloud.clusters.create(name="lock-target", provider="GCP", spec=SERVERLESS)
        fake.reset_stats()
        fake.faults.add(
            Fault("status", status=400, method="PATCH", message="cluster is locked", times=1)
        )
        with pytest.raises(BadRequestError, match="locked"):
            await cloud.clusters.update(created.id, labels={"a": "b"})
        assert sent(fake, "PATCH") == 1

        fake.reset_stats()
        fake.faults.add(
            Fault("status", status=400, method="PATCH", message="cluster is locked", times=1)
        )
        patient = cloud.with_options(lock_wait=30)
        updated = await patient.clusters.update(created.id, labels={"a": "b"})
        assert updated.labels == {"a": "b"}
        assert sent(fake, "PATCH") == 2
        assert fake.stats.applied["CockroachCloud_UpdateCluster"] == 1
        await patient.aclose()  # a view: the session stays open
        assert not cloud.closed
        assert (await cloud.clusters.get(created.id)).id == created.id


async def test_lock_wait_gives_up_when_the_time_is_spent(fake: FakeCloud) -> None:
    async with make_client(fake, retry_policy=RetryPolicy(lock_wait=0.5)) as cloud:
        created = await cloud.clusters.create(name="lock-forever", provider="GCP", spec=SERVERLESS)
        fake.reset_stats()
        fake.faults.add(Fault("status", status=503, method="PATCH", times=None))
        with pytest.raises(ServerError):
            await cloud.clusters.update(created.id, labels={"a": "b"})
        assert sent(fake, "PATCH") == 2  # tried, waited 0.5 s (the rest of lock_wait), tried
        assert fake.stats.applied["CockroachCloud_UpdateCluster"] == 0


async def test_egress_rule_mutations_carry_one_idempotency_key_across_retries(
    fake: FakeCloud,
) -> None:
    async with make_client(fake) as cloud:
        cluster = await cloud.clusters.create(
            name="egress-keyed",
            provider="GCP",
            spec={
                "dedicated": {
                    "region_nodes": {"us-east1": 3},
                    "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 15},
                }
            },
        )
        fake.reset_stats()
        # The first answer is lost after the server added the rule: the SDK re-sends the
        # POST with the same key, and the server answers with the rule it already made.
        fake.faults.add(Fault("reset", method="POST", path="egress-rules$", after_apply=True))
        added = await cloud.egress_rules.add(
            cluster.id,
            name="to-s3",
            type="FQDN",
            destination="s3.amazonaws.com",
            ports=[443],
            description="backups",
        )
        assert sent(fake, "POST") == 2
        assert fake.stats.applied["CockroachCloud_AddEgressRule"] == 1
        rules = [r async for r in cloud.egress_rules.list(cluster.id)]
        assert [r.name for r in rules] == ["to-s3"]
        assert added.rule is not None and added.rule.name == "to-s3"
