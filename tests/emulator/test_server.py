"""The emulator (ccloud_async.testing), exercised over real HTTP with plain aiohttp."""

from __future__ import annotations

import asyncio
import copy
import email.utils
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

import ccloud_async.testing as testing_pkg
from ccloud_async.testing import ALL_ROLES, FakeCloud, Fault
from ccloud_async.testing import pytest_plugin as plugin
from ccloud_async.testing.ratelimit import SlidingWindowLimiter
from ccloud_async.testing.spec import load_spec
from ccloud_async.testing.stats import max_in_window

# The plugin's fixtures, reachable even where the package is not installed (so its
# pytest11 entry point is not loaded); pytest registers them under their own names.
_plugin_fake_cloud = plugin.fake_cloud
_plugin_cloud = plugin.cloud

KEY = "test-key"
REPO_ROOT = Path(testing_pkg.__file__).resolve().parents[2]
CLUSTERS = "/api/v1/clusters"
UNAUTHENTICATED = {"code": 16, "message": "unauthenticated", "details": []}


def serverless(name: str = "my-cluster") -> dict[str, Any]:
    return {"name": name, "provider": "GCP", "spec": {"serverless": {"regions": ["us-central1"]}}}


def dedicated(name: str = "big-cluster", nodes: int = 3) -> dict[str, Any]:
    return {
        "name": name,
        "provider": "AWS",
        "spec": {
            "dedicated": {
                "region_nodes": {"us-east-1": nodes},
                "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 150},
            }
        },
    }


class Api:
    """A thin helper: one aiohttp session, JSON in and out, status kept."""

    def __init__(self, session: aiohttp.ClientSession, fake: FakeCloud) -> None:
        self.session = session
        self.fake = fake

    async def __call__(
        self,
        method: str,
        path: str,
        *,
        key: str | None = KEY,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any, aiohttp.typedefs.LooseHeaders]:
        hdrs = dict(headers or {})
        if key is not None:
            hdrs["Authorization"] = f"Bearer {key}"
        async with self.session.request(
            method, self.fake.url + path, json=json, data=data, headers=hdrs, params=params
        ) as resp:
            raw = await resp.read()
            body = await resp.json(content_type=None) if raw else None
            return resp.status, body, resp.headers

    async def create(self, body: dict[str, Any], **kw: Any) -> tuple[int, Any]:
        status, data, _ = await self("POST", CLUSTERS, json=body, **kw)
        return status, data

    async def names(self, **params: str) -> list[str]:
        status, data, _ = await self("GET", CLUSTERS, params=params)
        assert status == 200, data
        return [c["name"] for c in data["clusters"]]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
async def fake() -> AsyncIterator[FakeCloud]:
    async with FakeCloud(rate_limit=None) as f:
        yield f


@pytest.fixture
def api(session: aiohttp.ClientSession, fake: FakeCloud) -> Api:
    return Api(session, fake)


# --- auth, roles, versions -----------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {KEY}"}],
    ids=["missing", "unknown", "wrong-scheme"],
)
async def test_unauthenticated_is_401_with_exact_body(
    api: Api, fake: FakeCloud, headers: dict[str, str]
) -> None:
    status, body, hdrs = await api("GET", CLUSTERS, key=None, headers=headers)
    assert status == 401
    assert body == UNAUTHENTICATED
    assert hdrs["Content-Type"].startswith("application/json")
    assert fake.stats.requests == 1 and fake.stats.admitted == 0
    assert fake.request_log[0].key is None and fake.request_log[0].status == 401


async def test_role_not_allowed_is_403(api: Api, fake: FakeCloud) -> None:
    fake.add_api_key("billing", ["BILLING_COORDINATOR"])
    status, body = await api.create(serverless(), key="billing")
    assert status == 403
    assert body["code"] == 7
    assert body["message"].startswith("permission denied")
    assert "CockroachCloud_CreateCluster" in body["message"]
    assert len(fake.clusters) == 0 and not fake.stats.applied
    # The spec grants ListClusters to neither billing role.
    assert (await api("GET", CLUSTERS, key="billing"))[0] == 403


async def test_roles_follow_the_snapshot(api: Api, fake: FakeCloud) -> None:
    fake.add_api_key("org-admin", "ORG_ADMIN")
    fake.add_api_key("creator", ["CLUSTER_CREATOR"])
    fake.add_api_key("member", ["ORG_MEMBER"])
    # CreateCluster lists CLUSTER_ADMIN and CLUSTER_CREATOR only.
    assert (await api.create(serverless(), key="org-admin"))[0] == 403
    assert (await api.create(serverless(), key="creator"))[0] == 200
    # "*" lets any member in; the role check comes before the handler lookup, so an
    # operation without a handler is 501, not 403.
    assert (await api("GET", "/api/v1/cluster-versions", key="member"))[0] == 200
    fake.handlers.pop("CockroachCloud_ListMajorClusterVersions")
    status, body, _ = await api("GET", "/api/v1/cluster-versions", key="member")
    assert (status, body["code"]) == (501, 12)
    assert "CockroachCloud_ListMajorClusterVersions" in body["message"]
    # x-roles [] means ORG_ADMIN only.
    assert (await api("GET", "/api/v1/roles/u1", key="creator"))[0] == 403
    assert (await api("GET", "/api/v1/roles/u1", key="org-admin"))[0] == 404  # no such user
    assert {"ORG_ADMIN", "CLUSTER_ADMIN", "BILLING_COORDINATOR", "ORG_MEMBER"} <= ALL_ROLES
    assert "*" not in ALL_ROLES
    with pytest.raises(ValueError, match="NOT_A_ROLE"):
        fake.add_api_key("typo", ["NOT_A_ROLE"])


async def test_jwt_needs_matching_vanity_name(session: aiohttp.ClientSession) -> None:
    async with FakeCloud(rate_limit=None, jwts={"jwt-1": ("acme", ALL_ROLES)}) as fake:
        api = Api(session, fake)
        ok = {"Cc-Vanity-Name": "acme", "Cc-Username": "ann@example.com"}
        assert (await api("GET", CLUSTERS, key="jwt-1", headers=ok))[0] == 200
        status, body, _ = await api("GET", CLUSTERS, key="jwt-1")
        assert (status, body) == (401, UNAUTHENTICATED)
        wrong = {"Cc-Vanity-Name": "other"}
        assert (await api("GET", CLUSTERS, key="jwt-1", headers=wrong))[0] == 401


async def test_cc_version(api: Api, fake: FakeCloud) -> None:
    status, body, _ = await api("GET", CLUSTERS, headers={"Cc-Version": "2021-01-01"})
    assert status == 400
    assert body == {"code": 3, "message": "invalid Cc-Version", "details": []}
    assert (await api("GET", CLUSTERS))[0] == 200  # absent: latest
    for version in ("2024-09-16", "2023-04-10", "2022-09-20"):
        assert (await api("GET", CLUSTERS, headers={"Cc-Version": version}))[0] == 200
    # Auth comes first; the version comes before the role check.
    assert (await api("GET", CLUSTERS, key="bad", headers={"Cc-Version": "x"}))[0] == 401
    fake.add_api_key("billing", ["BILLING_COORDINATOR"])
    assert (await api("GET", CLUSTERS, key="billing", headers={"Cc-Version": "x"}))[0] == 400


async def test_unknown_route_and_method(api: Api, fake: FakeCloud) -> None:
    status, body, _ = await api("GET", "/api/v1/nothing-here")
    assert status == 404 and body["code"] == 5
    status, body, headers = await api("PUT", CLUSTERS)
    assert status == 405 and set(body) == {"code", "message", "details"}
    assert set(headers["Allow"].split(", ")) == {"GET", "POST"}
    # A literal segment wins over a parameter: this is not GetCluster("available-regions").
    # Without its handler the operation is 501, naming ListAvailableRegions (not a 404).
    fake.handlers.pop("CockroachCloud_ListAvailableRegions")
    status, body, _ = await api("GET", f"{CLUSTERS}/available-regions")
    assert (status, body["code"]) == (501, 12)
    assert body["message"] == "not implemented by the emulator: CockroachCloud_ListAvailableRegions"


# --- rate limit ------------------------------------------------------------------------


async def test_eleventh_request_in_a_second_is_429(session: aiohttp.ClientSession) -> None:
    async with FakeCloud() as fake:  # the real limit: 10 per second
        api = Api(session, fake)
        statuses = []
        for _ in range(11):
            status, body, headers = await api("GET", CLUSTERS)
            statuses.append(status)
        assert statuses == [200] * 10 + [429]
        assert body == {"code": 8, "message": "rate limit exceeded", "details": []}
        assert headers["Retry-After"] == "1"
        assert fake.max_in_window() == 10
        assert fake.max_in_window(key=KEY) == 10
        assert (fake.stats.requests, fake.stats.admitted, fake.stats.rate_limited) == (11, 10, 1)
        assert [r.admitted for r in fake.request_log] == [True] * 10 + [False]


async def test_concurrent_burst_admits_exactly_the_limit(session: aiohttp.ClientSession) -> None:
    async with FakeCloud(rate_limit=5, rate_window=5.0, api_keys={"a": ALL_ROLES}) as fake:
        fake.add_api_key("b", ALL_ROLES)
        api = Api(session, fake)
        results = await asyncio.gather(*(api("GET", CLUSTERS, key="a") for _ in range(20)))
        assert sorted(r[0] for r in results) == [200] * 5 + [429] * 15
        # Each key has its own window.
        assert (await api("GET", CLUSTERS, key="b"))[0] == 200
        assert fake.max_in_window(5.0, key="a") == 5
        assert fake.max_in_window(5.0) == 6


async def test_rejected_requests_do_not_use_up_the_window(session: aiohttp.ClientSession) -> None:
    async with FakeCloud(rate_limit=2, rate_window=0.3) as fake:
        api = Api(session, fake)
        start = time.monotonic()
        assert [(await api("GET", CLUSTERS))[0] for _ in range(2)] == [200, 200]
        rejected = 0
        while time.monotonic() - start < 0.2:  # keep knocking while the window is full
            assert (await api("GET", CLUSTERS))[0] == 429
            rejected += 1
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.35 - (time.monotonic() - start))
        assert (await api("GET", CLUSTERS))[0] == 200
        assert fake.stats.rate_limited == rejected and fake.max_in_window(0.3) == 2


def test_sliding_window_limiter_is_half_open() -> None:
    limiter = SlidingWindowLimiter(2, 1.0)
    assert limiter.acquire("k", 0.0) is None
    assert limiter.acquire("k", 0.5) is None
    assert limiter.acquire("k", 0.9) == pytest.approx(0.1)
    assert limiter.acquire("k", 0.95) == pytest.approx(0.05)  # the 429 above did not count
    assert limiter.acquire("k", 1.0) is None  # exactly one window after the first
    assert limiter.acquire("k", 1.2) == pytest.approx(0.3)
    assert limiter.acquire("other", 1.2) is None
    assert SlidingWindowLimiter(None).acquire("k", 0.0) is None


def test_max_in_window_is_half_open() -> None:
    assert max_in_window([], 1.0) == 0
    assert max_in_window([0.0, 0.5, 1.0], 1.0) == 2
    assert max_in_window([0.0, 0.5, 0.99], 1.0) == 3
    assert max_in_window([3.0, 0.0, 2.1, 2.2, 2.9], 1.0) == 4


async def test_retry_after_http_date(session: aiohttp.ClientSession) -> None:
    async with FakeCloud(rate_limit=1, rate_window=2.0, retry_after="http-date") as fake:
        api = Api(session, fake)
        assert (await api("GET", CLUSTERS))[0] == 200
        status, _, headers = await api("GET", CLUSTERS)
        assert status == 429
        value = headers["Retry-After"]
        assert value.endswith(" GMT") and len(value) == 29  # IMF-fixdate
        when = email.utils.parsedate_to_datetime(value)
        ahead = (when - datetime.now(timezone.utc)).total_seconds()
        assert 0.5 < ahead <= 3.0


async def test_retry_after_none(session: aiohttp.ClientSession) -> None:
    async with FakeCloud(rate_limit=1, rate_window=2.0, retry_after="none") as fake:
        api = Api(session, fake)
        await api("GET", CLUSTERS)
        status, body, headers = await api("GET", CLUSTERS)
        assert status == 429 and body["code"] == 8
        assert "Retry-After" not in headers


# --- clusters --------------------------------------------------------------------------


async def test_cluster_round_trip(api: Api, fake: FakeCloud) -> None:
    status, created = await api.create(serverless("round-trip"))
    assert status == 200
    cid = created["id"]
    assert created["state"] == "CREATED" and created["plan"] == "BASIC"
    assert created["operation_status"] == "CLUSTER_STATUS_UNSPECIFIED"
    assert created["created_at"].endswith("Z") and created["parent_id"] == "root"
    assert created["regions"][0]["name"] == "us-central1" and created["regions"][0]["primary"]

    status, got, _ = await api("GET", f"{CLUSTERS}/{cid}")
    assert status == 200 and got == created
    assert await api.names() == ["round-trip"]

    patch = {
        "serverless": {"usage_limits": {"provisioned_virtual_cpus": "4"}},
        "plan": "STANDARD",
        "labels": {"team": "core"},
    }
    status, updated, _ = await api("PATCH", f"{CLUSTERS}/{cid}", json=patch)
    assert status == 200, updated
    assert updated["plan"] == "STANDARD" and updated["labels"] == {"team": "core"}
    assert updated["config"]["serverless"]["usage_limits"] == {"provisioned_virtual_cpus": "4"}
    assert updated["updated_at"] > created["updated_at"]

    status, deleted, _ = await api("DELETE", f"{CLUSTERS}/{cid}")
    assert status == 200 and deleted["state"] == "DELETED" and deleted["deleted_at"]
    assert fake.stats.applied == {
        "CockroachCloud_CreateCluster": 1,
        "CockroachCloud_UpdateCluster": 1,
        "CockroachCloud_DeleteCluster": 1,
    }
    assert fake.stats.by_route[("GET", "/api/v1/clusters/{cluster_id}")] == 1


async def test_deleted_cluster_stays_readable_but_unlisted(api: Api) -> None:
    assert (await api.create(serverless("keeper")))[0] == 200
    _, gone = await api.create(dedicated("goner-1"))
    assert (await api("DELETE", f"{CLUSTERS}/{gone['id']}"))[0] == 200
    status, body, _ = await api("GET", f"{CLUSTERS}/{gone['id']}")
    assert status == 200 and body["state"] == "DELETED"
    assert await api.names() == ["keeper"]
    assert await api.names(show_inactive="false") == ["keeper"]
    assert await api.names(show_inactive="true") == ["goner-1", "keeper"]
    # Deleting again, or changing a deleted cluster, fails its precondition.
    status, body, _ = await api("DELETE", f"{CLUSTERS}/{gone['id']}")
    assert status == 400 and body["code"] == 9
    status, body, _ = await api("PATCH", f"{CLUSTERS}/{gone['id']}", json={"labels": {}})
    assert status == 400 and body["code"] == 9
    # Its name is free again.
    assert (await api.create(dedicated("goner-1")))[0] == 200


async def test_delete_protection(api: Api, fake: FakeCloud) -> None:
    body = serverless("protected")
    body["spec"]["delete_protection"] = "ENABLED"
    _, cluster = await api.create(body)
    status, err, _ = await api("DELETE", f"{CLUSTERS}/{cluster['id']}")
    assert status == 400 and err["code"] == 9 and "delete_protection" in err["message"]
    assert fake.clusters.get(cluster["id"])["state"] == "CREATED"  # type: ignore[index]
    patch = {"delete_protection": "DISABLED"}
    assert (await api("PATCH", f"{CLUSTERS}/{cluster['id']}", json=patch))[0] == 200
    assert (await api("DELETE", f"{CLUSTERS}/{cluster['id']}"))[0] == 200


async def test_unknown_cluster_is_404(api: Api) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        status, body, _ = await api(method, f"{CLUSTERS}/no-such-id", json={})
        assert (status, body) == (404, {"code": 5, "message": "cluster not found", "details": []})


def _with(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[part]
    if value is _DROP:
        del node[last]
    else:
        node[last] = value
    return body


_DROP = object()

INVALID_CREATES = [
    pytest.param(_with(serverless(), "name", "short"), "name", id="name-too-short"),
    pytest.param(_with(serverless(), "name", "a" * 21), "name", id="name-too-long"),
    pytest.param(_with(serverless(), "name", "Upper-case"), "name", id="name-uppercase"),
    pytest.param(_with(serverless(), "name", "-leading"), "name", id="name-leading-dash"),
    pytest.param(_with(serverless(), "name", "trailing-"), "name", id="name-trailing-dash"),
    pytest.param(_with(serverless(), "name", "under_score"), "name", id="name-underscore"),
    pytest.param(_with(serverless(), "name", "new-line\n"), "name", id="name-newline"),
    pytest.param(_with(serverless(), "name", _DROP), "name", id="name-missing"),
    pytest.param(_with(serverless(), "provider", "IBM"), "provider", id="provider"),
    pytest.param(_with(serverless(), "spec", {}), "spec", id="spec-neither"),
    pytest.param(
        _with(serverless(), "spec.dedicated", dedicated()["spec"]["dedicated"]),
        "spec",
        id="spec-both",
    ),
    pytest.param(_with(serverless(), "spec.plan", "PREMIUM"), "spec.plan", id="plan-unknown"),
    pytest.param(_with(serverless(), "spec.plan", "ADVANCED"), "spec.plan", id="plan-serverless"),
    pytest.param(_with(dedicated(), "spec.plan", "BASIC"), "spec.plan", id="plan-dedicated"),
    pytest.param(
        _with(serverless(), "spec.serverless.regions", []),
        "spec.serverless.regions",
        id="regions-empty",
    ),
    pytest.param(
        _with(serverless(), "spec.serverless.usage_limits", {"request_unit_limit": "lots"}),
        "spec.serverless.usage_limits.request_unit_limit",
        id="int64-not-an-integer",
    ),
    pytest.param(
        _with(serverless(), "spec.serverless.usage_limits", {"storage_mib_limit": "1.5"}),
        "spec.serverless.usage_limits.storage_mib_limit",
        id="int64-fraction",
    ),
    pytest.param(
        _with(serverless(), "spec.serverless.usage_limits", {"storage_mib_limit": "12\n"}),
        "spec.serverless.usage_limits.storage_mib_limit",
        id="int64-trailing-newline",
    ),
    pytest.param(
        _with(
            _with(serverless(), "spec.plan", "BASIC"),
            "spec.serverless.usage_limits",
            {"provisioned_virtual_cpus": "2"},
        ),
        "provisioned_virtual_cpus",
        id="basic-with-vcpus",
    ),
    pytest.param(dedicated(nodes=2), "spec.dedicated.region_nodes", id="advanced-two-nodes"),
    pytest.param(
        _with(dedicated(), "spec.dedicated.region_nodes", {}),
        "spec.dedicated.region_nodes",
        id="region-nodes-empty",
    ),
    pytest.param(
        _with(dedicated(), "spec.dedicated.hardware.machine_spec", {"machine_type": "huge"}),
        "spec.dedicated.hardware.machine_spec.machine_type",
        id="machine-type",
    ),
    pytest.param(_with(serverless(), "spec.colour", "red"), "spec.colour", id="unknown-field"),
    pytest.param([1, 2], "request body", id="not-an-object"),
]


@pytest.mark.parametrize(("body", "field"), INVALID_CREATES)
async def test_invalid_create_is_400_naming_the_field(
    api: Api, fake: FakeCloud, body: Any, field: str
) -> None:
    status, err = await api.create(body)
    assert status == 400, err
    assert err["code"] == 3
    assert field in err["message"]
    assert await api.names(show_inactive="true") == []
    assert not fake.stats.applied


async def test_invalid_json_is_400(api: Api, fake: FakeCloud) -> None:
    status, body, _ = await api(
        "POST", CLUSTERS, data=b'{"name": "abc', headers={"Content-Type": "application/json"}
    )
    assert status == 400 and body["code"] == 3 and "JSON" in body["message"]
    assert await api.names() == [] and not fake.stats.applied


async def test_plans_and_int64_strings(api: Api) -> None:
    body = serverless("standard-one")
    body["spec"]["serverless"]["usage_limits"] = {
        "provisioned_virtual_cpus": 8,  # a JSON number is accepted too...
        "storage_mib_limit": "10240",
    }
    status, cluster = await api.create(body)
    assert status == 200, cluster
    assert cluster["plan"] == "STANDARD"
    # ...and every int64 goes back as a string.
    limits = cluster["config"]["serverless"]["usage_limits"]
    assert limits == {"provisioned_virtual_cpus": "8", "storage_mib_limit": "10240"}
    status, cluster = await api.create(_with(serverless("standard-two"), "spec.plan", "STANDARD"))
    assert cluster["plan"] == "STANDARD"
    status, cluster = await api.create(dedicated("advanced-one"))
    assert cluster["plan"] == "ADVANCED"
    hardware = cluster["config"]["dedicated"]
    assert hardware["machine_type"] == "m6i.xlarge" and hardware["num_virtual_cpus"] == 4
    assert [r["node_count"] for r in cluster["regions"]] == [3]


async def test_invalid_update_changes_nothing(api: Api, fake: FakeCloud) -> None:
    _, cluster = await api.create(dedicated("scale-me"))
    url = f"{CLUSTERS}/{cluster['id']}"
    bad = [
        ({"dedicated": {"region_nodes": {"us-east-1": 2}}}, "dedicated.region_nodes"),
        ({"serverless": {"usage_limits": {}}}, "serverless"),
        ({"plan": "BASIC"}, "plan"),
        ({"labels": {"x": 1}}, "labels"),
        ({"dedicated": {"hardware": {"storage_gib": 10}}}, "storage_gib"),
    ]
    for patch, field in bad:
        status, err, _ = await api("PATCH", url, json=patch)
        assert status == 400 and err["code"] == 3 and field in err["message"], (patch, err)
    assert (await api("GET", url))[1] == cluster
    patch = {"dedicated": {"region_nodes": {"us-east-1": 5, "us-west-2": 3}}}
    status, updated, _ = await api("PATCH", url, json=patch)
    assert status == 200
    assert {r["name"]: r["node_count"] for r in updated["regions"]} == {
        "us-east-1": 5,
        "us-west-2": 3,
    }
    assert fake.stats.applied["CockroachCloud_UpdateCluster"] == 1


async def test_duplicate_name_is_409(api: Api, fake: FakeCloud) -> None:
    assert (await api.create(serverless("twin-name")))[0] == 200
    status, err = await api.create(dedicated("twin-name"))
    assert status == 409 and err["code"] == 6 and "twin-name" in err["message"]
    assert await api.names() == ["twin-name"]
    assert fake.stats.applied["CockroachCloud_CreateCluster"] == 1


async def test_responses_match_the_snapshot_schema(session: aiohttp.ClientSession) -> None:
    spec = copy.deepcopy(load_spec())
    # The API sends operation_status CLUSTER_STATUS_UNSPECIFIED, outside the published enum.
    del spec["components"]["schemas"]["ClusterStatus.Type"]["enum"]
    registry: Registry[Any] = Registry().with_resource(
        "urn:spec", Resource(contents=spec, specification=DRAFT7)
    )

    def validator(name: str) -> jsonschema.Draft7Validator:
        ref = {"$ref": f"urn:spec#/components/schemas/{name}"}
        return jsonschema.Draft7Validator(ref, registry=registry)

    async with FakeCloud(rate_limit=None, seed_clusters=10) as fake:
        api = Api(session, fake)
        status, listing, _ = await api("GET", CLUSTERS, params={"pagination.limit": "4"})
        assert status == 200
        validator("ListClustersResponse").validate(listing)
        assert len(listing["clusters"]) == 4 and listing["pagination"]["next_page"]
        for cluster in fake.clusters.all():
            validator("Cluster").validate(cluster)
        status, err, _ = await api("GET", f"{CLUSTERS}/nope")
        validator("Status").validate(err)
        plans = {c["plan"] for c in fake.clusters.all()}
        providers = {c["cloud_provider"] for c in fake.clusters.all()}
        assert plans == {"BASIC", "STANDARD", "ADVANCED"}
        assert providers == {"GCP", "AWS", "AZURE"}


# --- pagination ------------------------------------------------------------------------


async def _walk(api: Api, **params: str) -> tuple[list[str], list[int]]:
    names: list[str] = []
    sizes: list[int] = []
    query = dict(params)
    for _ in range(100):  # a broken cursor must fail the test, not hang it
        status, page, _ = await api("GET", CLUSTERS, params=query)
        assert status == 200, page
        names += [c["name"] for c in page["clusters"]]
        sizes.append(len(page["clusters"]))
        token = page["pagination"].get("next_page")
        if not token:
            return names, sizes
        query["pagination.page"] = token
    raise AssertionError("pagination did not end")


async def test_pagination_over_120_clusters(session: aiohttp.ClientSession) -> None:
    async with FakeCloud(rate_limit=None, seed_clusters=120) as fake:
        api = Api(session, fake)
        expected = [f"fleet-{i:04d}" for i in range(1, 121)]
        names, sizes = await _walk(api, **{"pagination.limit": "50"})
        assert sizes == [50, 50, 20]
        assert names == expected
        names, _ = await _walk(api, **{"pagination.limit": "50", "pagination.sort_order": "DESC"})
        assert names == expected[::-1]
        by_created = {"pagination.limit": "7", "pagination.sort_by": "CREATED_AT"}
        names, sizes = await _walk(api, **by_created)
        assert names == expected and len(sizes) == 18
        names, sizes = await _walk(api)  # default page size 50
        assert sizes == [50, 50, 20]
        # Deleted clusters show up only with show_inactive, in the same walk.
        await api("DELETE", f"{CLUSTERS}/{fake.clusters.all()[0]['id']}")
        assert len((await _walk(api, **{"pagination.limit": "50"}))[0]) == 119
        names, _ = await _walk(api, show_inactive="true", **{"pagination.sort_by": "DELETED_AT"})
        assert sorted(names) == expected and names[-1] == "fleet-0001"


async def test_page_size_is_capped_and_tokens_checked(session: aiohttp.ClientSession) -> None:
    async with FakeCloud(rate_limit=None, seed_clusters=505) as fake:
        api = Api(session, fake)
        status, page, _ = await api("GET", CLUSTERS, params={"pagination.limit": "10000"})
        assert status == 200 and len(page["clusters"]) == 500 and page["pagination"]["next_page"]
        token = page["pagination"]["next_page"]
        for params, field in [
            ({"pagination.page": "garbage!"}, "pagination.page"),
            ({"pagination.page": token, "pagination.sort_by": "CREATED_AT"}, "pagination.page"),
            ({"pagination.limit": "-1"}, "pagination.limit"),
            ({"pagination.limit": "ten"}, "pagination.limit"),
            ({"pagination.sort_order": "UP"}, "pagination.sort_order"),
            ({"pagination.sort_by": "SIZE"}, "pagination.sort_by"),
            ({"show_inactive": "maybe"}, "show_inactive"),
        ]:
            status, err, _ = await api("GET", CLUSTERS, params=params)
            assert status == 400 and field in err["message"], (params, err)


# --- faults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "content_type", "raw"),
    [
        (Fault("status", status=503), 503, "application/json", None),
        (Fault("html", status=502), 502, "text/html", None),
        (Fault("empty", status=504), 504, None, b""),
        (Fault("null", status=500), 500, "application/json", b"null"),
        (Fault("null", status=200), 200, "application/json", b"null"),
    ],
    ids=["status", "html", "empty", "null-500", "null-200"],
)
async def test_response_faults(
    session: aiohttp.ClientSession,
    fake: FakeCloud,
    fault: Fault,
    status: int,
    content_type: str | None,
    raw: bytes | None,
) -> None:
    fake.faults.add(fault)
    async with session.get(fake.url + CLUSTERS, headers={"Authorization": f"Bearer {KEY}"}) as r:
        body = await r.read()
        assert r.status == status
        if content_type is not None:
            assert r.content_type == content_type
        if raw is not None:
            assert body == raw
    if fault.kind == "status":
        assert (await r.json())["code"] == 14
    if fault.kind == "html":
        assert body.lstrip().startswith(b"<html")
    # times=1: the next request is served normally.
    async with session.get(fake.url + CLUSTERS, headers={"Authorization": f"Bearer {KEY}"}) as r:
        assert r.status == 200 and (await r.json())["clusters"] == []
    assert fake.stats.faults_injected == 1 and fault.hits == 1
    assert fake.stats.admitted == 2  # faulted requests are admitted requests


async def test_reset_fault_drops_the_connection(api: Api, fake: FakeCloud) -> None:
    # times=2: aiohttp (3.14) silently resends an idempotent request once after a
    # dropped connection, so a single reset of a GET never reaches the caller.
    fake.faults.add(Fault("reset", method="GET", path=r"^/api/v1/clusters$", times=2))
    with pytest.raises((aiohttp.ClientOSError, aiohttp.ServerDisconnectedError)):
        await api("GET", CLUSTERS)
    assert [r.status for r in fake.request_log] == [None, None]
    assert (await api("GET", CLUSTERS))[0] == 200
    assert fake.stats.faults_injected == 2 and fake.stats.admitted == 3


async def test_delay_fault_triggers_client_timeouts(api: Api, fake: FakeCloud) -> None:
    fake.faults.add(Fault("delay", delay=0.5, method="GET"))
    timeout = aiohttp.ClientTimeout(total=0.1)
    async with aiohttp.ClientSession(timeout=timeout) as impatient:
        with pytest.raises(asyncio.TimeoutError):
            await Api(impatient, fake)("GET", CLUSTERS)
    started = time.monotonic()
    assert (await api("GET", CLUSTERS))[0] == 200  # used up: no delay now
    assert time.monotonic() - started < 0.4


async def test_delay_then_proceed(api: Api, fake: FakeCloud) -> None:
    fake.faults.add(Fault("delay", delay=0.15))
    started = time.monotonic()
    status, _ = await api.create(serverless("slow-one"))
    assert status == 200 and time.monotonic() - started >= 0.15
    assert fake.stats.applied["CockroachCloud_CreateCluster"] == 1


async def test_after_apply_reset_applies_once_without_a_response(api: Api, fake: FakeCloud) -> None:
    fake.faults.add(Fault("reset", method="POST", path="/clusters$", after_apply=True))
    with pytest.raises((aiohttp.ClientOSError, aiohttp.ServerDisconnectedError)):
        await api.create(serverless("lost-reply"))
    assert fake.stats.applied["CockroachCloud_CreateCluster"] == 1
    assert fake.request_log[-1].status is None
    assert await api.names() == ["lost-reply"]
    # A naive retry now collides with the cluster the first attempt created.
    assert (await api.create(serverless("lost-reply")))[0] == 409
    assert fake.stats.applied["CockroachCloud_CreateCluster"] == 1


async def test_after_apply_status_loses_the_update(api: Api, fake: FakeCloud) -> None:
    _, cluster = await api.create(serverless("patched"))
    fake.faults.add(Fault("status", status=503, method="PATCH", after_apply=True))
    url = f"{CLUSTERS}/{cluster['id']}"
    status, body, _ = await api("PATCH", url, json={"labels": {"v": "2"}})
    assert status == 503 and body["code"] == 14
    assert (await api("GET", url))[1]["labels"] == {"v": "2"}
    assert fake.stats.applied["CockroachCloud_UpdateCluster"] == 1


async def test_fault_filters_and_limits(api: Api, fake: FakeCloud) -> None:
    fake.faults.add(Fault("status", status=500, method="DELETE", times=None))
    fake.faults.add(Fault("status", status=502, path=r"/available-regions$", times=2))
    fake.faults.add(Fault("status", status=503, probability=0.0, times=None))
    assert (await api("GET", CLUSTERS))[0] == 200
    assert [(await api("DELETE", f"{CLUSTERS}/x"))[0] for _ in range(3)] == [500] * 3
    regions = f"{CLUSTERS}/available-regions"
    fake.handlers.pop("CockroachCloud_ListAvailableRegions")  # 501 once the faults run out
    assert [(await api("GET", regions))[0] for _ in range(3)] == [502, 502, 501]
    # Faults come before the 404/405 of a path or method the API lacks.
    assert (await api("DELETE", "/api/v1/nothing"))[0] == 500
    assert fake.stats.faults_injected == 6
    status, body, headers = await api("GET", CLUSTERS, key="nope")
    assert status == 401  # auth comes before faults
    fake.faults.clear()
    assert (await api("DELETE", f"{CLUSTERS}/x"))[0] == 404
    fake.faults.add(Fault("status", status=429))
    status, body, headers = await api("GET", CLUSTERS)
    assert (status, body["code"], headers["Retry-After"]) == (429, 8, "1")
    with pytest.raises(ValueError):
        Fault("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Fault("delay")


# --- stats, lifecycle, packaging -------------------------------------------------------


async def test_stats_and_reset(api: Api, fake: FakeCloud) -> None:
    await api("GET", CLUSTERS)
    await api("GET", CLUSTERS, key="bad")
    await api("GET", "/api/v1/unknown")
    assert fake.stats.requests == 3 and fake.stats.admitted == 2
    assert fake.stats.by_route == {("GET", "/api/v1/clusters"): 2}
    record = fake.request_log[0]
    assert (record.method, record.path, record.status, record.key) == ("GET", CLUSTERS, 200, KEY)
    fake.reset_stats()
    assert fake.stats.requests == 0 and not fake.request_log and fake.max_in_window() == 0


async def test_lifecycle(session: aiohttp.ClientSession) -> None:
    fake = FakeCloud(seed_clusters=3)
    with pytest.raises(RuntimeError):
        _ = fake.url
    before = len(asyncio.all_tasks())
    await fake.start()
    url = fake.url
    assert url.startswith("http://127.0.0.1:") and fake.port > 0
    assert len(await Api(session, fake).names()) == 3
    await fake.close()
    await fake.close()  # idempotent
    assert len(asyncio.all_tasks()) == before
    with pytest.raises(aiohttp.ClientConnectorError):
        async with session.get(url + CLUSTERS):
            pass


async def test_close_does_not_wait_for_long_delays(session: aiohttp.ClientSession) -> None:
    fake = await FakeCloud().start()
    fake.faults.add(Fault("delay", delay=30.0))
    request = asyncio.ensure_future(Api(session, fake)("GET", CLUSTERS))
    for _ in range(500):  # until the request is inside its delay
        if fake.stats.faults_injected:
            break
        await asyncio.sleep(0.01)
    # Logged on arrival: the delayed request is visible while it is still in flight.
    record = fake.request_log[-1]
    assert (record.admitted, record.done, record.status) == (True, False, None)
    started = time.monotonic()
    await fake.close()
    assert time.monotonic() - started < 2.0
    with pytest.raises(aiohttp.ClientError):
        await request


async def test_plugin_fake_cloud_fixture(
    fake_cloud: FakeCloud, session: aiohttp.ClientSession
) -> None:
    assert (await Api(session, fake_cloud)("GET", CLUSTERS))[0] == 200


async def test_plugin_cloud_fixture(cloud: Any, fake_cloud: FakeCloud) -> None:
    from ccloud_async import CockroachCloud

    assert isinstance(cloud, CockroachCloud)


async def test_standalone_server() -> None:
    root = REPO_ROOT
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ccloud_async.testing",
        "--port",
        "0",
        "--clusters",
        "2",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        url = line.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:"), line
        assert "test-key" in (await proc.stdout.readline()).decode()
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bearer {KEY}"}
            async with session.get(url + CLUSTERS, headers=headers) as resp:
                assert resp.status == 200
                assert len((await resp.json())["clusters"]) == 2
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_plugin_factory_starts_configured_emulators(fake_cloud_factory: Any) -> None:
    from ccloud_async.testing import Timings, TravelClock

    clock = TravelClock("2028-02-29T12:00:00Z")
    first = await fake_cloud_factory(seed_clusters=2, timings=Timings(cluster_create=0.5))
    second = await fake_cloud_factory(clock=clock)
    assert first.url != second.url
    assert len(first.clusters) == 2 and first.timings.cluster_create == 0.5
    assert second.clock is clock and second.response_checker is not None


@pytest.mark.fake_cloud(seed_clusters=4, api_keys={"reader": ["CLUSTER_ADMIN"]})
async def test_plugin_marker_configures_fake_cloud_and_cloud(
    fake_cloud: FakeCloud, cloud: Any
) -> None:
    assert len(fake_cloud.clusters) == 4
    assert len([c async for c in cloud.clusters.list()]) == 4  # with the marker's key
    assert cloud.clock is fake_cloud.clock
