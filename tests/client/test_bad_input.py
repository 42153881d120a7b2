"""Bad input through the SDK client: a clear error, and nothing changed on the server.

Client-side checks raise ``ValidationError`` (a ``TypeError`` and a ``ValueError``)
naming the field before any request is sent (a keyword the method does not have is
Python's own ``TypeError``); server-side checks answer ``BadRequestError`` naming the
field. Either way the emulator's state (re-read through the API) and its ``applied``
counters stay as they were.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ccloud_async import (
    BadRequestError,
    CloudError,
    CockroachCloud,
    NotFoundError,
    ValidationError,
)
from ccloud_async.testing import FakeCloud

from ..conftest import SERVERLESS, make_client

ADVANCED: dict[str, Any] = {
    "dedicated": {
        "region_nodes": {"us-central1": 3},
        "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 15},
    }
}
KEY_SPEC = {
    "type": "GCP_CLOUD_KMS",
    "uri": "projects/p/keys/k1",
    "auth_principal": "kms@example.iam.gserviceaccount.com",
}


@dataclass
class World:
    client: CockroachCloud
    fake: FakeCloud
    basic: str  # cluster ids
    advanced: str


@pytest.fixture
async def world(fake: FakeCloud) -> AsyncIterator[World]:
    """Two clusters with some state in every area the cases touch."""
    async with make_client(fake) as client:
        basic = await client.clusters.create(name="basic-bad", provider="GCP", spec=SERVERLESS)
        advanced = await client.clusters.create(name="adv-bad", provider="GCP", spec=ADVANCED)
        await client.sql_users.create(basic.id, name="app_user", password="first-pass")
        await client.cmek.enable(
            advanced.id, region_specs=[{"region": "us-central1", "key_spec": KEY_SPEC}]
        )
        await client.maintenance_windows.set(
            advanced.id, offset_duration="3600s", window_duration="30000s"
        )
        await client.backups.update_config(advanced.id, frequency_minutes=240)
        await client.folders.create(name="team-folder")
        yield World(client, fake, basic.id, advanced.id)


async def _state(w: World) -> dict[str, Any]:
    """Everything the cases could change, read back through the API."""
    c = w.client
    return {
        "clusters": [x async for x in c.clusters.list(show_inactive=True)],
        "users": [u.name async for u in c.sql_users.list(w.basic)],
        "databases": [d async for d in c.databases.list(w.basic)],
        "cmek": await c.cmek.get(w.advanced),
        "window": await c.maintenance_windows.get(w.advanced),
        "backups": await c.backups.get_config(w.advanced),
        "deferral": await c.version_deferral.get(w.advanced),
        "restores": [r async for r in c.restores.list(w.advanced)],
        "allowlist": [e async for e in c.allowlist.list(w.advanced)],
        "folders": [f async for f in c.folders.list()],
    }


Case = Callable[[World], Awaitable[Any]]

# (id, call, error type, regex the message must match)
CLIENT_SIDE: list[tuple[str, Case, type[Exception], str]] = [
    (
        # MaintenanceWindow is also a response schema (its required fields have
        # defaults for decoding); a body built from keywords must still name them.
        "maintenance window without its offset",
        lambda w: w.client.maintenance_windows.set(w.advanced, window_duration="30000s"),
        TypeError,
        "offset_duration",
    ),
    (
        "unknown keyword field",
        lambda w: w.client.sql_users.create(w.basic, name="x_user", password="pw", role="admin"),  # type: ignore[call-arg]
        TypeError,
        "role",
    ),
    (
        "unknown nested dict key",
        lambda w: w.client.cmek.update_spec(
            w.advanced,
            region_specs=[{"region": "us-central1", "key_spec": {**KEY_SPEC, "colour": "red"}}],
        ),
        TypeError,
        "colour",
    ),
    (
        "unknown key in a nested update spec",
        lambda w: w.client.clusters.update(w.advanced, dedicated={"hardware": {"cpus": 8}}),
        TypeError,
        "cpus",
    ),
    (
        "wrong nested type",
        lambda w: w.client.restores.create(w.advanced, type="DATABASE", objects=[{"database": 5}]),
        TypeError,
        r"objects\[0\]\.database",
    ),
    (
        "wrong nested type in region_nodes",
        lambda w: w.client.clusters.update(
            w.advanced, dedicated={"region_nodes": {"us-central1": "three"}}
        ),
        TypeError,
        "region_nodes",
    ),
    (
        "int64 as a non-numeric string",
        lambda w: w.client.clusters.update(
            w.basic, serverless={"usage_limits": {"request_unit_limit": "lots"}}
        ),
        ValueError,
        "request_unit_limit",
    ),
    (
        "int64 as a float",
        lambda w: w.client.clusters.update(
            w.basic, serverless={"usage_limits": {"storage_mib_limit": 1.5}}
        ),
        ValueError,
        "storage_mib_limit",
    ),
    (
        "int64 as a bool",
        lambda w: w.client.clusters.update(
            w.basic, serverless={"usage_limits": {"request_unit_limit": True}}
        ),
        ValueError,
        "request_unit_limit",
    ),
    (
        "int32 as a string",
        lambda w: w.client.backups.update_config(w.advanced, frequency_minutes="sixty"),  # type: ignore[arg-type]
        TypeError,
        "frequency_minutes",
    ),
    (
        "bool as a string",
        lambda w: w.client.backups.update_config(w.advanced, enabled="yes"),  # type: ignore[arg-type]
        TypeError,
        "enabled",
    ),
    (
        "duration as a number",
        lambda w: w.client.maintenance_windows.set(
            w.advanced,
            offset_duration=0,  # type: ignore[arg-type]
            window_duration="30000s",
        ),
        TypeError,
        "offset_duration",
    ),
    (
        "date-time as free text",
        lambda w: w.client.version_deferral.set(
            w.advanced,
            deferral_policy="FIXED_DEFERRAL",
            deferred_until="tomorrow",  # type: ignore[arg-type]
        ),
        ValueError,
        "deferred_until",
    ),
    (
        "password as a number",
        lambda w: w.client.sql_users.update_password(w.basic, "app_user", password=5),  # type: ignore[arg-type]
        TypeError,
        "password",
    ),
    (
        "labels with a non-string value",
        lambda w: w.client.clusters.update(w.basic, labels={"team": 1}),  # type: ignore[dict-item]
        TypeError,
        "labels",
    ),
    (
        "cidr_mask as a string",
        lambda w: w.client.allowlist.add(
            w.advanced,
            cidr_ip="10.0.0.0",
            cidr_mask="24",  # type: ignore[arg-type]
            sql=True,
            ui=True,
        ),
        TypeError,
        "cidr_mask",
    ),
    (
        "list given as a dict",
        lambda w: w.client.cmek.update_spec(w.advanced, region_specs={"region": "us-central1"}),  # type: ignore[arg-type]
        TypeError,
        "region_specs",
    ),
    (
        "missing required field",
        lambda w: w.client.restores.create(w.advanced, backup_id="b"),
        TypeError,
        "type",
    ),
    (
        "missing required field (folder name)",
        lambda w: w.client.folders.create(parent_id="root"),
        TypeError,
        "name",
    ),
    (
        "both body= and fields",
        lambda w: w.client.backups.update_config(
            w.advanced, body={"enabled": False}, retention_days=7
        ),
        TypeError,
        "not both",
    ),
    (
        "both body= and fields (cluster update)",
        lambda w: w.client.clusters.update(w.basic, body={"labels": {}}, plan="STANDARD"),
        TypeError,
        "not both",
    ),
    (
        "body of the wrong shape",
        lambda w: w.client.databases.create(w.basic, body={"name": 5}),
        TypeError,
        "name",
    ),
    (
        "empty path parameter (cluster)",
        lambda w: w.client.cmek.get(""),
        ValueError,
        "cluster_id",
    ),
    (
        "empty path parameter (second of two)",
        lambda w: w.client.sql_users.delete(w.basic, ""),
        ValueError,
        "name",
    ),
    (
        "empty path parameter (restore)",
        lambda w: w.client.restores.get(w.advanced, ""),
        ValueError,
        "restore_id",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "needle"),
    [pytest.param(*case[1:], id=case[0]) for case in CLIENT_SIDE],
)
async def test_client_side_errors_send_nothing(
    world: World, call: Case, error: type[Exception], needle: str
) -> None:
    before = await _state(world)
    requests, applied = world.fake.stats.requests, dict(world.fake.stats.applied)
    with pytest.raises(error, match=needle) as caught:
        await call(world)
    if "unexpected keyword argument" not in str(caught.value):
        # The SDK's own refusal, which a CLI or an app can tell from a bug of ours.
        assert isinstance(caught.value, ValidationError)
        assert isinstance(caught.value, CloudError)
        assert isinstance(caught.value, TypeError) and isinstance(caught.value, ValueError)
    assert world.fake.stats.requests == requests, "nothing may be sent"
    assert dict(world.fake.stats.applied) == applied
    assert await _state(world) == before


SERVER_SIDE: list[tuple[str, Case, str]] = [
    (
        "bad enum (plan)",
        lambda w: w.client.clusters.update(w.basic, plan="PLATINUM"),
        "plan",
    ),
    (
        "bad enum (CMEK action)",
        lambda w: w.client.cmek.update_status(w.advanced, action="DESTROY"),
        "action",
    ),
    (
        "bad enum (deferral policy)",
        lambda w: w.client.version_deferral.set(w.advanced, deferral_policy="FOREVER"),
        "deferral_policy",
    ),
    (
        "bad enum (restore type)",
        lambda w: w.client.restores.create(w.advanced, type="EVERYTHING"),
        r"\btype\b",
    ),
    (
        "bad nested enum (key type)",
        lambda w: w.client.cmek.update_spec(
            w.advanced,
            region_specs=[{"region": "us-central1", "key_spec": {**KEY_SPEC, "type": "NOPE"}}],
        ),
        r"region_specs\[0\]\.key_spec\.type",
    ),
    (
        "key of another cloud",
        lambda w: w.client.cmek.update_spec(
            w.advanced,
            region_specs=[{"region": "us-central1", "key_spec": {**KEY_SPEC, "type": "AWS_KMS"}}],
        ),
        r"key_spec\.type",
    ),
    (
        "region the cluster does not have",
        lambda w: w.client.cmek.update_spec(
            w.advanced, region_specs=[{"region": "mars-north1", "key_spec": KEY_SPEC}]
        ),
        r"region_specs\[0\]\.region",
    ),
    (
        "backup frequency not on offer",
        lambda w: w.client.backups.update_config(w.advanced, frequency_minutes=7),
        "frequency_minutes",
    ),
    (
        "backup retention not on offer",
        lambda w: w.client.backups.update_config(w.advanced, enabled=False, retention_days=3),
        "retention_days",
    ),
    (
        "too few nodes",
        lambda w: w.client.clusters.update(
            w.advanced, dedicated={"region_nodes": {"us-central1": 2}}
        ),
        "region_nodes",
    ),
    (
        "vCPU count with no machine",
        lambda w: w.client.clusters.update(
            w.advanced, dedicated={"hardware": {"machine_spec": {"num_virtual_cpus": 3}}}
        ),
        "num_virtual_cpus",
    ),
    (
        "storage shrinks",
        lambda w: w.client.clusters.update(w.advanced, dedicated={"hardware": {"storage_gib": 10}}),
        "storage_gib",
    ),
    (
        "negative int64",
        lambda w: w.client.clusters.update(
            w.basic, serverless={"usage_limits": {"request_unit_limit": -1}}
        ),
        "request_unit_limit",
    ),
    (
        "provisioned vCPUs on a BASIC cluster",
        lambda w: w.client.clusters.update(
            w.basic, serverless={"usage_limits": {"provisioned_virtual_cpus": 2}}
        ),
        "provisioned_virtual_cpus",
    ),
    (
        "maintenance window of exactly 6 hours",
        lambda w: w.client.maintenance_windows.set(
            w.advanced, offset_duration="0s", window_duration="21600s"
        ),
        "window_duration",
    ),
    (
        "maintenance window of a week",
        lambda w: w.client.maintenance_windows.set(
            w.advanced, offset_duration="0s", window_duration="604800s"
        ),
        "window_duration",
    ),
    (
        "duration that is not one",
        lambda w: w.client.maintenance_windows.set(
            w.advanced, offset_duration="monday", window_duration="30000s"
        ),
        "offset_duration",
    ),
    (
        "fixed deferral without a date",
        lambda w: w.client.version_deferral.set(w.advanced, deferral_policy="FIXED_DEFERRAL"),
        "deferred_until",
    ),
    (
        "empty password",
        lambda w: w.client.sql_users.update_password(w.basic, "app_user", password=""),
        "password",
    ),
    (
        "SQL user name with bad characters",
        lambda w: w.client.sql_users.create(w.basic, name="Bad Name!", password="pw-123456"),
        "name",
    ),
    (
        "cluster name too short",
        lambda w: w.client.clusters.create(name="abc", provider="GCP", spec=SERVERLESS),
        "name",
    ),
    (
        "unknown provider",
        lambda w: w.client.clusters.create(name="new-cluster", provider="IBM", spec=SERVERLESS),
        "provider",
    ),
]


@pytest.mark.parametrize(
    ("call", "needle"),
    [pytest.param(*case[1:], id=case[0]) for case in SERVER_SIDE],
)
async def test_server_side_errors_change_nothing(world: World, call: Case, needle: str) -> None:
    before = await _state(world)
    requests, applied = world.fake.stats.requests, dict(world.fake.stats.applied)
    with pytest.raises(BadRequestError, match=needle) as info:
        await call(world)
    assert info.value.status == 400 and info.value.code in (3, 9)
    assert world.fake.stats.requests == requests + 1, "one request, not retried"
    assert dict(world.fake.stats.applied) == applied
    assert await _state(world) == before


async def test_path_parameter_with_a_slash_stays_one_segment(world: World) -> None:
    """'/' and '..' in a path parameter name an odd resource, never another route."""
    fake, client = world.fake, world.client
    before = await _state(world)
    applied = dict(fake.stats.applied)
    route = ("PUT", "/api/v1/clusters/{cluster_id}/sql-users/{name}/password")
    # Unencoded, "x/../app_user" would resolve to app_user's password.
    with pytest.raises(NotFoundError, match="SQL user not found"):
        await client.sql_users.update_password(world.basic, "x/../app_user", password="stolen-1")
    assert fake.stats.by_route[route] == 1
    with pytest.raises(NotFoundError, match="SQL user not found"):
        await client.sql_users.delete(world.basic, "app_user/")
    with pytest.raises(NotFoundError, match="invoice not found"):
        await client.invoices.get("a/b")
    with pytest.raises(NotFoundError, match=r"^404 cluster not found"):
        await client.cmek.get(f"{world.advanced}/..")
    assert dict(fake.stats.applied) == applied
    assert await _state(world) == before
    assert "app_user" in [u.name async for u in client.sql_users.list(world.basic)]


async def test_numeric_int64_string_is_accepted(world: World) -> None:
    """Not bad input: int64 values travel as strings, so "1000" means 1000."""
    updated = await world.client.clusters.update(
        world.basic,
        serverless={"usage_limits": {"request_unit_limit": "1000"}},  # type: ignore[dict-item]
    )
    limits = updated.config.serverless.usage_limits
    assert limits.request_unit_limit == 1000 and isinstance(limits.request_unit_limit, int)


def test_needles_are_not_vacuous() -> None:
    """The regexes above must be able to fail: a needle that matches anything is a bug."""
    for case in CLIENT_SIDE:
        assert not re.search(case[3], ""), case[0]
    for case in SERVER_SIDE:
        assert not re.search(case[2], ""), case[0]
