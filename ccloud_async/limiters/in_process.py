"""The in-process limiter, the client's default.

The API allows 10 requests per second per user, and we read that in the strictest way:
never more than 10 requests *started* inside any sliding 1-second window.

``aiolimiter.AsyncLimiter(10, 1)`` is a leaky bucket of capacity 10: it lets a burst of
10 through and then 10 more within the same second (19 in one window). A bucket of
capacity 1 that leaks at ``rate`` per second instead spaces starts at least ``1/rate``
apart, so any window of 1 second holds at most ``ceil(rate)`` starts. It runs a hair
under the limit (99 %, 9.9 req/s) and keeps starts evenly spread.

Spacing alone cannot absorb every delay: if one request sits in a socket buffer for
50 ms while the next ten go straight through, the server sees eleven arrivals inside one
second. So a second gate holds each start's slot until one period after its attempt
*finished* — a request always reaches the server before its response comes back, so
the eleventh start can never land in the first one's window, whatever the network does.
On a fast link (under ~10 ms) this gate never binds and the rate is the bucket's; on a
slow or jittery one it trades a little rate for the guarantee.
"""

from __future__ import annotations

import asyncio

from ..errors import ConfigurationError
from .protocol import PauseOnlyLimiter

__all__ = ["API_RATE_LIMIT", "DEFAULT_HEADROOM", "InProcessLimiter"]

API_RATE_LIMIT = 10  # requests per second per user
DEFAULT_HEADROOM = 0.99


class InProcessLimiter(PauseOnlyLimiter):
    """At most ``max_requests`` starts in any sliding ``period``, for one process.

    Built on aiolimiter with a bucket of capacity 1 (see the module docstring).
    Cancelling a waiting ``acquire`` takes no slot.
    """

    def __init__(
        self,
        max_requests: int = API_RATE_LIMIT,
        period: float = 1.0,
        *,
        headroom: float = DEFAULT_HEADROOM,
    ) -> None:
        if max_requests < 1 or period <= 0:
            raise ConfigurationError("max_requests must be >= 1 and period > 0")
        if not 0 < headroom <= 1:
            raise ConfigurationError("headroom must be in (0, 1]")
        super().__init__()
        self.max_requests = max_requests
        self.period = period
        self.interval = period / (max_requests * headroom)
        # Imported here: aiolimiter's package init reads its version through
        # importlib.metadata, ~15 ms that no program needs before it makes a limiter.
        from aiolimiter import AsyncLimiter

        self._bucket = AsyncLimiter(1, self.interval)
        # Slots of starts whose attempt ended less than one period ago (or has not ended).
        self._window = asyncio.Semaphore(max_requests)

    def __repr__(self) -> str:
        return (
            f"InProcessLimiter(max_requests={self.max_requests}, period={self.period}, "
            f"interval={self.interval:.4f})"
        )

    async def acquire(self) -> None:
        await self._window.acquire()
        try:
            while True:
                await self._wait_out_pause()
                await self._bucket.acquire()
                if self.paused_for <= 0:
                    return
                # A 429 arrived while we waited for the bucket: this start would land
                # inside the pause, so give up the bucket slot and wait again.
        except BaseException:
            self._window.release()  # cancelled while waiting: nothing was sent
            raise

    def release(self) -> None:
        asyncio.get_running_loop().call_later(self.period, self._window.release)
