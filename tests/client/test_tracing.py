"""OpenTelemetry spans, seen by the SDK's in-memory exporter: one span per call, one
CLIENT span per wire attempt under it, across retries and a 429 pause."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from ccloud_async import CockroachCloud, NotFoundError
from ccloud_async.testing import FakeCloud, Fault

from ..conftest import KEY
from ..support.http_stub import serve

TEMPLATE = "/api/v1/clusters/{cluster_id}"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
async def fake() -> AsyncIterator[FakeCloud]:
    async with FakeCloud(rate_limit=None, seed_clusters=1) as fake:
        yield fake


def _split(spans: tuple[ReadableSpan, ...]) -> tuple[ReadableSpan, list[ReadableSpan]]:
    calls = [s for s in spans if s.kind is SpanKind.INTERNAL]
    clients = (s for s in spans if s.kind is SpanKind.CLIENT)
    attempts = sorted(clients, key=lambda s: s.start_time or 0)
    assert len(calls) == 1
    for attempt in attempts:
        assert attempt.parent is not None
        assert attempt.parent.span_id == calls[0].context.span_id
        assert attempt.context.trace_id == calls[0].context.trace_id
    return calls[0], attempts


async def test_a_retried_call_is_one_span_with_a_client_span_per_attempt(
    fake: FakeCloud, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cid = fake.clusters.all()[0]["id"]
    fake.faults.add(Fault("status", status=503))
    app = provider.get_tracer("app")
    async with CockroachCloud(api_key=KEY, base_url=fake.url, tracing=provider) as cloud:
        with app.start_as_current_span("handler") as handler:
            await cloud.clusters.get(cid)
    spans = tuple(s for s in exporter.get_finished_spans() if s.name != "handler")
    call, attempts = _split(spans)
    assert call.name == "CockroachCloud_GetCluster"
    assert call.parent is not None and call.parent.span_id == handler.get_span_context().span_id
    assert call.status.status_code is StatusCode.UNSET
    assert [a.name for a in attempts] == [f"GET {TEMPLATE}"] * 2
    first, second = (dict(a.attributes or {}) for a in attempts)
    for attrs in (first, second):
        assert attrs["http.request.method"] == "GET"
        assert attrs["url.template"] == TEMPLATE
        assert attrs["server.address"] == "127.0.0.1"
        assert attrs["server.port"] == fake.port
        assert attrs["ccloud.limiter.wait_s"] >= 0
    assert first["http.response.status_code"] == 503 and first["error.type"] == "503"
    assert attempts[0].status.status_code is StatusCode.ERROR
    assert "http.request.resend_count" not in first
    assert second["http.response.status_code"] == 200 and "error.type" not in second
    assert second["http.request.resend_count"] == 1
    assert "503" in str(second["ccloud.retry.reason"])


async def test_a_429_pause_shows_as_limiter_wait_on_the_next_attempt(
    fake: FakeCloud, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    cid = fake.clusters.all()[0]["id"]
    fake.faults.add(Fault("rate_limit", retry_after_seconds=1.0))
    async with CockroachCloud(api_key=KEY, base_url=fake.url, tracing=provider) as cloud:
        await cloud.clusters.get(cid)
    call, attempts = _split(exporter.get_finished_spans())
    first, second = (dict(a.attributes or {}) for a in attempts)
    assert first["http.response.status_code"] == 429
    assert second["http.response.status_code"] == 200
    assert "429" in str(second["ccloud.retry.reason"])
    # The pause is waited out in the limiter, before the second attempt's span begins.
    assert float(second["ccloud.limiter.wait_s"]) >= 0.9  # type: ignore[arg-type]
    assert (attempts[1].start_time or 0) - (attempts[0].end_time or 0) >= 0.9e9
    assert call.end_time is not None and call.end_time >= (attempts[1].end_time or 0)


async def test_a_failed_call_marks_its_span(
    fake: FakeCloud, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with CockroachCloud(api_key=KEY, base_url=fake.url, tracing=provider) as cloud:
        with pytest.raises(NotFoundError):
            await cloud.clusters.get("00000000-0000-0000-0000-000000000000")
    call, (attempt,) = _split(exporter.get_finished_spans())
    assert call.status.status_code is StatusCode.ERROR
    assert dict(call.attributes or {})["error.type"] == "NotFoundError"
    assert dict(attempt.attributes or {})["error.type"] == "404"


async def test_trace_context_goes_out_only_when_asked(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    received: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        received.append(dict(request.headers))
        return web.json_response({})

    async with serve(handler) as url:
        for propagate in (False, True):
            async with CockroachCloud(
                api_key=KEY, base_url=url, tracing=provider, propagate_trace=propagate
            ) as cloud:
                await cloud.request("GET", "/api/v1/anything")
    assert "traceparent" not in received[0]
    attempt = next(s for s in reversed(exporter.get_finished_spans()) if s.kind is SpanKind.CLIENT)
    _, trace_id, span_id, _ = received[1]["traceparent"].split("-")
    assert int(trace_id, 16) == attempt.context.trace_id
    assert int(span_id, 16) == attempt.context.span_id  # the attempt is the parent


def _run(code: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_global_provider_is_used_by_default_and_tracing_false_opts_out() -> None:
    code = """
        import asyncio
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from ccloud_async import CockroachCloud
        from ccloud_async.testing import FakeCloud

        async def main(tracing):
            async with FakeCloud(seed_clusters=1) as fake:
                cid = fake.clusters.all()[0]["id"]
                key, url = "test-key", fake.url
                async with CockroachCloud(api_key=key, base_url=url, tracing=tracing) as c:
                    await c.clusters.get(cid)

        asyncio.run(main(True))  # no provider installed yet: nothing to record
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        asyncio.run(main(True))
        print(len(exporter.get_finished_spans()))
        asyncio.run(main(False))
        print(len(exporter.get_finished_spans()))
    """
    with_provider, opted_out = _run(code)
    assert (with_provider, opted_out) == ("2", "2")
