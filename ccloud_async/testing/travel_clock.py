"""A wall clock for tests that starts at any instant: month ends, New Year, leap days.

::

    clock = TravelClock("2026-12-31T23:59:58Z")
    async with FakeCloud(clock=clock) as fake, CockroachCloud(..., clock=clock) as cloud:
        ...                     # two seconds later it is 2027 for both of them
    clock.advance(3600)         # jump an hour ahead
    clock.travel("2028-02-29T12:00:00Z")

It runs at the machine's pace from wherever it was set (measured on the monotonic
clock, so the machine's own clock changing does not move it), or stands still with
``frozen=True``. Like :func:`time.time_ns` it returns nanoseconds since the epoch.
"""

from __future__ import annotations

import datetime
import threading
import time

from .._clock import from_ns
from .common import parse_rfc3339
from .errors import ApiError

__all__ = ["TravelClock"]

_NS = 1_000_000_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _instant_ns(instant: datetime.datetime | str) -> int:
    if isinstance(instant, str):
        try:
            whole, nanos = parse_rfc3339(instant, "instant")
        except ApiError:
            raise ValueError(f"not an RFC 3339 date-time: {instant!r}") from None
    elif isinstance(instant, datetime.datetime):
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("the instant must be timezone-aware (e.g. tzinfo=timezone.utc)")
        nanos = instant.microsecond * 1000
        whole = instant.replace(microsecond=0)
    else:
        raise TypeError(f"the instant must be a datetime or an RFC 3339 string, not {instant!r}")
    delta = whole - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _NS + nanos


class TravelClock:
    """A settable wall clock (nanoseconds since the epoch), safe to read from any thread."""

    def __init__(self, start: datetime.datetime | str, *, frozen: bool = False) -> None:
        self.frozen = frozen
        self._lock = threading.Lock()
        self._set(_instant_ns(start))

    def _set(self, ns: int) -> None:
        with self._lock:
            self._base_ns = ns
            self._base_mono = time.monotonic_ns()

    def __call__(self) -> int:
        with self._lock:
            if self.frozen:
                return self._base_ns
            return self._base_ns + time.monotonic_ns() - self._base_mono

    def now(self) -> datetime.datetime:
        """The current instant as an aware UTC datetime."""
        return from_ns(self())

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` ahead (or back, if negative)."""
        self._set(self() + round(seconds * _NS))

    def travel(self, instant: datetime.datetime | str) -> None:
        """Set the clock to ``instant``; it keeps running from there unless frozen."""
        self._set(_instant_ns(instant))

    def __repr__(self) -> str:
        state = "frozen" if self.frozen else "running"
        return f"TravelClock({self.now().isoformat().replace('+00:00', 'Z')!r}, {state})"
