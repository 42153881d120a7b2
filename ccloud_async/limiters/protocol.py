"""What the engine needs from a limiter, and the limiter that only pauses.

Every attempt that goes on the wire is gated by a :class:`Limiter`: the in-process
default (:mod:`.in_process`), the Redis-backed one shared by many processes
(:mod:`.redis`), or your own.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol, runtime_checkable

__all__ = ["Limiter", "PauseOnlyLimiter"]


@runtime_checkable
class Limiter(Protocol):
    """What the engine needs from a limiter.

    ``acquire`` is awaited once before every attempt that goes on the wire (retries
    included) and must wait out any pause in force; ``release`` is called exactly once
    after each acquired attempt ends (answered, failed or cancelled). ``pause`` is
    called when the server answers 429: no acquire may return before ``seconds`` have
    passed.
    """

    async def acquire(self) -> None: ...

    def release(self) -> None: ...

    async def pause(self, seconds: float) -> None: ...


# A limiter may also offer ``release_unanswered()``, called instead of ``release`` for an
# attempt that ended with no answer (timed out, reset): it may still be on its way to
# the server. The in-process limiter holds such a slot to its transit bound. It may also
# offer ``release_cancelled()``, called for an attempt its caller cancelled before the
# answer (else ``release_unanswered`` is).


class PauseOnlyLimiter:
    """No rate limit, but a 429 still pauses everyone who shares this object."""

    def __init__(self) -> None:
        self._paused_until = 0.0

    @property
    def paused_for(self) -> float:
        """Seconds left in the current pause (0 when not paused)."""
        return max(0.0, self._paused_until - time.monotonic())

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + max(0.0, seconds))

    async def _wait_out_pause(self) -> None:
        # A pause can be extended while we sleep, so re-check rather than wait on an event.
        while (left := self.paused_for) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)

    async def acquire(self) -> None:
        if self._paused_until:  # skip the clock when no pause was ever asked for
            await self._wait_out_pause()

    def release(self) -> None:
        """Nothing to give back: there is no rate to keep."""
