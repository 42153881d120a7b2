"""The fleet helper: bounded concurrency, per-item errors, order, progress, cancellation."""

from __future__ import annotations

import asyncio

import anyio
import pytest

from ccloud_async import CockroachCloud
from ccloud_async.fleet import DEFAULT_CONCURRENCY, FleetProgress, run_fleet, stream_fleet
from ccloud_async.testing import FakeCloud

from ..conftest import KEY


class Probe:
    def __init__(self) -> None:
        self.running = 0
        self.peak = 0
        self.started = 0

    async def work(self, n: int) -> int:
        self.started += 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await anyio.sleep(0.01 * (n % 5))
            if n % 7 == 3:
                raise ValueError(f"item {n} failed")
            return n * n
        finally:
            self.running -= 1


async def test_results_in_input_order_with_per_item_errors() -> None:
    probe = Probe()
    progress: list[FleetProgress] = []
    results = await run_fleet(probe.work, range(40), concurrency=6, on_progress=progress.append)
    assert [r.item for r in results] == list(range(40))
    assert [r.index for r in results] == list(range(40))
    for r in results:
        if r.item % 7 == 3:
            assert not r.ok and isinstance(r.error, ValueError) and str(r.item) in str(r.error)
            with pytest.raises(ValueError):
                r.unwrap()
        else:
            assert r.ok and r.value == r.item * r.item == r.unwrap()
    assert probe.peak == 6 and probe.started == 40
    assert [p.done for p in progress] == list(range(1, 41))
    assert progress[-1] == FleetProgress(done=40, total=40, failed=6)


async def test_fail_fast_cancels_the_rest_and_raises_the_first_error() -> None:
    probe = Probe()
    with pytest.raises(ValueError, match="failed"):
        await run_fleet(probe.work, range(200), concurrency=4, fail_fast=True)
    assert probe.started < 200
    assert probe.running == 0


async def test_stream_yields_as_completed() -> None:
    async def delayed(n: int) -> int:
        await anyio.sleep(0.05 * n)
        return n

    async with stream_fleet(delayed, [4, 1, 3, 0, 2], concurrency=5) as finished:
        order = [r.value async for r in finished]
    assert order == [0, 1, 2, 3, 4]


async def test_leaving_the_stream_early_cancels_the_rest() -> None:
    probe = Probe()
    async with stream_fleet(probe.work, range(100), concurrency=3) as finished:
        async for _ in finished:
            break
    assert probe.running == 0 and probe.started < 100


async def test_cancelling_the_caller_leaves_nothing_running() -> None:
    probe = Probe()
    before = {t for t in asyncio.all_tasks() if not t.done()}
    task = asyncio.create_task(run_fleet(probe.work, range(500), concurrency=8))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0)
    assert probe.running == 0 and probe.started < 500
    assert {t for t in asyncio.all_tasks() if not t.done()} <= before


def test_concurrency_must_be_positive() -> None:
    async def noop(n: int) -> int:
        return n

    with pytest.raises(ValueError):
        asyncio.run(run_fleet(noop, [1], concurrency=0))


async def test_fleet_of_cluster_nodes_is_paced_without_429() -> None:
    async with FakeCloud(rate_limit=10, seed_clusters=25) as fake:
        async with CockroachCloud(api_key=KEY, base_url=fake.url) as cloud:
            clusters = await cloud.clusters.list(limit=100).to_list()

            async def nodes(cluster_id: str) -> int:
                return len([n async for n in cloud.clusters.list_nodes(cluster_id)])

            results = await run_fleet(nodes, [c.id for c in clusters], concurrency=50)
    assert len(results) == 25 and all(r.ok for r in results)
    assert sum(r.value or 0 for r in results) >= 3  # dedicated clusters have nodes
    assert fake.stats.rate_limited == 0
    assert fake.max_in_window(1.0) <= 10


async def test_default_concurrency_is_twenty() -> None:
    probe = Probe()
    await run_fleet(probe.work, [5] * 60)  # none fails: 5 % 7 != 3
    assert probe.peak == DEFAULT_CONCURRENCY == 20
    streamed = Probe()
    async with stream_fleet(streamed.work, [5] * 60) as finished:
        assert len([r async for r in finished]) == 60
    assert streamed.peak == 20


async def test_stream_fleet_iterates_directly_as_its_name_reads() -> None:
    async def delayed(n: int) -> int:
        await anyio.sleep(0.05 * n)
        return n

    order = [r.value async for r in stream_fleet(delayed, [4, 1, 3, 0, 2], concurrency=5)]
    assert order == [0, 1, 2, 3, 4]


async def test_breaking_out_of_a_direct_stream_cancels_the_rest() -> None:
    probe = Probe()
    before = {t for t in asyncio.all_tasks() if not t.done()}
    async for _ in stream_fleet(probe.work, range(100), concurrency=3):
        break
    await asyncio.sleep(0.01)  # the cancelled items unwind
    assert probe.running == 0 and probe.started < 100
    assert {t for t in asyncio.all_tasks() if not t.done()} <= before


async def test_a_direct_stream_fails_fast_with_the_first_error() -> None:
    probe = Probe()
    with pytest.raises(ValueError, match="failed"):
        async for _ in stream_fleet(probe.work, range(200), concurrency=4, fail_fast=True):
            pass
    await asyncio.sleep(0.01)
    assert probe.running == 0 and probe.started < 200
