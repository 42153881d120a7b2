"""The audit-log cursor, with no I/O: which entries are new, when to stop, how to resume.

``GET /api/v1/auditlogevents`` pages by time: ``starting_from`` is an exclusive bound
and each answer carries ``next_starting_from``. The cursor is kept as the raw string the
server sent (a ``datetime`` would drop nanoseconds and skip or repeat entries). Entries
sharing the boundary timestamp may come again on the next page, so entries are
deduplicated by ``id`` against the previous page (a repeat can only come from there).

* DESC: no ``next_starting_from`` means the start of the log was reached.
* ASC: the server always answers a cursor; a page with nothing new and an unchanged
  cursor means "caught up" (stop, or poll again when following).

Entries not strictly beyond the cursor (in the walk's direction) are dropped too: a page
never splits a timestamp, so every entry stamped at the cursor was already delivered —
and ``starting_from`` is exclusive. Times are compared as integer nanoseconds parsed from
the raw strings.

A :class:`AuditResume` names a position exactly: the cursor a page was fetched with and
the ids of that page already delivered. Its ``token()`` is a plain string to store.
"""

from __future__ import annotations

import base64
import calendar
import datetime
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast

from ..errors import PaginationError, ValidationError

__all__ = ["AuditCursor", "AuditResume", "FeedResult", "SortOrder"]

SortOrder = Literal["ASC", "DESC"]


T = TypeVar("T")

_NS = 1_000_000_000
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


def timestamp_ns(text: str) -> int:
    """Nanoseconds since the Unix epoch of an RFC 3339 date-time, with no precision lost."""
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        raise ValidationError(f"not an RFC 3339 date-time: {text!r}")
    year, month, day, hour, minute, second, fraction, _, sign, off_h, off_m = match.groups()
    moment = datetime.datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second),
        tzinfo=datetime.timezone.utc,
    )
    seconds = calendar.timegm(moment.utctimetuple())
    if sign:
        offset = int(off_h) * 3600 + int(off_m) * 60
        seconds -= offset if sign == "+" else -offset
    return seconds * _NS + int((fraction or "0").ljust(9, "0"))


def _id(entry: Any) -> str:
    return str(entry.id)


def _created_ns(entry: Any) -> int | None:
    created = getattr(entry, "created_at", None)
    if isinstance(created, str):
        try:
            return timestamp_ns(created)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class AuditResume:
    """Where to pick an audit-log walk up again."""

    starting_from: str | None
    sort_order: SortOrder = "ASC"
    seen: frozenset[str] = frozenset()

    def token(self) -> str:
        data = {"from": self.starting_from, "order": self.sort_order, "seen": sorted(self.seen)}
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> AuditResume:
        try:
            padded = token + "=" * (-len(token) % 4)
            data: Any = json.loads(base64.urlsafe_b64decode(padded.encode()))
            starting_from = data["from"]
            order = data["order"]
            seen = data["seen"]
            if not (starting_from is None or isinstance(starting_from, str)):
                raise TypeError
            if order not in ("ASC", "DESC") or not all(isinstance(s, str) for s in seen):
                raise TypeError
        except (ValueError, TypeError, KeyError) as exc:
            raise ValidationError("not an audit-log resume token") from exc
        return cls(starting_from, cast(SortOrder, order), frozenset(seen))


@dataclass(frozen=True)
class FeedResult:
    new: list[Any]
    caught_up: bool = False  # ASC: nothing new for now
    exhausted: bool = False  # DESC: the start of the log was reached


@dataclass
class AuditCursor:
    """Feed it each page; it says what is new and what to ask for next."""

    starting_from: str | None = None
    sort_order: SortOrder = "ASC"
    # Ids of the page fetched with ``starting_from`` that were already delivered.
    _delivered: set[str] = field(default_factory=set)
    _previous: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.sort_order not in ("ASC", "DESC"):
            raise ValidationError(f"sort_order must be ASC or DESC, got {self.sort_order!r}")

    @classmethod
    def resume(cls, point: AuditResume) -> AuditCursor:
        return cls(point.starting_from, point.sort_order, _previous=set(point.seen))

    def position(self, delivered: Iterable[str] = ()) -> AuditResume:
        """The resume point after delivering the given ids of the current page.

        It remembers the ids that could still come again: those of the previous page
        and those of the current page already delivered (at most two pages' worth).
        """
        seen = self._delivered | self._previous | set(delivered)
        return AuditResume(self.starting_from, self.sort_order, frozenset(seen))

    def feed(
        self,
        entries: Sequence[T],
        next_starting_from: str | None,
        id_of: Callable[[T], str] = _id,
    ) -> FeedResult:
        """Take one page fetched with ``self.starting_from``; advance the cursor."""
        skip = self._delivered | self._previous
        page_ids = [id_of(entry) for entry in entries]
        beyond = self._beyond_cursor()
        new = [
            entry
            for entry, key in zip(entries, page_ids, strict=True)
            if key not in skip and beyond(entry)
        ]
        if self.sort_order == "DESC" and not next_starting_from:
            self._advance(next_starting_from, page_ids)
            return FeedResult(new, exhausted=True)
        if not next_starting_from:
            # An ASC answer without a cursor breaks the API's contract; stay put.
            return FeedResult(new, caught_up=True)
        unchanged = next_starting_from == self.starting_from
        if unchanged and not new:
            if self.sort_order == "DESC":
                raise PaginationError(
                    f"the server repeated audit-log cursor {next_starting_from!r}: stopping"
                )
            self._delivered.update(page_ids)
            return FeedResult(new, caught_up=True)
        if unchanged:
            # New entries at the same boundary (written since): keep the cursor.
            self._delivered.update(page_ids)
            return FeedResult(new)
        self._check_direction(next_starting_from)
        self._advance(next_starting_from, page_ids)
        return FeedResult(new)

    def _check_direction(self, cursor: str) -> None:
        """A cursor must move the walk's way: one that goes back would hand out entries
        again (and two that alternate, forever)."""
        if self.starting_from is None:
            return
        try:
            before, after = timestamp_ns(self.starting_from), timestamp_ns(cursor)
        except ValueError:
            return  # an unusual cursor: the repeat checks still stand
        backwards = after < before if self.sort_order == "ASC" else after > before
        if backwards:
            raise PaginationError(
                f"the server moved the audit-log cursor backwards, from "
                f"{self.starting_from!r} to {cursor!r}: stopping"
            )

    def _beyond_cursor(self) -> Callable[[Any], bool]:
        if self.starting_from is None:
            return lambda entry: True
        try:
            bound = timestamp_ns(self.starting_from)
        except ValueError:
            return lambda entry: True  # an unusual cursor: rely on ids alone
        if self.sort_order == "ASC":
            return lambda entry: (ns := _created_ns(entry)) is None or ns > bound
        return lambda entry: (ns := _created_ns(entry)) is None or ns < bound

    def _advance(self, cursor: str | None, page_ids: list[str]) -> None:
        self._previous = set(page_ids)
        self._delivered = set()
        self.starting_from = cursor
