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
second. So a second gate holds each start's slot for one period after its request
*arrived*, bounded from above: a request arrives after it was written and before its
answer came back, and on a connection that was already open it was written as the
attempt began. So a slot comes back one period after the earlier of "the answer came"
and "written + ``jitter``" (20 ms: how much later than its neighbours one request may
reach the server), and the eleventh start can never land in the first one's window.
Throughput then stays near the limit whatever the answer time (10 starts per
``1 + jitter`` seconds at worst); a fresh connection (a TCP or TLS handshake before the
write) counts from its answer. So does every request to an emulator on this process's
event loop (``_http/in_process_servers.py``): it reads a request only when the loop
gets to it, which no network figure bounds.

The gate needs a bound on time in transit: a request that got no answer — hung, or
given up on by its timeout while perhaps still on its way — is taken to have reached
the server within ``max_transit`` seconds (default 5) of being sent, and its slot comes
back one period after that. So the guarantee covers every request that arrives within
``max_transit`` of leaving, and a server that hangs holds the limiter up for at most
``max_transit`` + 1 s rather than a whole timeout.
"""

from __future__ import annotations

import asyncio
import contextvars
import time

from ..errors import ClientStateError, ConfigurationError
from .protocol import PauseOnlyLimiter

__all__ = ["API_RATE_LIMIT", "DEFAULT_HEADROOM", "InProcessLimiter"]

API_RATE_LIMIT = 10  # requests per second per user
DEFAULT_HEADROOM = 0.99
DEFAULT_MAX_TRANSIT = 5.0  # seconds a request may take to reach the server
DEFAULT_JITTER = 0.02  # how much later than others sent with it a request may arrive


class _Slot:
    """One start's place in the window, given back exactly once."""

    __slots__ = ("_give_back", "free", "started", "timer")

    def __init__(self, give_back: asyncio.Semaphore) -> None:
        self._give_back = give_back
        self.started = time.monotonic()
        self.timer: asyncio.TimerHandle | None = None
        self.free = False

    def give_back(self) -> None:
        if not self.free:
            self.free = True
            if self.timer is not None:
                self.timer.cancel()
            self._give_back.release()


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
        max_transit: float = DEFAULT_MAX_TRANSIT,
        jitter: float = DEFAULT_JITTER,
    ) -> None:
        if max_requests < 1 or period <= 0:
            raise ConfigurationError("max_requests must be >= 1 and period > 0")
        if not max_transit > 0:
            raise ConfigurationError("max_transit must be > 0 seconds")
        if not 0 <= jitter < period:
            raise ConfigurationError("jitter must be >= 0 and less than the period")
        if not 0 < headroom <= 1:
            raise ConfigurationError("headroom must be in (0, 1]")
        super().__init__()
        self.max_requests = max_requests
        self.period = period
        self.interval = period / (max_requests * headroom)
        self.max_transit = max_transit
        self.jitter = jitter
        self._loop: asyncio.AbstractEventLoop | None = None
        # The slots of this task's attempts, innermost last (acquire and release of one
        # attempt run in one task); a tuple, since tasks inherit the value.
        self._mine: contextvars.ContextVar[tuple[_Slot, ...]] = contextvars.ContextVar(
            f"ccloud_limiter_{id(self)}", default=()
        )
        self._bind()

    def _bind(self) -> None:
        # Imported here: aiolimiter's package init reads its version through
        # importlib.metadata, ~15 ms that no program needs before it makes a limiter.
        from aiolimiter import AsyncLimiter

        self._bucket = AsyncLimiter(1, self.interval)
        # Slots of starts whose attempt ended less than one period ago (or has not ended).
        self._window = asyncio.Semaphore(self.max_requests)
        self._held: list[_Slot] = []  # slots not given back, oldest first

    def _check_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None and not self._loop.is_closed():
                raise ClientStateError(
                    "this limiter is in use by another event loop; make one per loop"
                )
            if self._loop is not None:
                self._bind()  # its loop has ended, and with it the releases it owed
            self._loop = loop
        return loop

    async def acquire(self) -> None:
        loop = self._check_loop()
        await self._window.acquire()
        try:
            while True:
                await self._wait_out_pause()
                await self._bucket.acquire()
                if self.paused_for <= 0:
                    break
                # A 429 arrived while we waited for the bucket: this start would land
                # inside the pause, so give up the bucket slot and wait again.
        except BaseException:
            self._window.release()  # cancelled while waiting: nothing was sent
            raise
        slot = _Slot(self._window)
        # Whatever happens to the attempt, it has reached the server by max_transit.
        slot.timer = loop.call_later(self.max_transit + self.period, slot.give_back)
        self._held.append(slot)
        self._mine.set((*self._mine.get(), slot))

    def _take(self) -> _Slot | None:
        mine = self._mine.get()
        slot: _Slot | None
        if mine:
            self._mine.set(mine[:-1])
            slot = mine[-1]
        else:  # released from another task than it was acquired in: the oldest
            slot = next((s for s in self._held if not s.free), None)
        if slot is not None and slot in self._held:
            self._held.remove(slot)
        return slot

    def release(self) -> None:
        """The attempt got its answer: it arrived by now; its slot comes back one period
        later (or at its transit bound, if that is sooner)."""
        self.release_answered(time.monotonic())

    def release_answered(self, written_at: float) -> None:
        """The attempt got its answer, and its request was written by ``written_at``
        (monotonic seconds): it arrived by ``written_at + jitter`` or by now, whichever
        is earlier; its slot comes back one period after that."""
        now = time.monotonic()
        self._free_after(min(now, written_at + self.jitter), now)

    def release_unanswered(self) -> None:
        """The attempt ended with no answer (a timeout, a reset): it may still be on its
        way, so its slot stays out until its transit bound."""
        self._take()  # its timer already runs to started + max_transit + period

    def release_cancelled(self) -> None:
        """The caller cancelled the attempt before its answer (a cancelled task, Ctrl-C in
        the blocking client). Nothing of it is written after this moment, so what was
        written arrives by now + ``jitter``, the bound an answered request is held to; a
        cancellation says nothing bad about the network, unlike a timeout. Its slot comes
        back one period after that, not at its transit bound: with one slot, an
        interrupted call would otherwise hold up the next for ``max_transit``."""
        now = time.monotonic()
        self._free_after(now + self.jitter, now)

    def _free_after(self, arrived_by: float, now: float) -> None:
        """Take this attempt's slot: it comes back one period after its request arrived,
        by ``arrived_by`` and at the latest by its transit bound."""
        slot = self._take()
        if slot is None or slot.free:
            return
        arrived = min(arrived_by, slot.started + self.max_transit)
        if slot.timer is not None:
            slot.timer.cancel()
        loop = asyncio.get_running_loop()
        slot.timer = loop.call_later(max(0.0, arrived + self.period - now), slot.give_back)

    def __repr__(self) -> str:
        return (
            f"InProcessLimiter(max_requests={self.max_requests}, period={self.period}, "
            f"interval={self.interval:.4f}, jitter={self.jitter})"
        )
