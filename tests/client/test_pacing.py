"""The default limiter against the emulator's strict sliding-window limit."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from ccloud_async import CockroachCloud, InProcessLimiter
from ccloud_async.testing import FakeCloud

from ..conftest import KEY, SERVERLESS, make_client


async def test_300_concurrent_gets_are_paced_without_a_single_429() -> None:
    async with FakeCloud(rate_limit=10, rate_window=1.0) as server:
        async with CockroachCloud(api_key=KEY, base_url=server.url) as cloud:
            created = await cloud.clusters.create(name="paced-one", provider="GCP", spec=SERVERLESS)
            server.reset_stats()
            started = time.monotonic()
            results = await asyncio.gather(*(cloud.clusters.get(created.id) for _ in range(300)))
            elapsed = time.monotonic() - started
        assert all(r.id == created.id for r in results)
        assert server.stats.rate_limited == 0
        assert server.max_in_window(1.0) <= 10
        rate = 300 / elapsed
        print(f"300 gets in {elapsed:.2f}s = {rate:.2f} req/s, max/window {server.max_in_window()}")
        assert rate >= 9.5


class RecordingLimiter(InProcessLimiter):
    """The real limiter, noting when pauses begin and when acquires return."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: list[tuple[float, float]] = []
        self.grants: list[float] = []

    async def pause(self, seconds: float) -> None:
        self.pauses.append((time.monotonic(), seconds))
        await super().pause(seconds)

    async def acquire(self) -> None:
        await super().acquire()
        self.grants.append(time.monotonic())


async def test_an_unpaced_neighbour_causes_429s_and_the_paced_client_pauses_as_a_whole() -> None:
    async with FakeCloud(rate_limit=10, rate_window=1.0) as server:
        limiter = RecordingLimiter()
        async with make_client(server, limiter=limiter) as paced:
            created = await paced.clusters.create(
                name="shared-key", provider="GCP", spec=SERVERLESS
            )
            stop = time.monotonic() + 2.5

            async def hammer() -> int:
                # A hand-rolled script on the same key with no limiter at all.
                sent = 0
                headers = {"Authorization": f"Bearer {KEY}"}
                async with aiohttp.ClientSession(headers=headers) as session:
                    while time.monotonic() < stop:
                        url = f"{server.url}/api/v1/clusters/{created.id}"
                        async with session.get(url) as resp:
                            await resp.read()
                        sent += 1
                return sent

            hammered, *results = await asyncio.gather(
                hammer(), *(paced.clusters.get(created.id) for _ in range(40))
            )
        assert hammered > 20
        assert len(results) == 40 and all(r.id == created.id for r in results)
        assert server.stats.rate_limited > 0
        assert limiter.pauses, "the paced client never paused"
        # While a pause is in force, no request of the client starts.
        for began, seconds in limiter.pauses:
            inside = [g for g in limiter.grants if began + 0.001 < g < began + seconds - 0.01]
            assert not inside, f"{len(inside)} requests started during a {seconds}s pause"


async def test_limiter_none_still_pauses_on_429() -> None:
    async with FakeCloud(rate_limit=3, rate_window=1.0, retry_after="seconds") as server:
        async with make_client(server, limiter=None) as cloud:
            created = await cloud.clusters.create(name="no-limit", provider="GCP", spec=SERVERLESS)
            started = time.monotonic()
            results = await asyncio.gather(*(cloud.clusters.get(created.id) for _ in range(8)))
            elapsed = time.monotonic() - started
        assert len(results) == 8
        assert server.stats.rate_limited >= 1
        assert elapsed >= 0.9  # waited out at least one Retry-After: 1


async def test_http_date_and_absent_retry_after_are_honoured() -> None:
    for style in ("http-date", "none"):
        async with FakeCloud(rate_limit=2, rate_window=1.0, retry_after=style) as server:
            async with make_client(server, limiter=None) as cloud:
                created = await cloud.clusters.create(
                    name="date-hint", provider="GCP", spec=SERVERLESS
                )
                results = await asyncio.gather(*(cloud.clusters.get(created.id) for _ in range(4)))
            assert len(results) == 4, style
            assert server.stats.rate_limited >= 1, style


async def test_time_queued_for_the_limiter_does_not_count_against_the_timeout() -> None:
    async with FakeCloud(rate_limit=10) as server:
        async with CockroachCloud(api_key=KEY, base_url=server.url, timeout=0.5) as cloud:
            created = await cloud.clusters.create(
                name="queued-long", provider="GCP", spec=SERVERLESS
            )
            started = time.monotonic()
            results = await asyncio.gather(*(cloud.clusters.get(created.id) for _ in range(15)))
            waited = time.monotonic() - started
    assert len(results) == 15
    assert waited > 1.2  # the last call queued far longer than its 0.5 s timeout
