"""Transport overhead: ``clusters.get`` through the SDK vs raw aiohttp vs httpx + pydantic.

    python benchmarks/overhead.py [CALLS]        (default 3000 per trial)

The limiter is off and the emulator runs in its own process, so the client's event loop
only does client work. Each client makes the same ``GET /api/v1/clusters/{id}`` calls
at the same concurrency (20 workers) with the same connection limit (100); they take
turns for several rounds and the best round of each counts. Raw aiohttp reads the
body and ``json.loads`` it; the SDK decodes it into its ``Cluster`` model; the
hand-written alternative uses ``httpx.AsyncClient`` and a pydantic v2 ``Cluster``.
The SDK also runs with tracing off, traced (an OpenTelemetry SDK provider) and with
no-op event hooks, to show what unused hooks and tracing cost (nothing) and used ones.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _emulator import API_KEY, CONNECTION_LIMIT, _drive, _first_cluster, emulator
from pydantic_models import Cluster as PydanticCluster

from ccloud_async import CockroachCloud
from ccloud_async._config import DEFAULT_API_VERSION, USER_AGENT

CONCURRENCY = 20
HEADERS = {
    "Authorization": f"Bearer {API_KEY}",
    "Cc-Version": DEFAULT_API_VERSION,
    "User-Agent": USER_AGENT,
    "Accept": "application/json",
}


async def sdk_rate(url: str, cluster_id: str, calls: int, **options: Any) -> float:
    async with CockroachCloud(
        api_key=API_KEY,
        base_url=url,
        limiter=None,
        connection_limit=CONNECTION_LIMIT,
        **options,
    ) as cloud:

        async def call() -> object:
            return await cloud.clusters.get(cluster_id)

        return await _drive(call, calls, workers=CONCURRENCY)


async def aiohttp_rate(url: str, cluster_id: str, calls: int) -> float:
    connector = aiohttp.TCPConnector(limit=CONNECTION_LIMIT)
    timeout = aiohttp.ClientTimeout(total=None, connect=None, sock_read=None)
    target = f"{url}/api/v1/clusters/{cluster_id}"
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, headers=HEADERS, raise_for_status=False
    ) as session:

        async def call() -> object:
            async with session.get(target, allow_redirects=False) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
                return json.loads(body)

        return await _drive(call, calls, workers=CONCURRENCY)


async def httpx_rate(url: str, cluster_id: str, calls: int) -> float:
    limits = httpx.Limits(max_connections=CONNECTION_LIMIT)
    async with httpx.AsyncClient(
        base_url=url, headers=HEADERS, limits=limits, timeout=None
    ) as client:
        path = f"/api/v1/clusters/{cluster_id}"

        async def call() -> object:
            resp = await client.get(path)
            resp.raise_for_status()
            return PydanticCluster.model_validate_json(resp.content)

        return await _drive(call, calls, workers=CONCURRENCY)


def _traced() -> Any:
    """A tracer provider as an application installs one: batched export (here to a
    sink that drops the spans, so only making and recording them is measured)."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )

    class Sink(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Sink()))
    return provider


def _noop_hook(view: object) -> None:
    pass


# The SDK as it runs by default (hooks and tracing unused: OpenTelemetry installed, no
# provider), with tracing switched off outright, traced, and with two no-op hooks.
VARIANTS: dict[str, dict[str, Any]] = {
    "sdk": {},
    "sdk_tracing_off": {"tracing": False},
    "sdk_traced": {"tracing": "provider"},
    "sdk_hooks": {"event_hooks": {"request": [_noop_hook], "response": [_noop_hook]}},
}


def measure(calls: int = 3000, rounds: int = 9, alt_rounds: int = 3) -> dict[str, float]:
    """Best calls/s of each client: the SDK and raw aiohttp take turns for ``rounds``
    rounds, the (much slower) httpx + pydantic client joins the first ``alt_rounds``."""
    provider = _traced()
    clients: dict[str, Callable[[str, str, int], Awaitable[float]]] = {
        "aiohttp": aiohttp_rate,
        "httpx_pydantic": httpx_rate,
    }
    for name, options in VARIANTS.items():
        options = {k: provider if v == "provider" else v for k, v in options.items()}
        clients[name] = functools.partial(sdk_rate, **options)
    every_round = {"sdk", "aiohttp", "sdk_tracing_off"}
    best = dict.fromkeys(clients, 0.0)
    with emulator(clusters=1) as url:
        cluster_id = asyncio.run(_first_cluster(url))
        for round_ in range(rounds):
            for name, rate in clients.items():
                if name not in every_round and round_ >= alt_rounds:
                    continue
                best[name] = max(best[name], asyncio.run(rate(url, cluster_id, calls)))
    provider.shutdown()
    return best


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    best = measure(calls)
    for name, rate in best.items():
        print(f"{name:<16} {rate:8.0f} calls/s")
    print(f"sdk / aiohttp    {best['sdk'] / best['aiohttp']:.3f}")
    print(f"sdk / tracing off {best['sdk'] / best['sdk_tracing_off']:.3f}")
    print(f"traced / sdk     {best['sdk_traced'] / best['sdk']:.3f}")
    print(f"hooks / sdk      {best['sdk_hooks'] / best['sdk']:.3f}")
    print(f"sdk / httpx      {best['sdk'] / best['httpx_pydantic']:.3f}")


if __name__ == "__main__":
    main()
