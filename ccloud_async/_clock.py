"""Wall-clock time: the one thing every dated decision reads.

A clock is any zero-argument callable returning nanoseconds since the Unix epoch (UTC),
like :func:`time.time_ns`, which is the default everywhere. The client reads it for
``Retry-After`` HTTP dates and the command line for "is ``--until`` in the past"; the
emulator (``FakeCloud(clock=...)``) for everything it dates. Durations and deadlines use
the monotonic clock instead and are not affected. ``ccloud_async.testing.TravelClock``
is a clock that starts wherever a test wants it to.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

__all__ = ["SYSTEM_CLOCK", "WallClock", "from_ns", "utc_now"]

WallClock = Callable[[], int]
"""Nanoseconds since the Unix epoch, UTC."""

SYSTEM_CLOCK: WallClock = time.time_ns

_NS = 1_000_000_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def from_ns(ns: int) -> datetime.datetime:
    """An aware UTC datetime for nanoseconds since the epoch (to the microsecond).

    Integer arithmetic, so no float rounding moves an instant across a second (or a year).
    """
    return _EPOCH + datetime.timedelta(microseconds=ns // 1000)


def utc_now(clock: WallClock = SYSTEM_CLOCK) -> datetime.datetime:
    """The clock's current instant as an aware UTC datetime."""
    return from_ns(clock())


def seconds(clock: WallClock = SYSTEM_CLOCK) -> float:
    """The clock's current Unix time in seconds."""
    return clock() / _NS
