"""The per-key rate limit, read in its strictest form: a sliding window.

At most ``limit`` admitted requests may arrive inside any interval of ``window``
seconds. Unlike a token bucket this never lets a burst follow a full window, which is
exactly what a client-side limiter must be tested against. Rejected requests are not
recorded, so retrying too early does not push the next free slot further away.
"""

from __future__ import annotations

import math
from collections import deque
from email.utils import formatdate
from typing import Literal

__all__ = ["RetryAfterFormat", "SlidingWindowLimiter", "format_retry_after"]

RetryAfterFormat = Literal["seconds", "http-date", "none"]


class SlidingWindowLimiter:
    def __init__(self, limit: int | None = 10, window: float = 1.0) -> None:
        if limit is not None and limit < 1:
            raise ValueError("rate limit must be at least 1 (or None to disable it)")
        if window <= 0:
            raise ValueError("rate window must be positive")
        self.limit = limit
        self.window = window
        self._admitted: dict[str, deque[float]] = {}

    def acquire(self, key: str, now: float) -> float | None:
        """Admit a request arriving at ``now``; or return seconds until a slot frees."""
        if self.limit is None:
            return None
        times = self._admitted.setdefault(key, deque())
        # Half-open window: a request exactly ``window`` after another no longer shares
        # its window (the same rule Stats.max_in_window counts with).
        while times and not now - times[0] < self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return None
        return times[0] + self.window - now

    def reset(self) -> None:
        self._admitted.clear()


def format_retry_after(delay: float, style: RetryAfterFormat, *, now_ns: int) -> str | None:
    """The Retry-After value for a wait of ``delay`` seconds (None: send no header).

    ``now_ns`` is the emulator's wall clock, which an HTTP date is written from.
    """
    if style == "none":
        return None
    if style == "seconds":
        # Round up: a client that waits the advertised time must then be admitted.
        return str(max(1, math.ceil(delay)))
    if style == "http-date":
        # IMF-fixdate has whole seconds; round up for the same reason.
        return formatdate(math.ceil(now_ns / 1e9 + delay), usegmt=True)
    raise ValueError(f"unknown Retry-After format: {style!r}")
