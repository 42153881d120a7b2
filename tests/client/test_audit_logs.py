"""The audit log through the client: ASC, DESC, follow and resume, each entry exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from ccloud_async import CockroachCloud
from ccloud_async.audit.cursor import AuditResume
from ccloud_async.testing import FakeCloud
from ccloud_async.testing.audit_log import canonical

from ..conftest import KEY, make_client
from ..support.http_stub import serve

SEEDED = 2500


@pytest.fixture
async def seeded() -> AsyncIterator[FakeCloud]:
    async with FakeCloud(rate_limit=None, audit_entries=SEEDED) as server:
        yield server


def expected_ids(fake: FakeCloud, *, reverse: bool = False) -> list[str]:
    entries = sorted(fake.audit.entries, key=lambda e: canonical(e["created_at"]))
    ids = [e["id"] for e in entries]
    return ids[::-1] if reverse else ids


async def test_asc_yields_every_entry_once_in_order(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        ids = [e.id async for e in cloud.audit_logs.list(limit=100)]
    assert len(ids) == SEEDED
    assert ids == expected_ids(seeded)
    # The emulator really did repeat boundary entries and share timestamps.
    stamps = [e["created_at"] for e in seeded.audit.entries]
    assert len(set(stamps)) < len(stamps)


async def test_desc_yields_every_entry_once_newest_first(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        ids = [e.id async for e in cloud.audit_logs.list(sort_order="DESC", limit=150)]
    assert len(ids) == len(set(ids)) == SEEDED
    assert ids == expected_ids(seeded, reverse=True)


async def test_starting_from_is_exclusive_and_kept_raw(seeded: FakeCloud) -> None:
    middle = seeded.audit.entries[1000]["created_at"]
    async with make_client(seeded) as cloud:
        after = [e async for e in cloud.audit_logs.list(starting_from=middle, limit=200)]
    later = [
        e["id"] for e in seeded.audit.entries if canonical(e["created_at"]) > canonical(middle)
    ]
    assert [e.id for e in after] == later


async def test_pages_expose_raw_cursors(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        pages = [p async for p in cloud.audit_logs.list(limit=500).pages()]
    assert sum(len(p.entries) for p in pages) == SEEDED
    assert pages[-1].caught_up and pages[-1].entries == []
    assert all(isinstance(p.next_starting_from, str) for p in pages)
    # Cursors are the server's strings, nanoseconds included when it sent them.
    raw = {e["created_at"] for e in seeded.audit.entries}
    assert all(p.next_starting_from in raw for p in pages[:-1])


@pytest.mark.parametrize("stop_after", [1, 137, 1999])
async def test_resume_after_an_interruption_loses_and_repeats_nothing(
    seeded: FakeCloud, stop_after: int
) -> None:
    async with make_client(seeded) as cloud:
        first: list[str] = []
        iterator = cloud.audit_logs.list(limit=100).__aiter__()
        async for entry in iterator:
            first.append(entry.id)
            if len(first) == stop_after:
                break
        token = iterator.resume_point().token()
        rest = [e.id async for e in cloud.audit_logs.list(resume=token, limit=100)]
    assert first + rest == expected_ids(seeded)


async def test_resume_from_a_page(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        async for page in cloud.audit_logs.list(limit=300).pages():
            saved = page.resume
            head = [e.id for e in page.entries]
            break
        rest = [e.id async for e in cloud.audit_logs.list(resume=saved, limit=300)]
    assert head + rest == expected_ids(seeded)
    assert AuditResume.from_token(saved.token()) == saved


async def test_follow_picks_up_entries_written_while_following() -> None:
    async with FakeCloud(rate_limit=None, audit_entries=120) as fake:
        async with make_client(fake) as cloud:
            got: list[str] = []

            async def follow() -> None:
                async for entry in cloud.audit_logs.list(limit=50, follow=True, poll_interval=0.05):
                    got.append(entry.id)

            task = asyncio.create_task(follow())
            await asyncio.sleep(0.3)
            assert len(got) == 120
            for i in range(3):  # written while following, some sharing a timestamp
                await cloud.clusters.create(
                    name=f"followed-{i}",
                    provider="GCP",
                    spec={"serverless": {"regions": ["us-central1"]}},
                )
            stamp = fake.audit.entries[-1]["created_at"]
            fake.audit.record("AUDIT_LOG_ACTION_USER_LOGIN", created_at=stamp)
            await asyncio.sleep(0.4)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    assert got == expected_ids(fake)
    assert len(got) == 124


async def test_follow_needs_asc(client: CockroachCloud) -> None:
    with pytest.raises(ValueError, match="ASC"):
        client.audit_logs.list(sort_order="DESC", follow=True)
    with pytest.raises(ValueError, match="resume token"):
        client.audit_logs.list(resume="garbage")


async def test_mutations_file_audit_entries(client: CockroachCloud, fake: FakeCloud) -> None:
    created = await client.clusters.create(
        name="audited-one", provider="GCP", spec={"serverless": {"regions": ["us-central1"]}}
    )
    await client.sql_users.create(created.id, name="app", password="s3cret-pass-word")
    await client.clusters.delete(created.id)
    entries = [e async for e in client.audit_logs.list()]
    actions = [str(e.action) for e in entries]
    assert actions == [
        "AUDIT_LOG_ACTION_CREATE_CLUSTER",
        "AUDIT_LOG_ACTION_CREATE_SQL_USER",
        "AUDIT_LOG_ACTION_DELETE_CLUSTER",
    ]
    assert {e.cluster_name for e in entries} == {"audited-one"}
    assert {e.cluster_id for e in entries} == {created.id}


# --- what the README promises of the stream -------------------------------------------------


async def test_the_stream_itself_knows_where_to_resume(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        stream = cloud.audit_logs.list(limit=100)
        assert stream.resume_point() == AuditResume(None, "ASC")  # nothing read yet
        handled = []
        async for entry in stream:
            handled.append(entry.id)
            if len(handled) == 150:
                break
        token = stream.resume_point().token()
        rest = [e.id async for e in cloud.audit_logs.list(resume=token, limit=100)]
    assert handled + rest == expected_ids(seeded)


async def test_audit_pages_have_items_like_keyset_pages(seeded: FakeCloud) -> None:
    async with make_client(seeded) as cloud:
        pages = cloud.audit_logs.list(limit=1000).pages()
        page = await pages.__anext__()
    assert page.items is page.entries and len(page.items) >= 1000


async def test_the_stream_asks_for_1000_entries_a_page_by_default(seeded: FakeCloud) -> None:
    route = ("GET", "/api/v1/auditlogevents")
    async with make_client(seeded) as cloud:
        ids = [e.id async for e in cloud.audit_logs.list()]
    assert len(ids) == SEEDED
    # 2,500 entries: three pages and the empty "caught up" answer (at 100 a page: 26).
    assert seeded.stats.by_route[route] == 4


async def test_a_refused_page_size_falls_back_to_the_api_default() -> None:
    asked: list[str | None] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        limit = request.query.get("limit")
        asked.append(limit)
        if limit is not None:
            body = {"code": 3, "message": "limit must be at most 500", "details": []}
            return web.json_response(body, status=400)
        if request.query.get("starting_from"):
            return web.json_response({"entries": [], "next_starting_from": "2026-01-01T00:00:01Z"})
        entry = {"id": "e1", "created_at": "2026-01-01T00:00:01Z"}
        return web.json_response({"entries": [entry], "next_starting_from": entry["created_at"]})

    async with serve(handler) as url:
        async with CockroachCloud(api_key=KEY, base_url=url, limiter=None) as cloud:
            ids = [e.id async for e in cloud.audit_logs.list()]
    assert ids == ["e1"]
    assert asked == ["1000", None, None]
