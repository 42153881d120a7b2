"""The emulator's cluster sub-resource areas, over real HTTP with plain aiohttp.

Every 200 response is validated against its operation's response schema in the
snapshot, so each round trip below also checks wire shapes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from ccloud_async.testing import FakeCloud
from ccloud_async.testing.spec import load_spec

from ..support.emulator_client import CLUSTERS as C
from ..support.emulator_client import AreaApi

PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"


class Api(AreaApi):
    def check_ok(self, body: Any) -> None:
        if body:
            assert "password" not in str(body)

    async def cluster(self, dedicated: bool = True, name: str = "area-test") -> str:
        regions = ["us-east-1", "us-west-2"] if dedicated else ["us-east-1"]
        return await self.create_cluster(name, dedicated, regions)


@pytest.fixture
async def fake() -> AsyncIterator[FakeCloud]:
    async with FakeCloud(rate_limit=None) as f:
        yield f


@pytest.fixture
async def api(fake: FakeCloud) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as s:
        yield Api(s, fake)


async def test_every_cluster_operation_has_a_handler(fake: FakeCloud) -> None:
    missing = [
        op["operationId"]
        for path, ops in load_spec()["paths"].items()
        if path.startswith(C)
        for op in ops.values()
        if isinstance(op, dict) and op["operationId"] not in fake.handlers
    ]
    assert missing == []


async def test_sql_users(api: Api, fake: FakeCloud) -> None:
    cid = await api.cluster()
    users = f"{C}/{cid}/sql-users"
    assert await api.ok("POST", users, {"name": "alice", "password": "s3cret-pass"}) == {
        "name": "alice"
    }
    await api.ok("POST", users, {"name": "bob", "password": "another-pass"})
    await api.fails("POST", users, {"name": "alice", "password": "x"}, 409, 6)
    await api.fails("POST", users, {"name": "carol"}, 400, 3, "password")
    await api.fails("POST", users, {"name": "carol", "password": 5}, 400, 3, "password")
    await api.fails("POST", users, {"name": "carol", "password": "p", "x": 1}, 400, 3, "x")
    first = await api.ok("GET", users, **{"pagination.limit": "1"})
    assert [u["name"] for u in first["users"]] == ["alice"]
    rest = await api.ok("GET", users, **{"pagination.page": first["pagination"]["next_page"]})
    assert [u["name"] for u in rest["users"]] == ["bob"]
    await api.ok("PUT", f"{users}/bob/password", {"password": "rotated-pass"})
    await api.fails("PUT", f"{users}/nobody/password", {"password": "p"}, 404, 5)
    assert await api.ok("DELETE", f"{users}/bob") == {"name": "bob"}
    listed = await api.ok("GET", users)
    assert [u["name"] for u in listed["users"]] == ["alice"]
    assert fake.stats.applied["CockroachCloud_CreateSQLUser"] == 2
    await api.fails("GET", f"{C}/00000000-0000-0000-0000-000000000000/sql-users", None, 404, 5)


async def test_deleted_cluster_reads_work_and_mutations_fail(api: Api) -> None:
    cid = await api.cluster()
    await api.ok("POST", f"{C}/{cid}/databases", {"name": "shop"})
    await api.ok("DELETE", f"{C}/{cid}")
    listed = await api.ok("GET", f"{C}/{cid}/databases")
    assert "shop" in [d["name"] for d in listed["databases"]]
    await api.fails("POST", f"{C}/{cid}/databases", {"name": "more"}, 400, 9)
    await api.fails("DELETE", f"{C}/{cid}/databases/shop", None, 400, 9)


async def test_databases(api: Api) -> None:
    cid = await api.cluster()
    dbs = f"{C}/{cid}/databases"
    assert await api.ok("POST", dbs, {"name": "shop"}) == {"name": "shop", "table_count": "0"}
    await api.fails("POST", dbs, {"name": 7}, 400, 3, "name")
    await api.fails("POST", dbs, {}, 400, 3, "name")
    await api.ok("PATCH", f"{dbs}/shop", {"new_name": "store"})
    await api.ok("PATCH", dbs, {"name": "store", "new_name": "outlet"})
    await api.fails("PATCH", f"{dbs}/ghost", {"new_name": "x1"}, 404, 5)
    names = [d["name"] for d in (await api.ok("GET", dbs))["databases"]]
    assert names == ["defaultdb", "outlet", "postgres"]
    await api.ok("DELETE", f"{dbs}/outlet")
    await api.fails("DELETE", f"{dbs}/outlet", None, 404, 5)


async def test_backups_and_restores(api: Api) -> None:
    cid = await api.cluster()
    config = await api.ok("GET", f"{C}/{cid}/backups-config")
    assert config == {"enabled": True, "frequency_minutes": 60, "retention_days": 30}
    await api.fails("PATCH", f"{C}/{cid}/backups-config", {"retention_days": "x"}, 400, 3)
    await api.fails(
        "PATCH", f"{C}/{cid}/backups-config", {"frequency_minutes": 7}, 400, 3, "frequency"
    )
    updated = await api.ok("PATCH", f"{C}/{cid}/backups-config", {"retention_days": 7})
    assert updated["retention_days"] == 7
    backups = (await api.ok("GET", f"{C}/{cid}/backups"))["backups"]
    assert len(backups) == 1
    restores = f"{C}/{cid}/restores"
    await api.fails("POST", restores, {"type": "SOMETHING"}, 400, 3, "type")
    await api.fails("POST", restores, {"type": "DATABASE"}, 400, 3, "objects")
    restore = await api.ok(
        "POST", restores, {"type": "DATABASE", "objects": [{"database": "defaultdb"}]}
    )
    assert restore["backup_id"] == backups[0]["id"]
    assert restore["status"] == "SUCCESS"
    assert await api.ok("GET", f"{restores}/{restore['id']}") == restore
    assert (await api.ok("GET", restores))["restores"] == [restore]
    await api.fails("GET", f"{restores}/nope", None, 404, 5)


async def test_nodes_and_connection_string(api: Api) -> None:
    cid = await api.cluster()
    nodes = (await api.ok("GET", f"{C}/{cid}/nodes"))["nodes"]
    assert len(nodes) == 6 and {n["status"] for n in nodes} == {"LIVE"}
    west = await api.ok("GET", f"{C}/{cid}/nodes", region_name="us-west-2")
    assert {n["region_name"] for n in west["nodes"]} == {"us-west-2"}
    conn = await api.ok("GET", f"{C}/{cid}/connection-string", sql_user="alice")
    assert conn["connection_string"].startswith("postgresql://alice@")
    assert conn["params"]["Port"] == "26257"


async def test_cmek(api: Api) -> None:
    cid = await api.cluster()
    cmek = f"{C}/{cid}/cmek"
    await api.fails("GET", cmek, None, 404, 5)
    key = {"type": "AWS_KMS", "uri": "arn:aws:kms:us-east-1:1:key/k", "auth_principal": "arn:r"}
    await api.fails(
        "POST",
        cmek,
        {"region_specs": [{"region": "us-east-1", "key_spec": {**key, "type": "BAD"}}]},
        400,
        3,
        "region_specs[0].key_spec.type",
    )
    await api.fails("GET", cmek, None, 404, 5)
    info = await api.ok("POST", cmek, {"region_specs": [{"region": "us-east-1", "key_spec": key}]})
    assert info["status"] == "ENABLED"
    rotated = await api.ok(
        "PUT", cmek, {"region_specs": [{"region": "us-east-1", "key_spec": key}]}
    )
    assert [k["status"] for k in rotated["region_infos"][0]["key_infos"]] == ["DISABLED", "ENABLED"]
    revoked = await api.ok("PATCH", cmek, {"action": "REVOKE"})
    assert revoked["status"] == "REVOKED"
    assert (await api.ok("GET", cmek))["status"] == "REVOKED"


async def test_allowlist(api: Api, fake: FakeCloud) -> None:
    cid = await api.cluster()
    al = f"{C}/{cid}/networking/allowlist"
    entry = {"cidr_ip": "10.0.0.0", "cidr_mask": 8, "ui": True, "sql": False, "name": "office"}
    assert await api.ok("POST", al, entry) == entry
    await api.fails("POST", al, entry, 409, 6)
    await api.fails("POST", al, {**entry, "cidr_ip": "1.2.3.4", "ui": "yes"}, 400, 3, "ui")
    await api.fails("POST", al, {**entry, "cidr_ip": "1.2.3.4", "cidr_mask": 40}, 400, 3, "mask")
    await api.ok("PUT", f"{al}/192.168.1.0/24", {"ui": False, "sql": True})
    updated = await api.ok("PATCH", f"{al}/10.0.0.0/8", {"ui": False, "sql": True})
    assert updated["sql"] is True
    listed = await api.ok("GET", al)
    assert [e["cidr_ip"] for e in listed["allowlist"]] == ["10.0.0.0", "192.168.1.0"]
    await api.ok("DELETE", f"{al}/10.0.0.0/8")
    await api.fails("DELETE", f"{al}/10.0.0.0/8", None, 404, 5)
    assert fake.stats.applied["CockroachCloud_AddAllowlistEntry"] == 1


async def test_client_ca_cert(api: Api) -> None:
    cid = await api.cluster()
    ca = f"{C}/{cid}/client-ca-cert"
    assert await api.ok("GET", ca) == {"status": "NOT_SET"}
    await api.fails("POST", ca, {"x509_pem_cert": "nope"}, 400, 3, "x509_pem_cert")
    assert (await api.ok("POST", ca, {"x509_pem_cert": PEM}))["status"] == "IS_SET"
    await api.ok("PATCH", ca, {"x509_pem_cert": PEM})
    assert (await api.ok("DELETE", ca))["status"] == "NOT_SET"


async def test_private_endpoints(api: Api) -> None:
    cid = await api.cluster()
    net = f"{C}/{cid}/networking"
    await api.fails(
        "POST", f"{net}/private-endpoint-connections", {"endpoint_id": "vpce-1"}, 400, 9
    )
    services = await api.ok("POST", f"{net}/private-endpoint-services")
    assert {s["region_name"] for s in services["services"]} == {"us-east-1", "us-west-2"}
    await api.ok("POST", f"{net}/private-endpoint-connections", {"endpoint_id": "vpce-1"})
    await api.fails("POST", f"{net}/private-endpoint-connections", {"endpoint": "x"}, 400, 3)
    aws = await api.ok("GET", f"{net}/aws-endpoint-connections")
    assert aws["connections"][0]["status"] == "AVAILABLE"
    await api.ok("PATCH", f"{net}/aws-endpoint-connections/vpce-1", {"status": "REJECTED"})
    conns = await api.ok("GET", f"{net}/private-endpoint-connections")
    assert conns["connections"][0]["status"] == "STATUS_REJECTED"
    await api.ok("DELETE", f"{net}/private-endpoint-connections/vpce-1")
    owners = f"{net}/private-endpoint-trusted-owners"
    await api.fails("POST", owners, {"type": "AWS_ACCOUNT_ID", "external_owner_id": "12"}, 400, 3)
    owner = await api.ok(
        "POST", owners, {"type": "AWS_ACCOUNT_ID", "external_owner_id": "123456789012"}
    )
    oid = owner["trusted_owner"]["id"]
    assert await api.ok("GET", f"{owners}/{oid}") == owner
    await api.ok("DELETE", f"{owners}/{oid}")
    assert await api.ok("GET", owners) == {"trusted_owners": []}


async def test_egress(api: Api, fake: FakeCloud) -> None:
    cid = await api.cluster()
    net = f"{C}/{cid}/networking"
    await api.ok("POST", f"{net}/egress-rules/egress-traffic-policy", {"allow_all": False})
    assert fake.clusters.get(cid)["egress_traffic_policy"] == "DEFAULT_DENY"  # type: ignore[index]
    rule = {
        "name": "kafka",
        "type": "FQDN",
        "destination": "kafka.example.com",
        "description": "sink",
        "ports": [9092],
    }
    await api.fails("POST", f"{net}/egress-rules", {**rule, "ports": ["x"]}, 400, 3, "ports[0]")
    created = (await api.ok("POST", f"{net}/egress-rules", rule))["rule"]
    rid = created["id"]
    edited = await api.ok("PATCH", f"{net}/egress-rules/{rid}", {"ports": [9093]})
    assert edited["rule"]["ports"] == [9093]
    assert (await api.ok("GET", f"{net}/egress-rules/{rid}"))["rule"]["ports"] == [9093]
    assert len((await api.ok("GET", f"{net}/egress-rules"))["rules"]) == 1
    await api.ok("DELETE", f"{net}/egress-rules/{rid}")
    await api.fails("GET", f"{net}/egress-rules/{rid}", None, 404, 5)

    eps = f"{net}/egress-private-endpoints"
    body = {
        "region": "us-east-1",
        "target_service_identifier": "com.amazonaws.vpce.svc-1",
        "target_service_type": "PRIVATE_SERVICE",
    }
    await api.fails(
        "POST", eps, {**body, "target_service_type": "NOPE"}, 400, 3, "target_service_type"
    )
    ep = await api.ok("POST", eps, body)
    updated = await api.ok("PATCH", f"{eps}/{ep['id']}", {"domain_names": ["db.example.com"]})
    assert updated["domain_names_state"] == "AVAILABLE"
    assert (await api.ok("GET", eps))["egress_private_endpoints"] == [updated]
    await api.ok("DELETE", f"{eps}/{ep['id']}")
    await api.fails("GET", f"{eps}/{ep['id']}", None, 404, 5)


async def test_exports(api: Api) -> None:
    cid = await api.cluster()
    log = f"{C}/{cid}/logexport"
    await api.fails("GET", log, None, 404, 5)
    await api.fails(
        "POST", log, {"type": "AWS_CLOUDWATCH", "log_name": "x"}, 400, 3, "auth_principal"
    )
    enabled = await api.ok(
        "POST",
        log,
        {"type": "AWS_CLOUDWATCH", "log_name": "crdb", "auth_principal": "arn:aws:iam::1:role/r"},
    )
    assert enabled["status"] == "ENABLED"
    assert (await api.ok("DELETE", log))["status"] == "DISABLED"
    me = f"{C}/{cid}/metricexport"
    await api.fails("POST", f"{me}/datadog", {"site": "MARS", "api_key": "k"}, 400, 3, "site")
    dd = await api.ok("POST", f"{me}/datadog", {"site": "US1", "api_key": "abcdef123456"})
    assert dd["api_key"].endswith("3456") and "abcdef" not in dd["api_key"]
    await api.ok("POST", f"{me}/cloudwatch", {"role_arn": "arn:aws:iam::123:role/m"})
    prom = await api.ok("POST", f"{me}/prometheus")
    assert set(prom["targets"]) == {"us-east-1", "us-west-2"}
    assert (await api.ok("GET", f"{me}/cloudwatch"))["status"] == "ENABLED"
    assert (await api.ok("DELETE", f"{me}/datadog"))["status"] == "NOT_DEPLOYED"
    await api.fails("GET", f"{me}/datadog", None, 404, 5)


async def test_windows_deferral_disruption(api: Api) -> None:
    cid = await api.cluster()
    mw = f"{C}/{cid}/maintenance-window"
    await api.fails(
        "PUT", mw, {"offset_duration": "0s", "window_duration": "3600s"}, 400, 3, "window_duration"
    )
    await api.fails(
        "PUT",
        mw,
        {"offset_duration": "0s", "window_duration": "604800s"},
        400,
        3,
        "window_duration",
    )
    await api.fails("GET", mw, None, 404, 5)
    window = {"offset_duration": "3600s", "window_duration": "28800s"}
    assert await api.ok("PUT", mw, window) == window
    assert await api.ok("DELETE", mw) == window

    bw = f"{C}/{cid}/blackout-windows"
    times = {"start_time": "2030-01-01T00:00:00Z", "end_time": "2030-01-03T00:00:00Z"}
    await api.fails("POST", bw, {**times, "end_time": "tomorrow"}, 400, 3, "end_time")
    created = await api.ok("POST", bw, times)
    moved = await api.ok("PATCH", f"{bw}/{created['id']}", {"end_time": "2030-01-05T00:00:00Z"})
    assert moved["end_time"].startswith("2030-01-05T00:00:00")
    assert (await api.ok("GET", bw))["blackout_windows"] == [moved]
    await api.ok("DELETE", f"{bw}/{created['id']}")
    basic = await api.cluster(dedicated=False, name="basic-one")
    await api.fails("POST", f"{C}/{basic}/blackout-windows", times, 400, 9, "ADVANCED")

    vd = f"{C}/{cid}/version-deferral"
    assert await api.ok("GET", vd) == {"deferral_policy": "NOT_DEFERRED"}
    await api.fails("PUT", vd, {"deferral_policy": "FOREVER"}, 400, 3, "deferral_policy")
    await api.ok("PUT", vd, {"deferral_policy": "DEFERRAL_30_DAYS"})
    assert (await api.ok("GET", vd))["deferral_policy"] == "DEFERRAL_30_DAYS"

    dis = f"{C}/{cid}/disrupt"
    spec = {
        "regional_disruptor_specifications": [{"region_code": "us-east-1", "is_whole_region": True}]
    }
    await api.ok("PUT", dis, spec)
    got = await api.ok("GET", dis)
    assert got["regional_disruptor_specifications"][0]["region_code"] == "us-east-1"


async def test_catalogues(api: Api, fake: FakeCloud) -> None:
    regions = await api.ok("GET", f"{C}/available-regions", provider="GCP")
    assert {r["provider"] for r in regions["regions"]} == {"GCP"}
    versions = await api.ok("GET", "/api/v1/cluster-versions")
    assert "v24.3" in [v["version"] for v in versions["versions"]]
