"""The public contract of CockroachCloud against the emulator, over real HTTP."""

from __future__ import annotations

import asyncio
import socket

import pytest

from ccloud_async import (
    AuthenticationError,
    BadRequestError,
    CockroachCloud,
    ConflictError,
    MissingCredentialsError,
    NotFoundError,
    PermissionDeniedError,
)
from ccloud_async.models import Cluster
from ccloud_async.testing import FakeCloud

from ..conftest import SERVERLESS, STANDARD, make_client


async def test_crud_round_trip(client: CockroachCloud, fake: FakeCloud) -> None:
    basic = await client.clusters.create(name="basic-test", provider="GCP", spec=SERVERLESS)
    assert isinstance(basic, Cluster)
    assert basic.name == "basic-test" and basic.plan == "BASIC"
    await client.clusters.delete(basic.id)
    created = await client.clusters.create(name="standard-test", provider="GCP", spec=STANDARD)
    assert created.plan == "STANDARD"
    fetched = await client.clusters.get(created.id)
    assert fetched.id == created.id and fetched.state == "CREATED"

    updated = await client.clusters.update(
        created.id, serverless={"usage_limits": {"provisioned_virtual_cpus": 4}}
    )
    assert updated.config is not None
    limits = updated.config.serverless.usage_limits
    assert limits.provisioned_virtual_cpus == 4 and isinstance(limits.provisioned_virtual_cpus, int)

    names = [c.name async for c in client.clusters.list()]
    assert names == ["standard-test"]
    deleted = await client.clusters.delete(created.id)
    assert deleted.state == "DELETED"
    assert (await client.clusters.get(created.id)).state == "DELETED"
    assert [c.name async for c in client.clusters.list()] == []
    inactive = [c.state async for c in client.clusters.list(show_inactive=True)]
    assert inactive == ["DELETED", "DELETED"]
    assert fake.stats.applied["CockroachCloud_CreateCluster"] == 2


async def test_body_as_struct_or_dict(client: CockroachCloud) -> None:
    from ccloud_async.models import CreateClusterRequest

    body = CreateClusterRequest(name="struct-body", provider="AWS", spec=SERVERLESS)  # type: ignore[arg-type]
    assert (await client.clusters.create(body=body)).name == "struct-body"
    as_dict = {"name": "dict-body", "provider": "AZURE", "spec": SERVERLESS}
    assert (await client.clusters.create(body=as_dict)).cloud_provider == "AZURE"


async def test_list_pages_through_every_cluster(fake: FakeCloud) -> None:
    async with FakeCloud(rate_limit=None, seed_clusters=120) as seeded:
        async with make_client(seeded) as cloud:
            ids = [c.id async for c in cloud.clusters.list(limit=50)]
            pages = [len(p.items) async for p in cloud.clusters.list(limit=50).pages()]
    assert len(ids) == len(set(ids)) == 120
    assert pages == [50, 50, 20]


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"name": "Bad_Name", "provider": "GCP", "spec": SERVERLESS}, BadRequestError, "name"),
        ({"name": "abc", "provider": "GCP", "spec": SERVERLESS}, BadRequestError, "name"),
        ({"name": "good-name", "provider": "IBM", "spec": SERVERLESS}, BadRequestError, "provider"),
        (
            {
                "name": "adv-name",
                "provider": "GCP",
                "spec": {
                    "dedicated": {
                        "region_nodes": {"us-east1": 2},
                        "hardware": {
                            "machine_spec": {"num_virtual_cpus": 4},
                            "storage_gib": 15,
                        },
                    }
                },
            },
            BadRequestError,
            "3",
        ),
    ],
)
async def test_server_side_validation(
    client: CockroachCloud, fake: FakeCloud, kwargs: dict, error: type, needle: str
) -> None:
    with pytest.raises(error, match=needle) as info:
        await client.clusters.create(**kwargs)
    assert info.value.status == 400 and info.value.code == 3
    assert [c async for c in client.clusters.list(show_inactive=True)] == []


async def test_duplicate_name_conflicts(client: CockroachCloud) -> None:
    await client.clusters.create(name="twin-name", provider="GCP", spec=SERVERLESS)
    with pytest.raises(ConflictError):
        await client.clusters.create(name="twin-name", provider="GCP", spec=SERVERLESS)


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"name": "typo-test", "provider": "GCP", "spek": SERVERLESS}, TypeError, "spek"),
        (
            {"name": "typo-test", "provider": "GCP", "spec": {"serverles": {}}},
            TypeError,
            "serverles",
        ),
        ({"name": 7, "provider": "GCP", "spec": SERVERLESS}, TypeError, "name"),
        ({"name": "typo-test", "provider": "GCP"}, TypeError, "spec"),
    ],
)
async def test_bad_bodies_fail_before_sending(
    client: CockroachCloud, fake: FakeCloud, kwargs: dict, error: type, needle: str
) -> None:
    with pytest.raises(error, match=needle):
        await client.clusters.create(**kwargs)
    assert fake.stats.requests == 0


async def test_update_unknown_field_and_int64_type(client: CockroachCloud, fake: FakeCloud) -> None:
    with pytest.raises(TypeError, match="usage_limit"):
        await client.clusters.update("x", serverless={"usage_limit": {}})
    with pytest.raises((TypeError, ValueError), match="provisioned_virtual_cpus"):
        await client.clusters.update(
            "x", serverless={"usage_limits": {"provisioned_virtual_cpus": "four"}}
        )
    assert fake.stats.requests == 0


async def test_not_found_and_empty_path_parameter(client: CockroachCloud, fake: FakeCloud) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.clusters.get("0e6e3c5d-0000-0000-0000-000000000000")
    assert info.value.code == 5
    with pytest.raises(ValueError, match="cluster_id"):
        await client.clusters.get("")
    assert fake.stats.requests == 1


@pytest.mark.parametrize("escape", ["../organization", "..", "../../api/v1/organization", "."])
async def test_path_escapes_stay_in_their_segment(
    client: CockroachCloud, fake: FakeCloud, escape: str
) -> None:
    with pytest.raises(NotFoundError):
        await client.clusters.get(escape)
    # The server saw a request under /clusters/, whatever it made of the odd id.
    assert len(fake.request_log) == 1
    assert fake.request_log[-1].path.startswith("/api/v1/clusters/")


async def test_authentication_and_roles() -> None:
    keys = {"good": ["CLUSTER_ADMIN"], "billing": ["BILLING_COORDINATOR"]}
    async with FakeCloud(api_keys=keys, rate_limit=None) as server:
        async with make_client(server, api_key="wrong") as cloud:
            with pytest.raises(AuthenticationError) as info:
                await cloud.clusters.get("c")
            assert (info.value.status, info.value.code, info.value.message) == (
                401,
                16,
                "unauthenticated",
            )
        async with make_client(server, api_key="billing") as cloud:
            with pytest.raises(PermissionDeniedError) as denied:
                await cloud.clusters.create(name="no-perms", provider="GCP", spec=SERVERLESS)
            assert denied.value.code == 7
        async with make_client(server, api_key="good") as cloud:
            await cloud.clusters.create(name="has-perms", provider="GCP", spec=SERVERLESS)


async def test_api_version_header() -> None:
    async with FakeCloud(rate_limit=None) as server:
        async with make_client(server, api_version="1999-01-01") as cloud:
            with pytest.raises(BadRequestError, match="invalid Cc-Version"):
                await cloud.clusters.get("c")


async def test_jwt_auth() -> None:
    async with FakeCloud(rate_limit=None, jwts={"jwt-token": ("acme", ["CLUSTER_ADMIN"])}) as srv:
        async with CockroachCloud(
            jwt="jwt-token", vanity_name="acme", username="a@b.c", base_url=srv.url, limiter=None
        ) as cloud:
            with pytest.raises(NotFoundError):
                await cloud.clusters.get("c")
        async with CockroachCloud(
            jwt="jwt-token", vanity_name="other", base_url=srv.url, limiter=None
        ) as cloud:
            with pytest.raises(AuthenticationError):
                await cloud.clusters.get("c")


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COCKROACH_API_KEY", raising=False)
    monkeypatch.delenv("COCKROACH_API_JWT", raising=False)
    with pytest.raises(MissingCredentialsError, match="COCKROACH_API_KEY"):
        CockroachCloud()


def test_client_built_outside_a_loop_then_used_in_one() -> None:
    """Module-level construction (FastAPI style): no loop needed, no warning after use."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cloud = CockroachCloud(api_key="test-key", base_url=f"http://127.0.0.1:{port}", limiter=None)

    async def serve_and_use() -> str:
        async with FakeCloud(port=port, rate_limit=None), cloud:
            created = await cloud.clusters.create(
                name="outside-loop", provider="GCP", spec=SERVERLESS
            )
            return created.name

    assert asyncio.run(serve_and_use()) == "outside-loop"
    assert cloud.closed


async def test_module_level_client_uses_the_running_loop(fake: FakeCloud) -> None:
    cloud = make_client(fake)  # constructed without async with
    try:
        assert (await cloud.clusters.create(name="lazy-open", provider="GCP", spec=SERVERLESS)).id
    finally:
        await cloud.aclose()
    await cloud.aclose()  # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        await cloud.clusters.get("x")


@pytest.mark.parametrize(
    ("timeout", "error", "needle"),
    [
        (0, ValueError, "> 0 seconds, got 0"),
        (-1.5, ValueError, "> 0 seconds, got -1.5"),
        (float("nan"), ValueError, "> 0 seconds, got nan"),
        ("5", TypeError, "number of seconds, got str"),
        (True, TypeError, "number of seconds, got bool"),
    ],
)
async def test_bad_timeouts_are_refused_before_sending(
    client: CockroachCloud, fake: FakeCloud, timeout: object, error: type, needle: str
) -> None:
    with pytest.raises(error, match=needle):
        CockroachCloud(api_key="k" * 20, base_url=fake.url, timeout=timeout)  # type: ignore[arg-type]
    with pytest.raises(error, match=needle):
        await client.clusters.get("any-cluster", timeout=timeout)  # type: ignore[arg-type]
    assert fake.stats.requests == 0


async def test_infinite_timeout_means_no_deadline(client: CockroachCloud, fake: FakeCloud) -> None:
    created = await client.clusters.create(name="no-deadline", provider="GCP", spec=SERVERLESS)
    fetched = await client.clusters.get(created.id, timeout=float("inf"))
    assert fetched.id == created.id
