"""Every keyset-paginated operation walks a multi-page collection on the emulator.

Each case builds a collection through the SDK, lists it a few items per page, and checks
that every item comes exactly once and that more than one page was fetched. A purpose-built
server that repeats its cursor shows every one of these pagers stops with
``PaginationError`` after two requests instead of looping.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from ccloud_async import OPERATIONS, AsyncPager, CockroachCloud, PaginationError
from ccloud_async.testing import FakeCloud, TravelClock

from ..conftest import KEY, make_client
from ..support.http_stub import serve

KEYSET = sorted(op_id for op_id, op in OPERATIONS.items() if "pagination.page" in op.query_params)
LIMIT = 3
JAN_1 = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
DEDICATED = {
    "dedicated": {
        "region_nodes": {"us-east-1": 3},
        "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 150},
    }
}
SERVERLESS = {"serverless": {"regions": ["us-central1"]}}


@dataclass
class Case:
    """How to list the collection a case built, and what it must yield."""

    pager: Callable[[int], AsyncPager[Any]]  # the list call, given pagination.limit
    key: Callable[[Any], object]  # what identifies an item
    expected: Sequence[object] | None = None  # every key, in any order
    check: Callable[[list[Any]], None] | None = None  # for collections the emulator makes


Builder = Callable[[CockroachCloud, FakeCloud], Awaitable[Case]]
CASES: dict[str, Builder] = {}


def case(operation_id: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        assert operation_id not in CASES, operation_id
        CASES[operation_id] = fn
        return fn

    return register


async def dedicated(cloud: CockroachCloud, name: str = "adv-cluster", **spec: Any) -> str:
    return (await cloud.clusters.create(name=name, provider="AWS", spec=spec or DEDICATED)).id


async def everything(pager: AsyncPager[Any]) -> list[Any]:
    """The whole collection as one page (the emulator allows up to 500 per page)."""
    page = await pager.first_page()
    assert page.next_page is None
    return list(page.items)


# --- one case per keyset-paginated operation ---------------------------------------------


@case("CockroachCloud_ListClusters")
async def _clusters(cloud: CockroachCloud, _: FakeCloud) -> Case:
    made = [
        (await cloud.clusters.create(name=f"cluster-{i}", provider="GCP", spec=SERVERLESS)).id
        for i in range(7)
    ]
    return Case(lambda n: cloud.clusters.list(limit=n), lambda c: c.id, list(made))


@case("CockroachCloud_ListMajorClusterVersions")
async def _versions(cloud: CockroachCloud, _: FakeCloud) -> Case:
    catalog = await everything(cloud.clusters.list_major_versions(limit=500))
    assert len(catalog) > 1
    return Case(
        lambda n: cloud.clusters.list_major_versions(limit=min(n, len(catalog) - 1)),
        lambda v: v.version,
        [v.version for v in catalog],
    )


@case("CockroachCloud_ListAvailableRegions")
async def _regions(cloud: CockroachCloud, _: FakeCloud) -> Case:
    catalog = await everything(cloud.clusters.list_available_regions(provider="GCP", limit=500))
    assert len(catalog) > LIMIT
    return Case(
        lambda n: cloud.clusters.list_available_regions(provider="GCP", limit=n),
        lambda r: (r.provider, r.name),
        [(r.provider, r.name) for r in catalog],
    )


@case("CockroachCloud_ListClusterNodes")
async def _nodes(cloud: CockroachCloud, _: FakeCloud) -> Case:
    regions = {"us-east-1": 3, "us-west-2": 3, "eu-west-1": 3}
    cid = await dedicated(
        cloud,
        dedicated={
            "region_nodes": regions,
            "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 150},
        },
    )

    def check(nodes: list[Any]) -> None:
        assert Counter(n.region_name for n in nodes) == Counter(regions)

    return Case(lambda n: cloud.clusters.list_nodes(cid, limit=n), lambda x: x.name, check=check)


@case("CockroachCloud_ListBackups")
async def _backups(cloud: CockroachCloud, fake: FakeCloud) -> Case:
    cid = await dedicated(cloud)
    # Backups come one an hour from the cluster's creation: move the emulator's clock on.
    assert isinstance(fake.clock, TravelClock)
    fake.clock.advance(6.5 * 3600)
    backups = await everything(cloud.backups.list(cid, limit=500))
    assert len(backups) == 7
    return Case(lambda n: cloud.backups.list(cid, limit=n), lambda b: b.id, [b.id for b in backups])


@case("CockroachCloud_ListRestores")
async def _restores(cloud: CockroachCloud, _: FakeCloud) -> Case:
    cid = await dedicated(cloud)
    made = [
        (await cloud.restores.create(cid, type="DATABASE", objects=[{"database": "defaultdb"}])).id
        for _ in range(7)
    ]
    return Case(lambda n: cloud.restores.list(cid, limit=n), lambda r: r.id, list(made))


@case("CockroachCloud_ListBlackoutWindows")
async def _blackouts(cloud: CockroachCloud, _: FakeCloud) -> Case:
    cid = await dedicated(cloud)
    made = []
    for i in range(7):
        start = JAN_1 + datetime.timedelta(days=30 * i)
        window = await cloud.blackout_windows.create(
            cid, start_time=start, end_time=start + datetime.timedelta(days=2)
        )
        made.append(window.id)
    return Case(lambda n: cloud.blackout_windows.list(cid, limit=n), lambda w: w.id, made)


@case("CockroachCloud_ListDatabases")
async def _databases(cloud: CockroachCloud, _: FakeCloud) -> Case:
    cid = await dedicated(cloud)
    made = [(await cloud.databases.create(cid, name=f"db{i}")).name for i in range(5)]
    expected = ["defaultdb", "postgres", *made]
    return Case(lambda n: cloud.databases.list(cid, limit=n), lambda d: d.name, expected)


@case("CockroachCloud_ListAllowlistEntries")
async def _allowlist(cloud: CockroachCloud, _: FakeCloud) -> Case:
    cid = await dedicated(cloud)
    made = []
    for i in range(7):
        entry = await cloud.allowlist.add(
            cid, cidr_ip=f"10.{i}.0.0", cidr_mask=16, ui=True, sql=True
        )
        made.append((entry.cidr_ip, entry.cidr_mask))
    return Case(
        lambda n: cloud.allowlist.list(cid, limit=n), lambda e: (e.cidr_ip, e.cidr_mask), made
    )


@case("CockroachCloud_ListEgressPrivateEndpoints")
async def _egress_endpoints(cloud: CockroachCloud, _: FakeCloud) -> Case:
    cid = await dedicated(cloud)
    made = []
    for i in range(7):
        endpoint = await cloud.egress_private_endpoints.create(
            cid,
            region="us-east-1",
            target_service_identifier=f"com.amazonaws.vpce.svc-{i}",
            target_service_type="PRIVATE_SERVICE",
        )
        made.append(endpoint.id)
    return Case(lambda n: cloud.egress_private_endpoints.list(cid, limit=n), lambda e: e.id, made)


@case("CockroachCloud_ListEgressRules")
async def _egress_rules(cloud: CockroachCloud, _: FakeCloud) -> Case:
    cid = await dedicated(cloud)
    made = []
    for i in range(7):
        added = await cloud.egress_rules.add(
            cid,
            name=f"rule-{i}",
            type="FQDN",
            destination=f"kafka-{i}.example.com",
            description="sink",
            ports=[9092],
        )
        assert added.rule is not None
        made.append(added.rule.id)
    return Case(lambda n: cloud.egress_rules.list(cid, limit=n), lambda r: r.id, made)


@case("CockroachCloud_ListSQLUsers")
async def _sql_users(cloud: CockroachCloud, _: FakeCloud) -> Case:
    cid = await dedicated(cloud)
    made = [
        (await cloud.sql_users.create(cid, name=f"user_{i}", password="s3cret-pass-1")).name
        for i in range(7)
    ]
    return Case(lambda n: cloud.sql_users.list(cid, limit=n), lambda u: u.name, list(made))


@case("CockroachCloud_ListFolders")
async def _folders(cloud: CockroachCloud, _: FakeCloud) -> Case:
    made = [(await cloud.folders.create(name=f"team-{i}")).resource_id for i in range(7)]
    return Case(lambda n: cloud.folders.list(limit=n), lambda f: f.resource_id, list(made))


@case("CockroachCloud_ListFolderContents")
async def _folder_contents(cloud: CockroachCloud, _: FakeCloud) -> Case:
    parent = (await cloud.folders.create(name="apps")).resource_id
    made = [
        (await cloud.folders.create(name=f"app-{i}", parent_id=parent)).resource_id
        for i in range(7)
    ]
    await cloud.folders.create(name="elsewhere")  # not in the parent: never listed
    return Case(
        lambda n: cloud.folders.list_contents(parent, limit=n), lambda r: r.resource_id, list(made)
    )


@case("CockroachCloud_ListJWTIssuers")
async def _jwt_issuers(cloud: CockroachCloud, _: FakeCloud) -> Case:
    made = []
    for i in range(7):
        issuer = await cloud.jwt_issuers.add(
            issuer_url=f"https://idp-{i}.example.com",
            audience="ccloud",
            identity_map=[{"token_identity": "/(.*)@example.com/", "cc_identity": "\\1"}],
        )
        made.append(issuer.id)
    return Case(lambda n: cloud.jwt_issuers.list(limit=n), lambda i: i.id, made)


@case("CockroachCloud_ListPhysicalReplicationStreams")
async def _streams(cloud: CockroachCloud, _: FakeCloud) -> Case:
    made = []
    for i in range(4):
        primary = await dedicated(cloud, f"primary-{i}")
        standby = await dedicated(cloud, f"standby-{i}")
        stream = await cloud.replication.create_stream(
            primary_cluster_id=primary, standby_cluster_id=standby
        )
        made.append(stream.id)
    return Case(lambda n: cloud.replication.list_streams(limit=n), lambda s: s.id, made)


async def _service_accounts_made(cloud: CockroachCloud) -> list[str]:
    made = []
    for i in range(7):
        account = await cloud.service_accounts.create(
            name=f"bot-{i}",
            description="test",
            roles=[{"name": "ORG_MEMBER", "resource": {"type": "ORGANIZATION"}}],
        )
        made.append(account.id)
    return made


@case("CockroachCloud_ListServiceAccounts")
async def _service_accounts(cloud: CockroachCloud, _: FakeCloud) -> Case:
    made = await _service_accounts_made(cloud)
    return Case(lambda n: cloud.service_accounts.list(limit=n), lambda a: a.id, list(made))


@case("CockroachCloud_ListRoleGrants")
async def _role_grants(cloud: CockroachCloud, _: FakeCloud) -> Case:
    made = await _service_accounts_made(cloud)
    grants = await everything(cloud.roles.list_grants(limit=500))
    assert set(made) <= {g.user_id for g in grants}
    return Case(
        lambda n: cloud.roles.list_grants(limit=n), lambda g: g.user_id, [g.user_id for g in grants]
    )


@case("CockroachCloud_ListApiKeys")
async def _api_keys(cloud: CockroachCloud, _: FakeCloud) -> Case:
    sid = (await _service_accounts_made(cloud))[0]
    made = []
    for i in range(7):
        created = await cloud.api_keys.create(name=f"key-{i}", service_account_id=sid)
        assert created.api_key is not None
        made.append(created.api_key.id)
    return Case(
        lambda n: cloud.api_keys.list(service_account_id=sid, limit=n), lambda k: k.id, made
    )


# --- the tests ----------------------------------------------------------------------------


def test_every_keyset_operation_has_a_case() -> None:
    assert len(KEYSET) == 19
    assert set(CASES) == set(KEYSET)
    assert all(
        OPERATIONS[op_id].paginated and OPERATIONS[op_id].paging == "keyset" for op_id in KEYSET
    )


@pytest.mark.parametrize("op_id", KEYSET)
async def test_every_item_once_across_pages(op_id: str, fake: FakeCloud) -> None:
    """``fake`` (conftest): FakeCloud(rate_limit=None, validate_responses=True)."""
    route = ("GET", OPERATIONS[op_id].path)
    async with make_client(fake, limiter=None) as cloud:
        listing = await CASES[op_id](cloud, fake)
        before = fake.stats.by_route[route]
        pages = [page async for page in listing.pager(LIMIT).pages()]
        items = [item async for item in listing.pager(LIMIT)]
    assert fake.stats.by_route[route] - before == 2 * len(pages)
    assert len(pages) > 1
    assert all(page.next_page for page in pages[:-1]) and pages[-1].next_page is None
    assert [page.cursor for page in pages[1:]] == [page.next_page for page in pages[:-1]]
    keys = [listing.key(item) for item in items]
    assert len(keys) == len(set(keys)), "an item came twice"
    assert keys == [listing.key(item) for page in pages for item in page.items]
    if listing.expected is not None:
        assert Counter(keys) == Counter(listing.expected)
    if listing.check is not None:
        listing.check(items)


@pytest.fixture
async def repeating() -> AsyncIterator[tuple[str, list[str]]]:
    """A server that answers any GET with no items and the same ``next_page``."""
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({"pagination": {"next_page": "same-token"}})

    async with serve(handler) as url:
        yield url, seen


@pytest.mark.parametrize("op_id", KEYSET)
async def test_a_repeated_cursor_raises(op_id: str, repeating: tuple[str, list[str]]) -> None:
    url, seen = repeating
    op = OPERATIONS[op_id]
    async with CockroachCloud(api_key=KEY, base_url=url, limiter=None) as cloud:
        namespace, name = op.method.split(".")
        method: Callable[..., AsyncPager[Any]] = getattr(getattr(cloud, namespace), name)
        args = [f"id-{p}" for p in op.path_params]
        with pytest.raises(PaginationError, match="same-token"):
            async for _ in method(*args):
                pass
    assert len(seen) == 2
    assert all(path.startswith(op.path.split("{")[0].rstrip("/")) for path in seen)
