"""The emulator's physical replication streams, over real HTTP with plain aiohttp.

Every 200 response is validated against its operation's response schema in the
snapshot; every error must be a google.rpc.Status body.
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

S = "/api/v1/physical-replication-streams"
CREATE = "CockroachCloud_CreatePhysicalReplicationStream"
UPDATE = "CockroachCloud_UpdatePhysicalReplicationStream"


class Api(AreaApi):
    def validates(self, template: str) -> bool:
        return template.startswith(S)

    async def cluster(self, name: str, dedicated: bool = True, provider: str = "AWS") -> str:
        region = "us-east-1" if provider == "AWS" else "us-central1"
        return await self.create_cluster(name, dedicated, [region], provider)

    async def streams(self, **params: str) -> list[dict[str, Any]]:
        body = await self.ok("GET", S, **params)
        return list(body["physical_replication_streams"])


@pytest.fixture
async def fake() -> AsyncIterator[FakeCloud]:
    async with FakeCloud(rate_limit=None) as f:
        yield f


@pytest.fixture
async def api(fake: FakeCloud) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as s:
        yield Api(s, fake)


@pytest.fixture
async def pair(api: Api) -> tuple[str, str]:
    return await api.cluster("primary-1"), await api.cluster("standby-1")


async def test_every_cluster_and_replication_operation_has_a_handler() -> None:
    fresh = FakeCloud()  # handlers are registered at construction; no need to start it
    ops = [
        op["operationId"]
        for path, operations in load_spec()["paths"].items()
        if path.startswith((C, S))
        for op in operations.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(ops) > 50
    assert {CREATE, UPDATE, "CockroachCloud_ListAvailableRegions"} <= set(ops)
    assert [op for op in ops if op not in fresh.handlers] == []


async def test_round_trip_and_failover(api: Api, fake: FakeCloud, pair: tuple[str, str]) -> None:
    primary, standby = pair
    created = await api.ok(
        "POST", S, {"primary_cluster_id": primary, "standby_cluster_id": standby}
    )
    assert created["status"] == "STARTING"
    assert (created["primary_cluster_id"], created["standby_cluster_id"]) == pair
    assert fake.stats.applied[CREATE] == 1
    url = f"{S}/{created['id']}"

    got = await api.ok("GET", url)
    assert got["status"] == "REPLICATING"  # STARTING settles (no start-up delay by default)
    assert got["created_at"] == created["created_at"]
    assert got["activated_at"] >= got["created_at"]
    assert got["retained_time"] <= got["replicated_time"]
    assert got["replication_lag_seconds"] >= 0
    assert [s["id"] for s in await api.streams()] == [created["id"]]

    failing = await api.ok("PATCH", url, {"status": "FAILING_OVER"})
    assert failing["status"] == "FAILING_OVER"
    assert failing["failover_at"] == failing["replicated_time"]  # latest consistent time
    assert fake.stats.applied[UPDATE] == 1
    done = await api.ok("GET", url)
    assert done["status"] == "COMPLETED"
    assert done["failover_at"] == failing["failover_at"]
    assert "replication_lag_seconds" not in done

    # A retried failover (its first reply lost) is answered, not refused, and changes nothing.
    assert (await api.ok("PATCH", url, {"status": "FAILING_OVER"}))["status"] == "COMPLETED"
    assert fake.stats.applied[UPDATE] == 1
    # Completed streams are listed only on request.
    assert await api.streams() == []
    assert [s["status"] for s in await api.streams(show_completed="true")] == ["COMPLETED"]
    # Once the stream is over, both clusters are free for a new one.
    again = {"primary_cluster_id": standby, "standby_cluster_id": primary}
    assert (await api.ok("POST", S, again))["status"] == "STARTING"


async def test_failover_at_a_chosen_time(api: Api, pair: tuple[str, str]) -> None:
    body = {"primary_cluster_id": pair[0], "standby_cluster_id": pair[1]}
    url = f"{S}/{(await api.ok('POST', S, body))['id']}"
    got = await api.ok("GET", url)
    await api.fails(
        "PATCH",
        url,
        {"status": "FAILING_OVER", "failover_at": "2001-01-01T00:00:00Z"},
        400,
        3,
        "failover_at: must not be before the retained time",
    )
    await api.fails(
        "PATCH", url, {"status": "FAILING_OVER", "failover_at": "yesterday"}, 400, 3, "failover_at"
    )
    assert (await api.ok("GET", url))["status"] == "REPLICATING"
    chosen = got["replicated_time"]
    failing = await api.ok("PATCH", url, {"status": "FAILING_OVER", "failover_at": chosen})
    assert failing["failover_at"] == chosen


async def test_cancel_and_invalid_transitions(
    api: Api, fake: FakeCloud, pair: tuple[str, str]
) -> None:
    body = {"primary_cluster_id": pair[0], "standby_cluster_id": pair[1]}
    url = f"{S}/{(await api.ok('POST', S, body))['id']}"
    canceled = await api.ok("PATCH", url, {"status": "CANCELED"})
    assert canceled["status"] == "CANCELED" and "canceled_at" in canceled
    assert fake.stats.applied[UPDATE] == 1
    assert (await api.ok("PATCH", url, {"status": "CANCELED"}))["status"] == "CANCELED"
    message = await api.fails("PATCH", url, {"status": "FAILING_OVER"}, 400, 9, "status")
    assert "CANCELED" in message
    assert fake.stats.applied[UPDATE] == 1
    assert (await api.ok("GET", url))["status"] == "CANCELED"

    # A completed stream cannot be canceled.
    url2 = f"{S}/{(await api.ok('POST', S, body))['id']}"
    await api.ok("PATCH", url2, {"status": "FAILING_OVER"})
    await api.fails("PATCH", url2, {"status": "CANCELED"}, 400, 9, "cannot move a COMPLETED")
    # Only FAILING_OVER and CANCELED can be asked for.
    for status in ("REPLICATING", "COMPLETED", "STARTING"):
        await api.fails("PATCH", url2, {"status": status}, 400, 3, "status: can only be set")
    await api.fails("PATCH", url2, {}, 400, 3, "status: is required")
    await api.fails("PATCH", url2, {"status": "CANCELED", "failover_at": "x"}, 400, 3)
    assert fake.stats.applied[UPDATE] == 2
    assert (await api.ok("GET", url2))["status"] == "COMPLETED"


async def test_not_found(api: Api, fake: FakeCloud, pair: tuple[str, str]) -> None:
    missing = f"{S}/00000000-0000-0000-0000-000000000000"
    await api.fails("GET", missing, None, 404, 5, "physical replication stream not found")
    await api.fails("PATCH", missing, {"status": "CANCELED"}, 404, 5)
    await api.fails(
        "POST",
        S,
        {"primary_cluster_id": "nope", "standby_cluster_id": pair[1]},
        404,
        5,
        "primary_cluster_id: cluster 'nope' not found",
    )
    await api.fails(
        "POST",
        S,
        {"primary_cluster_id": pair[0], "standby_cluster_id": "nope"},
        404,
        5,
        "standby_cluster_id",
    )
    assert await api.streams(show_completed="true") == []
    assert not fake.stats.applied.get(CREATE)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"primary_cluster_id": "P"}, "standby_cluster_id: is required"),
        ({"standby_cluster_id": "S"}, "primary_cluster_id: is required"),
        ({"primary_cluster_id": 7, "standby_cluster_id": "S"}, "primary_cluster_id: must be"),
        ({"primary_cluster_id": "P", "standby_cluster_id": "S", "x": 1}, "x: unknown field"),
        ({"primary_cluster_id": "P", "standby_cluster_id": "P"}, "standby_cluster_id: must"),
        ([], "request body: must be a JSON object"),
    ],
)
async def test_create_400_names_the_field(
    api: Api, fake: FakeCloud, pair: tuple[str, str], body: Any, text: str
) -> None:
    ids = {"P": pair[0], "S": pair[1]}
    if isinstance(body, dict):
        body = {k: ids.get(v, v) for k, v in body.items()}
    await api.fails("POST", S, body, 400, 3, text)
    assert await api.streams(show_completed="true") == []
    assert not fake.stats.applied.get(CREATE)


async def test_create_needs_live_free_matching_clusters(api: Api, fake: FakeCloud) -> None:
    primary = await api.cluster("primary-1")
    basic = await api.cluster("basic-one", dedicated=False)
    gcp = await api.cluster("gcp-cluster", provider="GCP")
    gone = await api.cluster("gone-cluster")
    await api.ok("DELETE", f"{C}/{gone}")

    def pair(p: str, s: str) -> dict[str, str]:
        return {"primary_cluster_id": p, "standby_cluster_id": s}

    await api.fails(
        "POST", S, pair(primary, gone), 400, 9, "standby_cluster_id: cluster is DELETED"
    )
    await api.fails(
        "POST", S, pair(gone, primary), 400, 9, "primary_cluster_id: cluster is DELETED"
    )
    await api.fails("POST", S, pair(primary, basic), 400, 9, "standby_cluster_id: physical")
    await api.fails("POST", S, pair(primary, gcp), 400, 3, "standby_cluster_id: must use")
    assert await api.streams(show_completed="true") == []
    assert not fake.stats.applied.get(CREATE)

    standby = await api.cluster("standby-1")
    first = await api.ok("POST", S, pair(primary, standby))
    third = await api.cluster("third-one")
    message = await api.fails("POST", S, pair(third, standby), 400, 9, "standby_cluster_id")
    assert first["id"] in message
    await api.fails("POST", S, pair(primary, third), 400, 9, "primary_cluster_id: cluster is")
    assert fake.stats.applied[CREATE] == 1


async def test_deleting_the_standby_cancels(api: Api, pair: tuple[str, str]) -> None:
    body = {"primary_cluster_id": pair[0], "standby_cluster_id": pair[1]}
    url = f"{S}/{(await api.ok('POST', S, body))['id']}"
    await api.ok("DELETE", f"{C}/{pair[1]}")
    assert (await api.ok("GET", url))["status"] == "CANCELED"


async def test_list_filters_and_pages(api: Api) -> None:
    ids = [await api.cluster(f"cluster-{i}") for i in range(6)]
    made = [
        await api.ok("POST", S, {"primary_cluster_id": p, "standby_cluster_id": s})
        for p, s in ((ids[0], ids[1]), (ids[2], ids[3]), (ids[4], ids[5]))
    ]
    await api.ok("PATCH", f"{S}/{made[2]['id']}", {"status": "CANCELED"})
    assert [s["id"] for s in await api.streams()] == [m["id"] for m in made[:2]]
    every = await api.streams(show_completed="true")
    assert [s["id"] for s in every] == [m["id"] for m in made]
    assert [s["id"] for s in await api.streams(primary_cluster_id=ids[2])] == [made[1]["id"]]
    assert [s["id"] for s in await api.streams(standby_cluster_id=ids[1])] == [made[0]["id"]]
    assert [s["id"] for s in await api.streams(cluster_id=ids[3])] == [made[1]["id"]]
    assert [s["id"] for s in await api.streams(cluster_id=ids[0])] == [made[0]["id"]]
    assert await api.streams(cluster_id=ids[4]) == []
    assert await api.streams(primary_cluster_id=ids[0], standby_cluster_id=ids[3]) == []

    first = await api.ok("GET", S, **{"pagination.limit": "2", "show_completed": "true"})
    assert len(first["physical_replication_streams"]) == 2
    rest = await api.ok(
        "GET",
        S,
        **{"pagination.limit": "2", "show_completed": "true"},
        **{"pagination.page": first["pagination"]["next_page"]},
    )
    assert [s["id"] for s in rest["physical_replication_streams"]] == [made[2]["id"]]
    assert not rest["pagination"].get("next_page")
    desc = await api.ok("GET", S, show_completed="1", **{"pagination.sort_order": "DESC"})
    assert [s["id"] for s in desc["physical_replication_streams"]] == [m["id"] for m in made][::-1]
    status, body = await api("GET", S, show_completed="maybe")
    assert (status, body["code"]) == (400, 3) and body["message"].startswith("show_completed")
