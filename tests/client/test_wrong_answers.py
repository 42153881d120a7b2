"""A wrong answer never looks like success: hostile and broken servers, item by item.

Each test stands for one failure mode an adversarial review found: a redirect, an empty
or garbled 2xx, aiohttp's silent re-send, a lock refusal matched too loosely, an audit
cursor that goes back, an error that does not unpickle, a 429 that did not pause the
client, a secret echoed by a proxy, a bad setting, a huge body, an endless pager, a
second event loop, loose int64 parsing, and a limiter held up by hung requests.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import pickle
import threading
import time
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from aiohttp import web

import ccloud_async
from ccloud_async import (
    APIConnectionError,
    ClientStateError,
    CockroachCloud,
    ConfigurationError,
    InProcessLimiter,
    PaginationError,
    RateLimitedError,
    RedirectError,
    ResponseDecodeError,
    ResponseTooLargeError,
    RetryPolicy,
)
from ccloud_async._http.retry import is_lock_rejection
from ccloud_async.models import UsageLimits, decode
from ccloud_async.testing import FakeCloud, Fault

from ..conftest import KEY, SERVERLESS, make_client
from ..support.http_stub import serve

CLUSTER = {"id": "c1", "name": "real-cluster", "state": "CREATED"}


def stub_client(url: str, *, max_retries: int = 2, **kwargs: Any) -> CockroachCloud:
    kwargs["retry_policy"] = RetryPolicy(
        max_retries=max_retries, backoff_initial=0.01, backoff_max=0.02
    )
    return CockroachCloud(api_key=KEY, base_url=url, limiter=None, **kwargs)


# --- 1. only 2xx is success ---------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_an_error_naming_its_host(status: int) -> None:
    sent: list[str] = []

    async def redirect(request: web.Request) -> web.StreamResponse:
        sent.append(request.method)
        return web.Response(status=status, headers={"Location": "https://evil.example/x?k=1"})

    async with serve(redirect) as url, stub_client(url) as cloud:
        for call in (cloud.clusters.get("c1"), cloud.clusters.delete("c1")):
            with pytest.raises(RedirectError) as caught:
                await call
            assert caught.value.status == status
            assert caught.value.location_host == "evil.example"
            assert "evil.example" in str(caught.value) and "k=1" not in str(caught.value)
        with pytest.raises(RedirectError):
            await cloud.clusters.list().to_list()
    assert sent == ["GET", "DELETE", "GET"]  # not followed, not retried


# --- 2. an empty 2xx is the empty message only where the operation answers nothing -----


@pytest.mark.parametrize("status", [200, 204])
async def test_an_empty_success_body_is_not_a_model(status: int) -> None:
    async def empty(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, body=b"" if status == 204 else b"  \n")

    async with serve(empty) as url, stub_client(url, max_retries=0) as cloud:
        with pytest.raises(ResponseDecodeError, match="empty") as caught:
            await cloud.clusters.get("c1")
        assert caught.value.malformed
        assert await cloud.folders.delete("f1") == {}  # an untyped answer: empty is fine


# --- 3 and 4. every wire attempt counts; a garbled answer to a safe request is retried --


class _KeepAliveThenDrop:
    """A raw HTTP server: answers the first request on a connection and keeps it open,
    then closes it on the next request without answering (the case aiohttp re-sends)."""

    def __init__(self) -> None:
        self.requests = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        answered = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                length = next(
                    (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-length:")),
                    0,
                )  # fmt: skip
                if length:
                    await reader.readexactly(length)
                if answered:
                    break  # drop the kept-alive connection unanswered
                body = json.dumps(CLUSTER).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                answered += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_aiohttp_silent_resend_counts_against_max_retries() -> None:
    handler = _KeepAliveThenDrop()
    server = await asyncio.start_server(handler.serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with stub_client(url, max_retries=0) as cloud:
            assert (await cloud.clusters.get("c1")).name == "real-cluster"
            with pytest.raises(APIConnectionError):
                await cloud.clusters.get("c1")  # its connection is dropped: no re-send
        assert handler.requests == 2  # aiohttp alone would have sent it a third time
        handler.requests = 0
        async with stub_client(url, max_retries=1) as cloud:
            await cloud.clusters.get("c1")
            assert (await cloud.clusters.get("c1")).name == "real-cluster"  # re-sent once
        assert handler.requests == 3
    finally:
        server.close()
        await server.wait_closed()


async def test_a_garbled_answer_is_retried_only_where_a_resend_is_safe(fake: FakeCloud) -> None:
    async with make_client(fake) as cloud:
        created = await cloud.clusters.create(name="garbled-one", provider="GCP", spec=SERVERLESS)
        fake.faults.add(Fault("truncated", method="GET", path="/clusters/"))
        assert (await cloud.clusters.get(created.id)).id == created.id
        fake.faults.add(Fault("truncated", method="POST", path="/sql-users"))
        with pytest.raises(ResponseDecodeError) as caught:
            await cloud.sql_users.create(created.id, name="app", password="a-long-password")
        assert caught.value.malformed
    assert fake.stats.applied["CockroachCloud_CreateSQLUser"] == 1  # not sent twice


async def test_a_resent_delete_that_finds_nothing_is_done(fake: FakeCloud) -> None:
    async with make_client(fake) as cloud:
        created = await cloud.clusters.create(name="lost-answer", provider="GCP", spec=SERVERLESS)
        await cloud.sql_users.create(created.id, name="app", password="a-long-password")
        fake.faults.add(Fault("reset", method="DELETE", after_apply=True))
        gone = await cloud.sql_users.delete(created.id, "app")  # re-sent: 404, yet done
        assert [u async for u in cloud.sql_users.list(created.id)] == []
    assert gone.name == "" and fake.stats.applied["CockroachCloud_DeleteSQLUser"] == 1


# --- 5. the lock refusal, and nothing that only contains the letters --------------------


def test_lock_refusals_are_matched_as_words() -> None:
    assert is_lock_rejection(400, "cluster is locked: an operation is in progress")
    assert is_lock_rejection(400, "Cluster LOCKED by a job")
    assert is_lock_rejection(503, "")
    assert not is_lock_rejection(400, "invalid CIDR block 10.0.0.0/33")
    assert not is_lock_rejection(400, "clock skew too large")


# --- 6. the audit cursor moves one way, and entries without an id are all kept ---------


def _audit_server(pages: list[dict[str, Any]]) -> Any:
    answers = iter(pages)

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(next(answers, {"entries": [], "next_starting_from": "x"}))

    return handler


def _entry(at: str, entry_id: str | None, action: str = "AUDIT_LOG_ACTION_USER_LOGIN") -> Any:
    entry: dict[str, Any] = {"created_at": at, "action": action}
    if entry_id is not None:
        entry["id"] = entry_id
    return entry


async def test_an_audit_cursor_that_goes_back_stops_the_walk() -> None:
    at = "2026-01-01T00:00:0{}Z".format
    pages = [
        {"entries": [_entry(at(2), "b")], "next_starting_from": at(2)},
        {"entries": [_entry(at(3), "c")], "next_starting_from": at(1)},
    ]
    async with serve(_audit_server(pages)) as url, stub_client(url) as cloud:
        seen = []
        with pytest.raises(PaginationError, match="backwards"):
            async for entry in cloud.audit_logs.list(starting_from="2026-01-01T00:00:00Z"):
                seen.append(entry.id)
    assert seen == ["b"]  # the page with the bogus cursor is not taken at its word


async def test_audit_entries_without_an_id_are_all_kept() -> None:
    first = [_entry("2026-01-01T00:00:01Z", None, f"AUDIT_LOG_ACTION_{n}") for n in "AB"]
    second = [_entry("2026-01-01T00:00:02Z", None, "AUDIT_LOG_ACTION_C")]
    pages = [
        {"entries": first, "next_starting_from": "2026-01-01T00:00:01Z"},
        {"entries": [*first, *second], "next_starting_from": "2026-01-01T00:00:02Z"},
        {"entries": second, "next_starting_from": "2026-01-01T00:00:02Z"},
    ]
    async with serve(_audit_server(pages)) as url, stub_client(url) as cloud:
        actions = [e.action async for e in cloud.audit_logs.list()]
    assert actions == ["AUDIT_LOG_ACTION_A", "AUDIT_LOG_ACTION_B", "AUDIT_LOG_ACTION_C"]


# --- 7. every public exception survives a process pool -----------------------------------


def _instances() -> list[BaseException]:
    made: list[BaseException] = []
    for name in ccloud_async.__all__:
        cls = getattr(ccloud_async, name, None)
        if not (isinstance(cls, type) and issubclass(cls, ccloud_async.CloudError)):
            continue
        kwargs: dict[str, Any] = {}
        if issubclass(cls, ccloud_async.APIStatusError):
            kwargs = {"status": 418, "code": 3, "method": "GET", "path": "/x", "request_id": "r"}
        elif issubclass(cls, ccloud_async.WaitError):
            kwargs = {"state": "CREATING"}
        elif issubclass(cls, ccloud_async.APIError):
            kwargs = {"method": "GET", "path": "/x"}
        made.append(cls("boom", **kwargs))
    return made


def test_every_public_exception_round_trips_through_pickle() -> None:
    errors = _instances()
    assert len(errors) >= 20
    for error in errors:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert str(again) == str(error) and vars(again) == vars(error)


# --- 9. a 429 beyond the cap still pauses everyone ------------------------------------------


async def test_a_429_beyond_the_cap_raises_and_pauses_the_client() -> None:
    async with FakeCloud(rate_limit=None) as fake:
        fake.faults.add(Fault("rate_limit", retry_after_seconds=600))
        async with CockroachCloud(
            api_key=KEY, base_url=fake.url, limiter=InProcessLimiter(), max_retry_after=1.5
        ) as cloud:
            with pytest.raises(RateLimitedError) as caught:
                await cloud.organization.get()
            assert caught.value.retry_after == 600
            assert 1.0 < cloud.limiter.paused_for <= 1.5  # type: ignore[attr-defined]
            started = time.monotonic()
            await cloud.organization.get()
            assert time.monotonic() - started >= 1.0


# --- 10-12. secrets and settings ------------------------------------------------------------


async def test_an_echoing_proxy_cannot_put_a_secret_in_an_error() -> None:
    async def echo(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        auth = request.headers.get("Authorization", "")
        return web.Response(status=502, body=b"upstream said: " + body + auth.encode())

    password = "Sup3r-Secret-Passw0rd"
    async with serve(echo) as url, stub_client(url, max_retries=0) as cloud:
        with pytest.raises(ccloud_async.ServerError) as caught:
            await cloud.sql_users.create("c1", name="app", password=password)
    text = str(caught.value) + repr(caught.value)
    assert password not in text and KEY not in text and "***" in text


def test_settings_that_could_leak_or_break_headers_are_refused() -> None:
    with pytest.raises(ConfigurationError) as caught:
        CockroachCloud(api_key=KEY, base_url="ftp://admin:hunter22@example.com")
    assert "hunter22" not in str(caught.value)
    with pytest.raises(ConfigurationError, match="https"):
        CockroachCloud(api_key=KEY, base_url="http://attacker.localhost:8080")
    CockroachCloud(api_key=KEY, base_url="http://localhost:8080")
    for bad in ({"api_version": "2024-09-16\x00"}, {"username": "ada\x07"}):
        with pytest.raises(ConfigurationError, match="control characters"):
            CockroachCloud(jwt="a.b.c", vanity_name="acme", **bad)
    with pytest.raises(ConfigurationError):
        CockroachCloud(jwt="a.b.c", vanity_name="acme\tcorp")


# --- 13. a body too large to hold -------------------------------------------------------------


async def test_a_huge_or_decompression_bomb_body_is_refused() -> None:
    bomb = gzip.compress(b" " * (8 * 1024 * 1024))  # 8 MiB of JSON whitespace, ~8 KiB sent

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("bomb"):
            headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
            return web.Response(body=bomb, headers=headers)
        return web.json_response({**CLUSTER, "name": "x" * 5000})

    async with serve(handler) as url, stub_client(url, max_response_bytes=4096) as cloud:
        with pytest.raises(ResponseTooLargeError):
            await cloud.clusters.get("c1")
        with pytest.raises(ResponseTooLargeError):
            await cloud.clusters.get("bomb")


# --- 14. pagers that would never end, and prefetches nobody asked about -----------------------


async def test_endless_empty_pages_stop() -> None:
    served = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal served
        served += 1
        return web.json_response({"clusters": [], "pagination": {"next_page": f"p{served}"}})

    async with serve(endless) as url, stub_client(url) as cloud:
        with pytest.raises(PaginationError, match="empty pages"):
            await cloud.clusters.list().to_list()
    assert served == 10


async def test_a_dropped_pager_whose_prefetch_failed_logs_nothing() -> None:
    async def failing_second(request: web.Request) -> web.StreamResponse:
        if request.query.get("pagination.page"):
            return web.json_response({"code": 3, "message": "bad page"}, status=400)
        return web.json_response({"clusters": [CLUSTER], "pagination": {"next_page": "p2"}})

    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        async with serve(failing_second) as url, stub_client(url) as cloud:
            async for _ in cloud.clusters.list():
                await asyncio.sleep(0.05)  # the prefetch of page 2 fails meanwhile
                break
            gc.collect()
            await asyncio.sleep(0.05)
            gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert reported == []


# --- 15. one client per event loop, and closed means closed ------------------------------------


async def _use_from_another_loop(cloud: CockroachCloud) -> BaseException | None:
    caught: list[BaseException] = []

    def other_loop() -> None:
        async def use() -> None:
            try:
                await cloud.organization.get()
            except BaseException as exc:
                caught.append(exc)

        asyncio.run(use())

    thread = threading.Thread(target=other_loop)
    thread.start()
    await asyncio.to_thread(thread.join)
    return caught[0] if caught else None


async def test_a_second_event_loop_gets_a_clear_error_and_closed_means_closed(
    fake: FakeCloud,
) -> None:
    cloud = make_client(fake, limiter=InProcessLimiter())
    await cloud.organization.get()
    error = await _use_from_another_loop(cloud)
    assert isinstance(error, ClientStateError) and "event loop" in str(error)
    await cloud.aclose()
    with pytest.raises(ClientStateError, match="closed"):
        await cloud.organization.get()


# The first loop ends with its connections open (the case under test): their sockets
# are only reclaimed by the garbage collector, which warns.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_client_used_by_one_loop_after_another_rebinds(fake_thread_url: str) -> None:
    cloud = CockroachCloud(api_key=KEY, base_url=fake_thread_url, limiter=InProcessLimiter())

    async def use() -> str:
        return (await cloud.organization.get()).id

    first = asyncio.run(use())  # this loop ends: its session and limiter go with it
    assert asyncio.run(use()) == first
    asyncio.run(cloud.aclose())
    gc.collect()  # here, under this test's filters, not during the next test


@pytest.fixture
def fake_thread_url() -> Iterator[str]:
    from ..conftest import emulator_thread

    with emulator_thread(rate_limit=None) as server:
        yield server.url


# --- 16. int64 values are digits, in range -----------------------------------------------------


@pytest.mark.parametrize("text", ['" 12 "', '"1_000"', '"١٢"', '"9223372036854775808"', '"+5"'])
def test_int64_strings_are_strict(text: str) -> None:
    with pytest.raises(msgspec.ValidationError):
        decode(UsageLimits, f'{{"request_unit_limit": {text}}}'.encode())
    assert decode(UsageLimits, b'{"request_unit_limit": "-12"}').request_unit_limit == -12


async def test_int32_fields_are_range_checked(fake: FakeCloud) -> None:
    async with make_client(fake) as cloud:
        with pytest.raises(ValueError, match="cidr_mask"):
            await cloud.allowlist.add("c1", cidr_ip="10.0.0.0", cidr_mask=2**70, ui=True, sql=True)
    assert fake.stats.requests == 0


# --- 8. hung requests hold the limiter up for the transit bound, not a whole timeout ----------


async def test_hung_requests_block_others_only_for_the_transit_bound() -> None:
    async with FakeCloud(rate_limit=10) as fake:
        fake.faults.add(Fault("delay", method="GET", path="/organization", delay=4.0, times=10))
        limiter = InProcessLimiter(max_transit=0.5)
        async with CockroachCloud(api_key=KEY, base_url=fake.url, limiter=limiter) as cloud:
            hung = [asyncio.create_task(cloud.organization.get()) for _ in range(10)]
            await asyncio.sleep(0.05)
            started = time.monotonic()
            await cloud.clusters.list().to_list()  # the 11th start
            waited = time.monotonic() - started
            await asyncio.gather(*hung)
    assert waited < 3.0  # the transit bound (0.5 s) + 1 s, not the 4 s the others hang
    assert fake.max_in_window(1.0) <= 10 and fake.stats.rate_limited == 0
