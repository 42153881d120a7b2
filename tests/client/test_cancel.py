"""Cancelling calls leaves no task, connection or limiter slot behind."""

from __future__ import annotations

import asyncio
import time

import anyio
import pytest

from ccloud_async import CockroachCloud
from ccloud_async.testing import FakeCloud, Fault

from ..conftest import KEY, SERVERLESS, emulator_thread


def other_tasks() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()}


async def test_cancelling_100_in_flight_calls_leaves_nothing_behind() -> None:
    # The emulator runs on its own loop in a thread: every task left in this loop
    # would be the client's.
    with emulator_thread(rate_limit=10) as server:
        async with CockroachCloud(api_key=KEY, base_url=server.url) as cloud:
            created = await cloud.clusters.create(name="cancel-me", provider="GCP", spec=SERVERLESS)
            # Some calls will be on the wire (slow server), the rest queued in the limiter.
            server.faults.add(Fault("delay", method="GET", delay=5.0, times=3))
            before = other_tasks()
            tasks = [asyncio.create_task(cloud.clusters.get(created.id)) for _ in range(100)]
            await asyncio.sleep(0.5)
            on_the_wire = server.stats.requests
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            cancelled = [r for r in results if isinstance(r, asyncio.CancelledError)]
            finished = [r for r in results if getattr(r, "id", None) == created.id]
            assert len(cancelled) + len(finished) == 100
            assert len(cancelled) >= 90  # ~10/s: only the first few could finish in 0.5 s
            assert on_the_wire >= 3

            await asyncio.sleep(0)  # let aiohttp settle the closed connections
            assert other_tasks() - before == set()
            connector = cloud._engine.session().connector
            assert connector is not None
            assert sum(len(v) for v in connector._acquired_per_host.values()) == 0

            # The limiter holds no leftover waiter: the next call starts at once.
            await asyncio.sleep(0.15)
            started = time.monotonic()
            again = await cloud.clusters.get(created.id)
            assert again.id == created.id
            assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("style", ["anyio", "asyncio"])
async def test_deadlines_around_calls(style: str) -> None:
    async with FakeCloud(rate_limit=None) as server:
        async with CockroachCloud(api_key=KEY, base_url=server.url, limiter=None) as cloud:
            server.faults.add(Fault("delay", method="GET", delay=3.0, times=1))
            started = time.monotonic()
            # asyncio.TimeoutError is TimeoutError only from Python 3.11 on.
            with pytest.raises((TimeoutError, asyncio.TimeoutError)):
                if style == "anyio":
                    with anyio.fail_after(0.2):
                        await cloud.clusters.get("slow")
                else:
                    await asyncio.wait_for(cloud.clusters.get("slow"), 0.2)
            assert time.monotonic() - started < 1.0
            with pytest.raises(Exception) as info:
                await cloud.clusters.get("fast-now")
            assert getattr(info.value, "status", None) == 404
