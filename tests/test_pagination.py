"""Keyset pagination: every item once, resumable, loop-proof, and leak-free on break."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from ccloud_async import CockroachCloud, PaginationError
from ccloud_async.testing import FakeCloud

from .conftest import KEY, emulator_thread, make_client


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

    app = web.Application()
    app.router.add_get("/api/v1/clusters", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with CockroachCloud(
            api_key=KEY, base_url=f"http://127.0.0.1:{port}", limiter=None
        ) as cloud:
            with pytest.raises(PaginationError, match="same-token"):
                async for _ in cloud.clusters.list():
                    pass
    finally:
        await runner.cleanup()
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
