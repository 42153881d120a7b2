"""Decoding a 1,000-cluster ``ListClustersResponse`` page: SDK models vs pydantic vs json.

    python benchmarks/decoding.py [CLUSTERS]        (default 1000)

The JSON comes from the emulator (seeded with CLUSTERS clusters, fetched in pages of
500 and joined into one page). Timings: best round of several, the three decoders
taking turns, garbage collector on.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import timeit
from pathlib import Path
from typing import Any

import aiohttp
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pydantic_models

from ccloud_async.models import ListClustersResponse, decode
from ccloud_async.testing import FakeCloud


async def _page_bytes(count: int) -> bytes:
    clusters: list[Any] = []
    async with FakeCloud(rate_limit=None, seed_clusters=count) as server:
        headers = {"Authorization": "Bearer test-key"}
        async with aiohttp.ClientSession(headers=headers) as session:
            page: str | None = None
            while True:
                params = {"pagination.limit": "500"}
                if page:
                    params["pagination.page"] = page
                async with session.get(f"{server.url}/api/v1/clusters", params=params) as resp:
                    body = msgspec.json.decode(await resp.read())
                clusters += body["clusters"]
                page = (body.get("pagination") or {}).get("next_page")
                if not page:
                    break
    return msgspec.json.encode({"clusters": clusters, "pagination": {}})


def page_bytes(count: int = 1000) -> bytes:
    return asyncio.run(_page_bytes(count))


def measure(count: int = 1000, rounds: int = 25, number: int = 10) -> dict[str, float]:
    """Seconds per decode of the page: the three decoders take turns for ``rounds``
    rounds of ``number`` decodes each, and the best round of each counts (noise on a
    shared machine only ever slows a round down). The garbage collector stays on, as in
    a real program (``timeit`` turns it off by default)."""
    data = page_bytes(count)
    sdk = decode(ListClustersResponse, data)
    pyd = pydantic_models.ListClustersResponse.model_validate_json(data)
    assert len(sdk.clusters) == len(pyd.clusters) == count
    assert sdk.clusters[0].id == pyd.clusters[0].id
    decoders: dict[str, Any] = {
        "sdk": lambda: decode(ListClustersResponse, data),
        "pydantic": lambda: pydantic_models.ListClustersResponse.model_validate_json(data),
        "json_loads": lambda: json.loads(data),
    }
    best = dict.fromkeys(decoders, float("inf"))
    for _ in range(rounds):
        for name, func in decoders.items():
            timer = timeit.Timer(func, setup=gc.enable)
            best[name] = min(best[name], timer.timeit(number=number) / number)
    return {"bytes": float(len(data)), **best}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    result = measure(count)
    print(f"page                  {count} clusters, {result['bytes'] / 1e6:.2f} MB")
    for name in ("sdk", "pydantic", "json_loads"):
        print(f"{name:<21} {result[name] * 1000:.2f} ms")
    print(f"pydantic / sdk        {result['pydantic'] / result['sdk']:.2f}x")
    print(f"json.loads / sdk      {result['json_loads'] / result['sdk']:.2f}x")


if __name__ == "__main__":
    main()
