"""Shared-tick deadlines: never early, at most a tick late, outside cancels still win."""

from __future__ import annotations

import asyncio
import sys
import time

import anyio
import pytest

from ccloud_async._http.deadlines import TICK, DeadlineTimers


async def test_fires_after_the_deadline_and_within_a_tick() -> None:
    timers = DeadlineTimers()
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        with timers.after(0.2):
            await asyncio.sleep(10)
    elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 0.2 + TICK + 0.15


async def test_work_that_finishes_in_time_is_untouched() -> None:
    timers = DeadlineTimers()
    for _ in range(50):
        with timers.after(0.05):
            await asyncio.sleep(0)
    await asyncio.sleep(0.05 + 2 * TICK)  # let every armed tick fire on an empty set
    assert timers.pending == 0
    await asyncio.sleep(0)  # the task was never cancelled: this await does not raise


async def test_many_deadlines_share_few_timers() -> None:
    timers = DeadlineTimers()

    async def one() -> None:
        with timers.after(30):
            await asyncio.sleep(0.01)

    await asyncio.gather(*(one() for _ in range(500)))
    # 500 deadlines made within a few ms of each other land on one or two ticks.
    assert timers.pending <= 3


async def test_only_the_expired_task_is_cancelled() -> None:
    timers = DeadlineTimers()
    results: dict[str, object] = {}

    async def slow() -> None:
        try:
            with timers.after(0.1):
                await asyncio.sleep(10)
        except asyncio.TimeoutError:
            results["slow"] = "timeout"

    async def quick() -> None:
        with timers.after(0.1):  # same tick as slow's
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # outside the deadline: must not be cancelled
        results["quick"] = "done"

    await asyncio.gather(slow(), quick())
    assert results == {"slow": "timeout", "quick": "done"}


@pytest.mark.parametrize(
    "tick_fires_too",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(sys.version_info < (3, 11), reason="cancel counts: 3.11+"),
        ),
    ],
)
async def test_an_outside_cancel_stays_a_cancel(tick_fires_too: bool) -> None:
    timers = DeadlineTimers()
    entered = asyncio.Event()

    async def work() -> None:
        with timers.after(5):
            entered.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(work())
    await entered.wait()
    if tick_fires_too:  # the tick fires and someone else cancels before the task runs
        for tick in list(timers._buckets):
            timers._fire(tick)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.skipif(sys.version_info < (3, 11), reason="cancel counts are 3.11+")
async def test_a_timeout_leaves_the_task_uncancelled() -> None:
    timers = DeadlineTimers()
    with pytest.raises(asyncio.TimeoutError):
        with timers.after(0.05):
            await asyncio.sleep(10)
    current = asyncio.current_task()
    assert current is not None and current.cancelling() == 0
    await asyncio.sleep(0.01)  # and later awaits run normally


async def test_inside_an_anyio_task_group() -> None:
    timers = DeadlineTimers()
    outcomes: list[str] = []

    async def one(delay: float) -> None:
        try:
            with timers.after(0.1):
                await anyio.sleep(delay)
            outcomes.append("ok")
        except asyncio.TimeoutError:
            outcomes.append("timeout")

    async with anyio.create_task_group() as group:
        for delay in (0.0, 0.01, 5, 5):
            group.start_soon(one, delay)
    assert sorted(outcomes) == ["ok", "ok", "timeout", "timeout"]


async def test_outside_a_task_is_an_error() -> None:
    timers = DeadlineTimers()
    loop = asyncio.get_running_loop()
    failure: list[BaseException] = []

    def from_callback() -> None:
        try:
            timers.after(1)
        except RuntimeError as exc:
            failure.append(exc)

    loop.call_soon(from_callback)
    await asyncio.sleep(0.01)
    assert failure and "inside a task" in str(failure[0])
