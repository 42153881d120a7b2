"""Keyset pagination: every item once, resumable, loop-proof, and leak-free on break."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from ccloud_async import BadRequestError, CockroachCloud, PaginationError
from ccloud_async.testing import FakeCloud

from ..conftest import KEY, emulator_thread, make_client
from ..support.http_stub import Handler, serve


def other_tasks() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()}


@pytest.fixture
async def seeded() -> AsyncIterator[FakeCloud]:
    async with FakeCloud(rate_limit=None, seed_clusters=95) as server:
        yield server


async def test_every_item_once_across_pages(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        names = [c.name async for c in cloud.clusters.list(limit=10)]
        pages = [p async for p in cloud.clusters.list(limit=10).pages()]
    assert len(names) == len(set(names)) == 95
    assert names == sorted(names)
    assert [len(p.items) for p in pages] == [10] * 9 + [5]
    assert pages[-1].next_page is None
    assert all(p.next_page for p in pages[:-1])


async def test_resume_from_a_saved_cursor(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        async with cloud.clusters.list(limit=20).pages() as pages:
            first = await pages.__anext__()
        rest = [c.name async for c in cloud.clusters.list(limit=20, page=first.next_page)]
    assert len(first.items) + len(rest) == 95
    assert {c.name for c in first.items}.isdisjoint(rest)


async def test_sort_order_desc(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        names = [c.name async for c in cloud.clusters.list(limit=30, sort_order="DESC")]
    assert names == sorted(names, reverse=True) and len(names) == 95


async def test_a_repeated_cursor_raises_instead_of_looping() -> None:
    calls = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        body = {"clusters": [], "pagination": {"next_page": "same-token"}}
        return web.json_response(body)

    async with (
        serve(handler, "/api/v1/clusters") as url,
        CockroachCloud(api_key=KEY, base_url=url, limiter=None) as cloud,
    ):
        with pytest.raises(PaginationError, match="same-token"):
            async for _ in cloud.clusters.list():
                pass
    assert calls == 2


async def test_break_and_cancel_leave_nothing_behind() -> None:
    with emulator_thread(rate_limit=10, seed_clusters=60) as server:
        async with CockroachCloud(api_key=KEY, base_url=server.url) as cloud:
            before = other_tasks()
            seen = 0
            async for _ in cloud.clusters.list(limit=10):
                seen += 1
                if seen == 15:
                    break
            await asyncio.sleep(0.01)
            assert other_tasks() - before == set()

            async def consume() -> None:
                async for _ in cloud.clusters.list(limit=10):
                    await asyncio.sleep(0.05)

            task = asyncio.create_task(consume())
            await asyncio.sleep(0.4)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.01)
            assert other_tasks() - before == set()
            # The limiter is free again: the next request goes straight out.
            await asyncio.sleep(0.2)
            loop = asyncio.get_running_loop()
            started = loop.time()
            await cloud.clusters.list(limit=1).first_page()
            assert loop.time() - started < 0.3


async def test_to_list_and_first_page(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        everything = await cloud.clusters.list(limit=50).to_list()
        first = await cloud.clusters.list(limit=7).first_page()
    assert len(everything) == 95
    assert len(first.items) == 7 and first.cursor is None and first.next_page


# --- lists that are not keyset-paginated ------------------------------------------------

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"


async def test_scim_lists_walk_pages_by_start_index(fake: FakeCloud) -> None:
    async with make_client(fake) as cloud:
        made = []
        for i in range(7):
            email = f"u{i}@acme.example"
            user = await cloud.scim.create_user(
                schemas=[USER_URN], user_name=email, emails=[{"value": email, "primary": True}]
            )
            made.append(user.id)
        route = ("GET", "/api/scim/v2/Users")
        before = fake.stats.by_route[route]
        pages = [p async for p in cloud.scim.list_users(count=3).pages()]
        assert fake.stats.by_route[route] - before == 3
        users = await cloud.scim.list_users(count=3, attributes="userName").to_list()
        from_second = await cloud.scim.list_users(count=3, start_index=4).to_list()
    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert [(p.cursor, p.next_page) for p in pages] == [(None, "4"), ("4", "7"), ("7", None)]
    assert [u.id for u in users] == made
    assert [u.id for u in from_second] == made[3:]


def _scim_pages(pages: list[dict[str, object]], seen: list[str]) -> Handler:
    """Answer GET /api/scim/v2/Users with ``pages`` in turn (the last forever)."""

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.query.get("startIndex", ""))
        return web.json_response(pages[min(len(seen), len(pages)) - 1])

    return handler


def _scim(start: int, ids: list[str], total: int) -> dict[str, object]:
    return {
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(ids),
        "Resources": [{"id": i, "userName": i} for i in ids],
    }


@pytest.mark.parametrize(
    ("pages", "match", "requests"),
    [
        # The server owes 5 users but sends none: no progress.
        ([_scim(1, ["a", "b"], 5), _scim(3, [], 5)], "no items at startIndex 3", ["", "3"]),
        # The server ignores startIndex and sends the first page again.
        ([_scim(1, ["a", "b"], 5)], "repeated page cursor '3'", ["", "3"]),
    ],
)
async def test_a_scim_server_that_makes_no_progress_raises(
    pages: list[dict[str, object]], match: str, requests: list[str]
) -> None:
    seen: list[str] = []
    async with (
        serve(_scim_pages(pages, seen), "/api/scim/v2/Users") as url,
        CockroachCloud(api_key=KEY, base_url=url, limiter=None) as cloud,
    ):
        with pytest.raises(PaginationError, match=match):
            async for _ in cloud.scim.list_users(count=2):
                pass
    assert seen == requests


async def test_count_zero_is_one_page_of_nothing() -> None:
    seen: list[str] = []
    async with (
        serve(_scim_pages([_scim(1, [], 5)], seen), "/api/scim/v2/Users") as url,
        CockroachCloud(api_key=KEY, base_url=url, limiter=None) as cloud,
    ):
        assert await cloud.scim.list_users(count=0).to_list() == []
    assert seen == [""]


async def test_unpaginated_lists_are_pagers_of_one_page(fake: FakeCloud) -> None:
    async with make_client(fake) as cloud:
        pager = cloud.invoices.list()
        pages = [p async for p in pager.pages()]
        invoices = await cloud.invoices.list().to_list()
    assert len(pages) == 1 and pages[0].cursor is None and pages[0].next_page is None
    assert invoices and [i.invoice_id for i in invoices] == [i.invoice_id for i in pages[0].items]


async def test_default_page_size_is_the_largest_and_falls_back_if_refused() -> None:
    seen: list[str | None] = []
    cap: dict[str, int | None] = {"max": None}

    async def handler(request: web.Request) -> web.Response:
        limit = request.query.get("pagination.limit")
        seen.append(limit)
        if limit is not None and cap["max"] is not None and int(limit) > cap["max"]:
            body = {"code": 3, "message": "pagination.limit: must be at most 100", "details": []}
            return web.json_response(body, status=400)
        return web.json_response({"clusters": [], "pagination": {}})

    async with (
        serve(handler, "/api/v1/clusters") as url,
        CockroachCloud(api_key=KEY, base_url=url, limiter=None) as cloud,
    ):
        assert [c async for c in cloud.clusters.list()] == []
        assert seen == ["500"]
        seen.clear()
        cap["max"] = 100  # a server that refuses our default
        assert [c async for c in cloud.clusters.list()] == []
        assert seen == ["500", None]
        seen.clear()
        with pytest.raises(BadRequestError):  # a size the caller chose is not changed
            [c async for c in cloud.clusters.list(limit=200)]
        assert seen == ["200"]
