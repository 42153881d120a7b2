"""The in-process limiter on its own: spacing, the completion gate, pauses, cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest

from ccloud_async import InProcessLimiter, Limiter, PauseOnlyLimiter


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best = start = 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_both_limiters_satisfy_the_protocol() -> None:
    assert isinstance(InProcessLimiter(), Limiter)
    assert isinstance(PauseOnlyLimiter(), Limiter)
    with pytest.raises(ValueError):
        InProcessLimiter(0)
    with pytest.raises(ValueError):
        InProcessLimiter(headroom=1.5)


async def test_starts_never_exceed_the_limit_in_any_window() -> None:
    limiter = InProcessLimiter(max_requests=10, period=0.5)
    starts: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        starts.append(time.monotonic())
        limiter.release()

    await asyncio.gather(*(one() for _ in range(35)))
    assert max_in_window(starts, 0.5) <= 10
    rate = (len(starts) - 1) / (starts[-1] - starts[0])
    assert rate > 0.9 * 20  # 20/s nominal for 10 per 0.5 s


async def test_a_slot_returns_only_one_period_after_its_attempt_ended() -> None:
    limiter = InProcessLimiter(max_requests=3, period=0.4)
    for _ in range(3):
        await limiter.acquire()  # three attempts still in flight
    blocked = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.5)  # far beyond the bucket spacing
    assert not blocked.done()
    ended = time.monotonic()
    limiter.release()
    await asyncio.wait_for(blocked, 2)
    assert time.monotonic() - ended >= 0.39


async def test_pause_holds_every_acquire() -> None:
    limiter = InProcessLimiter()
    await limiter.pause(0.3)
    started = time.monotonic()
    await limiter.acquire()
    assert time.monotonic() - started >= 0.29
    limiter.release()


async def test_cancelled_waiters_leave_no_slot_taken() -> None:
    limiter = InProcessLimiter(max_requests=2, period=0.2)
    await limiter.acquire()
    await limiter.acquire()
    waiters = [asyncio.create_task(limiter.acquire()) for _ in range(20)]
    await asyncio.sleep(0.05)
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    limiter.release()
    limiter.release()
    await asyncio.sleep(0.25)
    started = time.monotonic()
    await asyncio.wait_for(limiter.acquire(), 1)
    await asyncio.wait_for(limiter.acquire(), 1)
    assert time.monotonic() - started < 0.3
