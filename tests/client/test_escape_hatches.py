"""Nothing lost, nothing out of reach: raw responses, extras, ``cloud.request``, the
lossless audit export and event hooks, against an API newer than the SDK's snapshot.

``NextAPI`` stands in front of the emulator as the next version of the API would: every
object it sends back carries fields this SDK does not know, every answer a request id;
it takes request fields the snapshot lacks (and records them), and serves a path the
snapshot does not have.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import pytest
from aiohttp import web

from ccloud_async import (
    APIResponse,
    CockroachCloud,
    HookError,
    InProcessLimiter,
    NotFoundError,
    ServerError,
    ValidationError,
)
from ccloud_async.cli.audit_export import export_audit_log
from ccloud_async.models import Cluster
from ccloud_async.testing import FakeCloud, Fault

from ..conftest import KEY
from ..support.http_stub import serve

NEXT_FIELD = "machine_type"  # in the next spec revision, not in the snapshot
NEXT_ENTRY_FIELD = "system_actor_name"


class NextAPI:
    def __init__(self, target: str) -> None:
        self.target = target
        self.seen: list[dict[str, Any]] = []
        self.answered = 0
        self.busy = 0  # 503s to answer on /api/v1/widgets/flaky

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        self.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "headers": dict(request.headers),
                "body": body,
            }
        )
        self.answered += 1
        rid = {"X-Request-Id": f"req-{self.answered}"}
        if request.path.startswith("/api/v1/widgets"):  # a path the snapshot lacks
            if request.path.endswith("/flaky") and self.busy:
                self.busy -= 1
                return web.json_response({"code": 14, "message": "busy"}, status=503, headers=rid)
            if request.path.endswith("/missing"):
                error = {"code": 5, "message": "widget not found"}
                return web.json_response(error, status=404, headers=rid)
            widgets = {"widgets": [{"id": "w-1", "size": 3}], "echo": dict(request.query)}
            return web.json_response(widgets, headers=rid)
        # What the snapshot does not know goes no further than us: the emulator is strict.
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if not k.startswith("next_")}
        query = [(k, v) for k, v in request.query.items() if not k.startswith("next_")]
        headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED}
        async with aiohttp.ClientSession() as session:
            async with session.request(
                request.method,
                self.target + request.path,
                params=query,
                data=None if body is None else json.dumps(body),
                headers=headers,
            ) as upstream:
                sent = await upstream.read()
                status, ctype = upstream.status, upstream.content_type
        if status == 200 and ctype == "application/json":
            sent = json.dumps(_grown(json.loads(sent))).encode()
        return web.Response(status=status, body=sent, content_type=ctype, headers=rid)


_FORWARDED = {"authorization", "content-type", "cc-version"}


def _grown(value: Any) -> Any:
    """Every object, nested ones included, with the next revision's fields."""
    if isinstance(value, list):
        return [_grown(v) for v in value]
    if not isinstance(value, dict):
        return value
    grown = {k: _grown(v) for k, v in value.items()}
    if "action" in grown and "created_at" in grown:  # an audit entry
        grown[NEXT_ENTRY_FIELD] = f"actor-{grown.get('id')}"
    elif "id" in grown:
        grown[NEXT_FIELD] = "m6i.xlarge"
    return grown


@pytest.fixture
async def fake() -> AsyncIterator[FakeCloud]:
    async with FakeCloud(rate_limit=None, seed_clusters=2, audit_entries=250) as fake:
        yield fake


@pytest.fixture
async def next_api(fake: FakeCloud) -> AsyncIterator[tuple[NextAPI, str]]:
    api = NextAPI(fake.url)
    async with serve(api.handle) as url:
        yield api, url


@pytest.fixture
async def cloud(next_api: tuple[NextAPI, str]) -> AsyncIterator[CockroachCloud]:
    async with CockroachCloud(api_key=KEY, base_url=next_api[1]) as cloud:
        yield cloud


def _cluster_id(fake: FakeCloud) -> str:
    return str(fake.clusters.all()[0]["id"])


# --- raw responses ----------------------------------------------------------------------


async def test_raw_response_keeps_what_the_model_does_not_know(
    cloud: CockroachCloud, fake: FakeCloud
) -> None:
    cid = _cluster_id(fake)
    raw = await cloud.with_raw_response.clusters.get(cid)
    assert isinstance(raw, APIResponse)
    assert raw.status == 200 and raw.attempts == 1 and raw.elapsed > 0
    assert raw.request_id == "req-1"
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.json()[NEXT_FIELD] == "m6i.xlarge"  # the model has no such field
    cluster = raw.parse()
    assert isinstance(cluster, Cluster) and cluster.id == cid
    assert raw.parse() is cluster  # decoded once
    assert not hasattr(cluster, NEXT_FIELD)
    assert msgspec.json.decode(raw.content)["id"] == cid


async def test_raw_response_counts_retries(cloud: CockroachCloud, fake: FakeCloud) -> None:
    fake.faults.add(Fault("status", status=503))
    raw = await cloud.with_raw_response.clusters.get(_cluster_id(fake))
    assert raw.status == 200 and raw.attempts == 2
    assert raw.request_id == "req-2"


async def test_raw_request_on_a_path_the_snapshot_lacks(cloud: CockroachCloud) -> None:
    raw = await cloud.with_raw_response.request("GET", "/api/v1/widgets")
    assert raw.status == 200 and raw.request_id == "req-1"
    assert raw.parse() == raw.json()


# --- extras ---------------------------------------------------------------------------


async def test_extras_reach_the_server_as_given(
    cloud: CockroachCloud, fake: FakeCloud, next_api: tuple[NextAPI, str]
) -> None:
    api, _ = next_api
    cid = _cluster_id(fake)
    updated = await cloud.clusters.update(
        cid,
        labels={"team": "core"},
        extra_body={"next_autoscale": {"max_vcpus": 16}},
        extra_query={"next_dry_run": "false"},
        extra_headers={"X-Feature": "preview"},
    )
    assert updated.labels == {"team": "core"}
    sent = api.seen[-1]
    assert sent["method"] == "PATCH"
    assert sent["body"] == {"labels": {"team": "core"}, "next_autoscale": {"max_vcpus": 16}}
    assert sent["query"]["next_dry_run"] == "false"
    assert sent["headers"]["X-Feature"] == "preview"
    assert sent["headers"]["Authorization"] == f"Bearer {KEY}"
    await cloud.clusters.get(cid, extra_query={"next_view": "full"})
    assert api.seen[-1]["query"] == {"next_view": "full"}


@pytest.mark.parametrize("name", ["Authorization", "proxy-authorization", "Cookie"])
async def test_extra_headers_cannot_replace_credentials(
    cloud: CockroachCloud, fake: FakeCloud, next_api: tuple[NextAPI, str], name: str
) -> None:
    with pytest.raises(ValidationError, match="extra_headers"):
        await cloud.clusters.get(_cluster_id(fake), extra_headers={name: "Bearer other"})
    assert next_api[0].seen == []  # refused before anything was sent


# --- cloud.request ----------------------------------------------------------------------


class Widget(msgspec.Struct):
    id: str
    size: int


class Widgets(msgspec.Struct):
    widgets: list[Widget]


async def test_request_reaches_a_path_the_snapshot_lacks(
    cloud: CockroachCloud, next_api: tuple[NextAPI, str]
) -> None:
    plain = await cloud.request("GET", "/api/v1/widgets", query={"size": 3})
    assert plain["widgets"] == [{"id": "w-1", "size": 3}] and plain["echo"] == {"size": "3"}
    typed = await cloud.request("GET", "/api/v1/widgets", cast_to=Widgets)
    assert typed == Widgets([Widget("w-1", 3)])
    with pytest.raises(NotFoundError) as caught:
        await cloud.request("GET", "/api/v1/widgets/{id}", path_params={"id": "missing"})
    assert caught.value.request_id == "req-3"


async def test_request_follows_the_method_safety_rules(
    cloud: CockroachCloud, next_api: tuple[NextAPI, str]
) -> None:
    api, _ = next_api
    # One 503 before each: GET is re-sent, POST is not (unless told it may be).
    api.busy = 1
    got = await cloud.request("GET", "/api/v1/widgets/flaky", cast_to=Widgets)
    assert got.widgets[0].id == "w-1" and len(api.seen) == 2
    api.busy = 1
    with pytest.raises(ServerError) as caught:
        await cloud.request("POST", "/api/v1/widgets/flaky", body={"size": 4})
    assert caught.value.status == 503 and len(api.seen) == 3
    api.busy = 1
    await cloud.request("POST", "/api/v1/widgets/flaky", body={"size": 4}, retry_unsafe=True)
    assert len(api.seen) == 5
    assert api.seen[-1]["body"] == {"size": 4}


# --- the lossless export ----------------------------------------------------------------


class StopAfterOnePage(Exception):
    pass


async def test_export_keeps_every_unknown_field_once_and_resumes(
    cloud: CockroachCloud, fake: FakeCloud, tmp_path: Path
) -> None:
    target = tmp_path / "audit.jsonl"

    def stop(written: int, total: int) -> None:
        raise StopAfterOnePage

    with pytest.raises(StopAfterOnePage):
        await export_audit_log(cloud, str(target), page_size=100, on_page=stop)
    first = target.read_text().splitlines()
    assert 100 <= len(first) < 250
    result = await export_audit_log(cloud, str(target), page_size=100)
    assert result.resumed and result.total == 250

    lines = [json.loads(line) for line in target.read_text().splitlines()]
    expected = [fake.audit.entry(i) for i in range(len(fake.audit))]
    assert [e["id"] for e in lines] == [e["id"] for e in expected]  # each once, in order
    for line, sent in zip(lines, expected, strict=True):
        assert line == {**sent, NEXT_ENTRY_FIELD: f"actor-{sent['id']}"}


async def test_records_stream_keeps_bytes_and_models_stay_typed(
    cloud: CockroachCloud, fake: FakeCloud
) -> None:
    records = [r async for r in cloud.audit_logs.records(limit=100)]
    assert len(records) == 250 and len({r.id for r in records}) == 250
    first = records[0]
    assert json.loads(first.json)[NEXT_ENTRY_FIELD] == f"actor-{first.id}"
    assert first.entry().id == first.id
    entries = [e async for e in cloud.audit_logs.list(limit=100)]
    assert [e.id for e in entries] == [r.id for r in records]


# --- event hooks ------------------------------------------------------------------------


async def test_hooks_see_every_wire_attempt_with_the_key_masked(
    next_api: tuple[NextAPI, str], fake: FakeCloud
) -> None:
    seen: list[Any] = []

    async def on_response(view: Any) -> None:
        seen.append(("response", view.status, view.attempt, view.headers.get("X-Request-Id")))

    hooks = {"request": [lambda view: seen.append(("request", view))], "response": [on_response]}
    fake.faults.add(Fault("status", status=503))
    async with CockroachCloud(api_key=KEY, base_url=next_api[1], event_hooks=hooks) as cloud:
        await cloud.clusters.get(_cluster_id(fake))
    requests = [s[1] for s in seen if s[0] == "request"]
    assert [r.attempt for r in requests] == [1, 2]
    assert all(r.method == "GET" and "/api/v1/clusters/" in r.url for r in requests)
    assert requests[0].headers["Authorization"] == "***"
    assert KEY not in repr(seen) and KEY not in str([r.headers for r in requests])
    assert [s for s in seen if s[0] == "response"] == [
        ("response", 503, 1, "req-1"),
        ("response", 200, 2, "req-2"),
    ]


@pytest.mark.parametrize("event", ["request", "response"])
async def test_a_failing_hook_is_typed_and_frees_its_slot(
    next_api: tuple[NextAPI, str], fake: FakeCloud, event: str
) -> None:
    calls = 0

    def flaky(view: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("hook broke")

    # One request per 0.2 s: a slot lost to the failed attempt would hold the next
    # call up until its transit bound (5 s).
    limiter = InProcessLimiter(max_requests=1, period=0.2)
    hooks = {event: [flaky]}
    async with CockroachCloud(
        api_key=KEY, base_url=next_api[1], event_hooks=hooks, limiter=limiter
    ) as cloud:
        with pytest.raises(HookError, match="hook broke") as caught:
            await cloud.clusters.get(_cluster_id(fake))
        assert isinstance(caught.value.__cause__, RuntimeError)
        started = time.monotonic()
        await cloud.clusters.get(_cluster_id(fake))
        assert time.monotonic() - started < 2.0
    assert len(next_api[0].seen) == (1 if event == "request" else 2)


def test_hooks_are_checked_when_the_client_is_made() -> None:
    with pytest.raises(ValidationError, match="event_hooks"):
        CockroachCloud(api_key=KEY, event_hooks={"on_request": [print]})
    with pytest.raises(ValidationError, match="callables"):
        CockroachCloud(api_key=KEY, event_hooks={"request": ["print"]})  # type: ignore[list-item]


async def test_hooks_run_in_order_and_may_be_async(next_api: tuple[NextAPI, str]) -> None:
    order: list[str] = []

    async def second(view: Any) -> None:
        await asyncio.sleep(0)
        order.append("second")

    hooks = {"request": [lambda v: order.append("first"), second]}
    async with CockroachCloud(api_key=KEY, base_url=next_api[1], event_hooks=hooks) as cloud:
        await cloud.request("GET", "/api/v1/widgets")
    assert order == ["first", "second"]
