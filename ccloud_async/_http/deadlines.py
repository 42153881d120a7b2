"""Per-attempt deadlines that share timers instead of arming one each.

``asyncio.timeout`` arms and cancels one loop timer per use. At thousands of requests
per second that was the largest single cost the SDK added to a call. Here a deadline is
rounded *up* to the next tick (50 ms) and every deadline on the same tick shares one
timer: entering adds the task to its tick's set, leaving removes it, and when the
tick's timer fires, each task still in the set is cancelled and sees
``asyncio.TimeoutError`` instead. A deadline is never early and at most one tick late.

Cancellation from outside still wins: on 3.11+ the task's cancel count tells ours
apart from anyone else's, as ``asyncio.timeout`` does.
"""

from __future__ import annotations

import asyncio
import math
import sys
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType

__all__ = ["TICK", "AttemptTimeout", "DeadlineTimers"]

TICK = 0.05  # seconds


class AttemptTimeout(asyncio.TimeoutError):
    """A deadline made by :class:`DeadlineTimers` ran out."""


class _Deadline:
    """One use of a deadline: ``with timers.after(seconds): ...`` inside a task."""

    __slots__ = ("_bucket", "_cancelling", "_task", "fired")

    def __init__(self, task: asyncio.Task[object], bucket: set[_Deadline]) -> None:
        self._task = task
        self._bucket = bucket
        self._cancelling = 0
        if sys.version_info >= (3, 11):  # cancel counts: Task.cancelling()/uncancel()
            self._cancelling = task.cancelling()
        self.fired = False

    def expire(self) -> None:
        if not self._task.done():
            self.fired = True
            self._task.cancel()

    def __enter__(self) -> None:
        self._bucket.add(self)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bucket.discard(self)
        if not self.fired:
            return
        if sys.version_info >= (3, 11):
            # Our cancel is spent either way; another one still pending wins.
            if self._task.uncancel() > self._cancelling:
                return
        if exc_type is asyncio.CancelledError:
            raise AttemptTimeout() from None


class DeadlineTimers:
    """Deadlines for the tasks of one event loop, one timer per 50 ms tick in use."""

    def __init__(self) -> None:
        self._buckets: dict[int, set[_Deadline]] = {}

    def after(self, seconds: float) -> AbstractContextManager[None]:
        """A context manager that turns into ``asyncio.TimeoutError`` after ``seconds``
        (``math.inf``: never).

        Enter it with ``with`` in the task it should cancel (it needs no ``await``).
        """
        if seconds == math.inf:
            return nullcontext()
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("a deadline needs to run inside a task")
        tick = math.ceil((loop.time() + seconds) / TICK)
        bucket = self._buckets.get(tick)
        if bucket is None:
            bucket = self._buckets[tick] = set()
            loop.call_at(tick * TICK, self._fire, tick)
        return _Deadline(task, bucket)

    def _fire(self, tick: int) -> None:
        for deadline in self._buckets.pop(tick, ()):
            deadline.expire()

    @property
    def pending(self) -> int:
        """Ticks with a timer armed (for tests: bounded by timeout / TICK)."""
        return len(self._buckets)
