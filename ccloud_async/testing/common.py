"""Helpers every part of the emulator shares: time, RFC 3339, errors, responses, ids.

Timestamps the emulator writes are RFC 3339 in UTC with fixed-width microseconds and
a ``Z`` (:func:`timestamp`), so they sort as strings in time order. The FakeCloud's one
:class:`Timeline` reads its wall clock and hands out strictly increasing moments, so
creation order is timestamp order across every area.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web

from .._clock import SYSTEM_CLOCK, WallClock, from_ns
from .errors import ALREADY_EXISTS, FAILED_PRECONDITION, NOT_FOUND, ApiError, invalid, json_response

__all__ = [
    "Timeline",
    "already_exists",
    "new_id",
    "not_found",
    "ok",
    "parse_rfc3339",
    "parse_time",
    "precondition",
    "timestamp",
]

_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})"
)


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with fixed-width microseconds and Z, so strings sort in time order."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_rfc3339(value: Any, path: str) -> tuple[datetime, int]:
    """An RFC 3339 date-time as (whole seconds in UTC, nanoseconds); 400 naming ``path``."""
    match = _RFC3339.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise invalid(f"{path}: must be an RFC 3339 date-time (got {value!r})")
    date, clock, fraction, zone = match.groups()
    offset = "+00:00" if zone in ("Z", "z") else zone
    try:
        whole = datetime.fromisoformat(f"{date}T{clock}{offset}").astimezone(timezone.utc)
    except ValueError:
        raise invalid(f"{path}: must be an RFC 3339 date-time (got {value!r})") from None
    return whole, int((fraction or "0").ljust(9, "0"))


def parse_time(value: Any, path: str) -> datetime:
    """An RFC 3339 date-time (any fraction, Z or offset) in UTC, to the microsecond."""
    whole, nanos = parse_rfc3339(value, path)
    return whole + timedelta(microseconds=nanos // 1000)


class Timeline:
    """The emulator's time: its wall ``clock`` read, and strictly increasing moments."""

    def __init__(self, clock: WallClock = SYSTEM_CLOCK) -> None:
        self.clock = clock
        self.last = from_ns(clock())

    def ns(self) -> int:
        """The clock as it reads now (nanoseconds since the epoch; not forced to increase)."""
        return self.clock()

    def current(self) -> datetime:
        """The clock as it reads now, as a UTC datetime (not forced to increase)."""
        return from_ns(self.clock())

    def now(self) -> datetime:
        """A moment later than every moment handed out before."""
        self.last = max(self.current(), self.last + timedelta(microseconds=1))
        return self.last

    def stamp(self) -> str:
        """:meth:`now` as a :func:`timestamp` string."""
        return timestamp(self.now())


def not_found(what: str) -> ApiError:
    return ApiError(404, NOT_FOUND, f"{what} not found")


def precondition(message: str) -> ApiError:
    return ApiError(400, FAILED_PRECONDITION, message)


def already_exists(message: str) -> ApiError:
    return ApiError(409, ALREADY_EXISTS, message)


def ok(body: Any) -> web.StreamResponse:
    """A 200 JSON response."""
    return json_response(body)


def new_id() -> str:
    return str(uuid.uuid4())
