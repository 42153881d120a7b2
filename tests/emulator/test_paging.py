"""Keyset pagination in the emulator (``testing/paging.py``), over real HTTP.

Every keyset list shares one implementation: opaque page tokens, a page size capped at
500 and ``pagination.as_of_time``, which leaves out items created after it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest

from ccloud_async.testing import FakeCloud
from ccloud_async.testing.common import timestamp
from ccloud_async.testing.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

from ..support.emulator_client import CLUSTERS, AreaApi

SA = "/api/v1/service-accounts"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
async def api(session: aiohttp.ClientSession) -> AsyncIterator[AreaApi]:
    async with FakeCloud(rate_limit=None) as fake:
        yield AreaApi(session, fake)


async def walk(api: AreaApi, path: str, field: str, **params: str) -> tuple[list[Any], int]:
    """Every item of a list, page by page; also the number of pages."""
    items: list[Any] = []
    query = dict(params)
    for pages in range(1, 1000):  # a broken cursor must fail the test, not hang it
        body = await api.ok("GET", path, **query)
        items += body[field]
        token = body["pagination"].get("next_page")
        if not token:
            return items, pages
        query["pagination.page"] = token
    raise AssertionError("pagination did not end")


def now() -> str:
    return timestamp(datetime.now(timezone.utc))


def tamper(token: str, change: Any) -> str:
    data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    change(data)
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- pagination.as_of_time ----------------------------------------------------------------


async def test_as_of_time_leaves_out_clusters_created_later(api: AreaApi) -> None:
    first = await api.create_cluster("first-one", False, ["us-east-1"])
    made = (await api.ok("GET", f"{CLUSTERS}/{first}"))["created_at"]
    await api.create_cluster("second-one", False, ["us-east-1"])

    async def names(**params: str) -> list[str]:
        return [c["name"] for c in (await api.ok("GET", CLUSTERS, **params))["clusters"]]

    assert await names() == ["first-one", "second-one"]
    assert await names(**{"pagination.as_of_time": made}) == ["first-one"]
    # Any RFC 3339 spelling of the same moment: an offset, nanoseconds.
    moment = datetime.fromisoformat(made.replace("Z", "+00:00"))
    east = moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    assert await names(**{"pagination.as_of_time": east}) == ["first-one"]
    assert await names(**{"pagination.as_of_time": made.replace("Z", "999Z")}) == ["first-one"]
    before = timestamp(moment - timedelta(microseconds=1))
    assert await names(**{"pagination.as_of_time": before}) == []

    # Deleted since: listed (with show_inactive) as it is now, not as it was.
    await api.ok("DELETE", f"{CLUSTERS}/{first}")
    listed = await api.ok("GET", CLUSTERS, show_inactive="true", **{"pagination.as_of_time": made})
    assert [(c["name"], c["state"]) for c in listed["clusters"]] == [("first-one", "DELETED")]

    for bad in ("yesterday", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00"):
        text = await api.fails("GET", CLUSTERS + f"?pagination.as_of_time={bad}", None, 400, 3)
        assert text.startswith("pagination.as_of_time:"), text


async def test_as_of_time_in_every_kind_of_list(api: AreaApi) -> None:
    cid = await api.create_cluster("as-of-test", True, ["us-east-1"])
    dbs, allowlist = f"{CLUSTERS}/{cid}/databases", f"{CLUSTERS}/{cid}/networking/allowlist"
    account = {"name": "early", "description": "", "roles": []}
    entry = {"cidr_ip": "10.0.0.0", "cidr_mask": 8, "ui": True, "sql": False, "name": "early"}
    await api.ok("POST", dbs, {"name": "early"})
    await api.ok("POST", allowlist, entry)
    await api.ok("POST", SA, account)
    await asyncio.sleep(0.002)
    cutoff = now()
    await asyncio.sleep(0.002)
    await api.ok("POST", dbs, {"name": "late"})
    await api.ok("POST", allowlist, {**entry, "cidr_ip": "10.1.0.0", "name": "late"})
    await api.ok("POST", SA, {**account, "name": "late"})

    as_of = {"pagination.as_of_time": cutoff}
    names = [d["name"] for d in (await api.ok("GET", dbs, **as_of))["databases"]]
    assert "early" in names and "late" not in names
    assert "defaultdb" in names  # there since the cluster was made
    entries = (await api.ok("GET", allowlist, **as_of))["allowlist"]
    assert [e["name"] for e in entries] == ["early"]
    accounts = (await api.ok("GET", SA, **as_of))["service_accounts"]
    assert [a["name"] for a in accounts] == ["early"]
    assert len((await api.ok("GET", SA))["service_accounts"]) == 2


# --- page tokens ------------------------------------------------------------------------


async def test_page_tokens_are_opaque_and_checked(session: aiohttp.ClientSession) -> None:
    async with FakeCloud(rate_limit=None, seed_clusters=5) as fake:
        api = AreaApi(session, fake)
        body = await api.ok("GET", CLUSTERS, **{"pagination.limit": "2"})
        token = body["pagination"]["next_page"]
        assert "fleet" not in token  # opaque: no names in sight
        again = await api.ok("GET", CLUSTERS, **{"pagination.limit": "2", "pagination.page": token})
        assert [c["name"] for c in again["clusters"]] == ["fleet-0003", "fleet-0004"]

        def flip_order(data: dict[str, Any]) -> None:
            data["order"] = "DESC"

        def drop_after(data: dict[str, Any]) -> None:
            del data["after"]

        def short_after(data: dict[str, Any]) -> None:
            data["after"] = ["fleet-0002"]

        for bad in (
            token[:-3] + "!!!",  # not base64
            token[: len(token) // 2],  # cut short: not JSON
            base64.urlsafe_b64encode(b"[1, 2]").decode(),  # JSON, but not a token
            tamper(token, flip_order),
            tamper(token, drop_after),
            tamper(token, short_after),
        ):
            url = f"{CLUSTERS}?pagination.page={bad}"
            text = await api.fails("GET", url, None, 400, 3)
            assert text.startswith("pagination.page:"), text

        # The org areas' lists use the same tokens.
        for i in range(3):
            await api.ok("POST", SA, {"name": f"sa-{i}", "description": "", "roles": []})
        listing = await api.ok("GET", SA, **{"pagination.limit": "1"})
        bad = tamper(listing["pagination"]["next_page"], drop_after)
        text = await api.fails("GET", f"{SA}?pagination.page={bad}", None, 400, 3)
        assert text.startswith("pagination.page:"), text


# --- page size ---------------------------------------------------------------------------


async def test_page_size_is_clamped_to_the_cap(session: aiohttp.ClientSession) -> None:
    async with FakeCloud(rate_limit=None, seed_clusters=MAX_PAGE_SIZE + 20) as fake:
        api = AreaApi(session, fake)
        for asked in (MAX_PAGE_SIZE + 1, 100_000, 2**31 - 1):
            body = await api.ok("GET", CLUSTERS, **{"pagination.limit": str(asked)})
            assert len(body["clusters"]) == MAX_PAGE_SIZE and body["pagination"]["next_page"]
        body = await api.ok("GET", CLUSTERS, **{"pagination.limit": "0"})
        assert len(body["clusters"]) == DEFAULT_PAGE_SIZE
        clusters, pages = await walk(
            api, CLUSTERS, "clusters", **{"pagination.limit": str(10 * MAX_PAGE_SIZE)}
        )
        assert (len(clusters), pages) == (MAX_PAGE_SIZE + 20, 2)


async def test_twenty_thousand_clusters_list_completely(session: aiohttp.ClientSession) -> None:
    count = 20_000
    async with FakeCloud(rate_limit=None, seed_clusters=count) as fake:
        api = AreaApi(session, fake)
        api.validates = lambda template: False  # type: ignore[method-assign]  # 40 x 500 bodies
        started = time.perf_counter()
        clusters, pages = await walk(
            api, CLUSTERS, "clusters", **{"pagination.limit": str(MAX_PAGE_SIZE)}
        )
        elapsed = time.perf_counter() - started
    assert pages == count // MAX_PAGE_SIZE
    assert [c["name"] for c in clusters] == sorted(f"fleet-{i:04d}" for i in range(1, count + 1))
    assert elapsed < 10, f"listing {count} clusters took {elapsed:.1f}s"
