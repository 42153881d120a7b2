"""The FastAPI example, run in-process against the emulator with its strict rate limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from ccloud_async import CockroachCloud
from ccloud_async.testing import FakeCloud
from examples.fastapi_app import create_app

from ..conftest import KEY


class Recorder:
    """A client factory that keeps the clients it made, to check they were closed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: list[CockroachCloud] = []

    def __call__(self) -> CockroachCloud:
        # The default limiter stays on: it is what keeps 200 callers under 10 req/s.
        cloud = CockroachCloud(api_key=KEY, base_url=self.url)
        self.clients.append(cloud)
        return cloud


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Startup, an HTTP client on the app, then shutdown: what uvicorn would do."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://app", timeout=None
        ) as http:
            yield http


async def test_200_concurrent_requests_stay_under_the_rate_limit() -> None:
    async with FakeCloud(rate_limit=10, seed_clusters=20) as fake:
        seeded = {c["id"]: c["name"] for c in fake.clusters.all()}
        assert len(seeded) == 20
        ids = list(seeded)
        wanted = [ids[i % len(ids)] for i in range(200)]
        factory = Recorder(fake.url)
        app = create_app(client_factory=factory)

        async with serving(app) as http:
            started = time.monotonic()
            responses = await asyncio.gather(*(http.get(f"/clusters/{cid}") for cid in wanted))
            elapsed = time.monotonic() - started

        assert [r.status_code for r in responses] == [200] * 200
        for cid, response in zip(wanted, responses, strict=True):
            body = response.json()
            assert body["id"] == cid
            assert body["name"] == seeded[cid]
        assert fake.stats.rate_limited == 0
        assert fake.max_in_window() <= 10
        assert fake.stats.requests == 200
        # 200 calls at 10 per second: the limiter paced them rather than the server.
        assert elapsed >= 18, elapsed
        print(
            f"\n200 requests in {elapsed:.1f}s, 429s={fake.stats.rate_limited}, "
            f"max per 1s window={fake.max_in_window()}"
        )
        assert len(factory.clients) == 1
        assert factory.clients[0].closed


async def test_routes_and_error_mapping() -> None:
    async with FakeCloud(rate_limit=None, seed_clusters=3) as fake:
        factory = Recorder(fake.url)
        app = create_app(client_factory=factory)
        async with serving(app) as http:
            listed = await http.get("/clusters")
            assert listed.status_code == 200
            clusters = listed.json()
            assert {c["name"] for c in clusters} == {c["name"] for c in fake.clusters.all()}
            assert all(c["state"] and c["plan"] and c["cloud_provider"] for c in clusters)

            for cluster in clusters:
                nodes = await http.get(f"/clusters/{cluster['id']}/nodes")
                assert nodes.status_code == 200
                # Only Advanced clusters have nodes of their own to show.
                assert bool(nodes.json()) == (cluster["plan"] == "ADVANCED")
                assert all(n["status"] == "LIVE" for n in nodes.json())

            missing = "00000000-0000-4000-8000-000000000000"
            gone = await http.get(f"/clusters/{missing}")
            assert gone.status_code == 404
            assert gone.json()["detail"]
            gone_nodes = await http.get(f"/clusters/{missing}/nodes")
            assert gone_nodes.status_code == 404
        assert factory.clients[0].closed


async def test_refused_credentials_are_a_bad_gateway() -> None:
    async with FakeCloud(rate_limit=None, seed_clusters=1) as fake:
        app = create_app(lambda: CockroachCloud(api_key="wrong-key", base_url=fake.url))
        async with serving(app) as http:
            response = await http.get("/clusters")
        # The caller did nothing wrong: our key was refused upstream.
        assert response.status_code == 502
        assert "wrong-key" not in response.text
