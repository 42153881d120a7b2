"""The emulator's audit log: entries, seeding, and pages that behave like the API's.

Timestamps carry nanoseconds and are written the way protobuf JSON writes them (0, 3, 6
or 9 fraction digits), so they are compared by a canonical key, never as raw strings.
Pages follow the API: ``starting_from`` is an exclusive bound, a page always holds every
entry of its last timestamp, ASC always answers ``next_starting_from`` and DESC omits it
once the oldest entry was served. With ``repeats`` on (the default) a page also repeats
the entries stamped exactly at ``starting_from`` — the boundary repeats a client must
deduplicate by ``id``; they do not count against ``limit``.
"""

from __future__ import annotations

import bisect
import random
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import validation as v
from .common import Timeline, new_id, parse_rfc3339

if TYPE_CHECKING:
    from .call import Call

__all__ = ["AuditLog", "canonical", "format_ns"]

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_NS = 1_000_000_000


def to_ns(value: str, path: str = "starting_from") -> int:
    """Nanoseconds since the epoch of an RFC 3339 date-time; 400 naming ``path`` if bad."""
    whole, nanos = parse_rfc3339(value, path)
    return int(whole.timestamp()) * _NS + nanos


def format_ns(ns: int) -> str:
    """RFC 3339 in UTC as protobuf JSON writes it: 0, 3, 6 or 9 fraction digits."""
    seconds, fraction = divmod(ns, _NS)
    text = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        digits = f"{fraction:09d}"
        for width in (3, 6, 9):
            if digits[width:].strip("0") == "":
                digits = digits[:width]
                break
        text += "." + digits
    return text + "Z"


def canonical(value: str) -> int:
    return to_ns(value, "created_at")


class AuditLog:
    """Audit log entries (AuditLogEntry objects), oldest first."""

    def __init__(self, timeline: Timeline, *, repeats: bool = True) -> None:
        self._timeline = timeline
        # Seeded entries are None here and made on demand from their index, so a log of
        # a million entries costs a list of ints, not a million dicts.
        self._entries: list[dict[str, Any] | None] = []
        self._keys: list[int] = []  # canonical times, parallel to _entries
        self._last_ns = 0
        self._seed = 0
        self.repeats = repeats

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> list[dict[str, Any]]:
        """Every entry, oldest first (materialised: mind large seeded logs)."""
        return [self.entry(i) for i in range(len(self._entries))]

    def entry(self, index: int) -> dict[str, Any]:
        found = self._entries[index]
        return found if found is not None else self._seeded(index)

    # -- writing ----------------------------------------------------------------------

    def _now_ns(self) -> int:
        self._last_ns = max(self._timeline.ns(), self._last_ns + 1)
        return self._last_ns

    def record(
        self,
        action: str,
        call: Call | None = None,
        *,
        cluster: Mapping[str, Any] | None = None,
        payload: str = "",
        created_at: str | None = None,
    ) -> dict[str, Any]:
        """Append an entry for ``action`` (an AuditLogAction value) done by ``call``'s caller.

        Operations do not call this: the server does, for an applied call whose
        ``@handles`` declares an action (``server.py``).
        """
        if created_at:
            key, stamp = canonical(created_at), created_at
        else:
            key = self._now_ns()
            stamp = format_ns(key)
        entry: dict[str, Any] = {
            "id": new_id(),
            "action": action,
            "created_at": stamp,
            "source": "AUDIT_LOG_SOURCE_CC_API",
            "metadata": {"ip_address": f"203.0.113.{secrets.randbelow(254) + 1}"},
            "trace_id": secrets.token_hex(16),
            "payload": payload,
        }
        if call is not None:
            principal = call.principal
            if principal.vanity_name is not None:
                entry["user_email"] = call.request.headers.get(
                    "Cc-Username", f"{principal.user_id[:8]}@example.com"
                )
            else:
                entry["service_account_name"] = f"sa-{principal.user_id[:8]}"
        if cluster is not None:
            entry["cluster_id"] = cluster["id"]
            entry["cluster_name"] = cluster["name"]
        self._insert(entry, key)
        return entry

    def _insert(self, entry: dict[str, Any], key: int) -> None:
        if not self._keys or key >= self._keys[-1]:
            self._entries.append(entry)
            self._keys.append(key)
            return
        index = bisect.bisect_right(self._keys, key)  # equal times keep their order
        if any(e is None for e in self._entries[index:]):
            # Seeded entries are made from their index: pin those that would move.
            self._entries[index:] = [self.entry(i) for i in range(index, len(self._entries))]
        self._entries.insert(index, entry)
        self._keys.insert(index, key)

    _ACTIONS = (
        "AUDIT_LOG_ACTION_CREATE_CLUSTER",
        "AUDIT_LOG_ACTION_UPDATE_CLUSTER",
        "AUDIT_LOG_ACTION_CREATE_SQL_USER",
        "AUDIT_LOG_ACTION_CHANGE_SQL_USER_PASSWORD",
        "AUDIT_LOG_ACTION_ADD_IP_ALLOWLIST",
        "AUDIT_LOG_ACTION_USER_LOGIN",
        "AUDIT_LOG_ACTION_CREATE_API_KEY",
        "AUDIT_LOG_ACTION_SET_CLUSTER_MAINTENANCE_WINDOW",
    )
    _SOURCES = ("AUDIT_LOG_SOURCE_CC_API", "AUDIT_LOG_SOURCE_UI", "AUDIT_LOG_SOURCE_CLI")

    def seed(self, count: int, *, seed: int = 7) -> None:
        """Append ``count`` realistic entries ending now; groups of 1-4 share a timestamp."""
        rng = random.Random(seed)
        self._seed = seed
        stamp = max(self._timeline.ns() - count * 50_000_000, self._last_ns + 1)
        made = 0
        while made < count:
            stamp += rng.randrange(1, 100_000_000)  # up to 0.1 s apart, nanosecond stamps
            group = min(rng.choice((1, 1, 1, 2, 3, 4)), count - made)
            self._keys.extend([stamp] * group)
            self._entries.extend([None] * group)
            made += group
        self._last_ns = max(self._last_ns, stamp)

    def _seeded(self, index: int) -> dict[str, Any]:
        rng = random.Random(self._seed * 1_000_003 + index)
        cluster = rng.randrange(40)
        return {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "action": rng.choice(self._ACTIONS),
            "created_at": format_ns(self._keys[index]),
            "source": rng.choice(self._SOURCES),
            "cluster_id": str(uuid.UUID(int=cluster + 1)),
            "cluster_name": f"seeded-{cluster:03d}",
            "user_email": f"user{rng.randrange(12)}@example.com",
            "metadata": {"ip_address": f"198.51.100.{rng.randrange(1, 255)}"},
            "trace_id": f"{rng.getrandbits(128):032x}",
            "payload": "",
        }

    # -- reading ----------------------------------------------------------------------

    def page(self, query: Mapping[str, str]) -> dict[str, Any]:
        """One ListAuditLogsResponse for the query."""
        order = v.enum(query.get("sort_order", "ASC"), "sort_order", ("ASC", "DESC"))
        limit = DEFAULT_LIMIT
        if query.get("limit") is not None:
            limit = min(v.int32(query["limit"], "limit", minimum=0) or DEFAULT_LIMIT, MAX_LIMIT)
        raw_bound = query.get("starting_from") or None
        bound = to_ns(raw_bound) if raw_bound else None
        keys = self._keys
        if order == "ASC":
            lo = 0 if bound is None else bisect.bisect_right(keys, bound)
            hi = _extend(keys, lo, min(lo + limit, len(keys)), step=1)
            chosen = list(range(lo, hi))
            if self.repeats and bound is not None:
                first = bisect.bisect_left(keys, bound)
                chosen = list(range(first, lo)) + chosen
            body: dict[str, Any] = {"entries": [self.entry(i) for i in chosen]}
            if hi > lo:
                body["next_starting_from"] = self.entry(hi - 1)["created_at"]
            elif raw_bound:
                body["next_starting_from"] = raw_bound
            else:
                body["next_starting_from"] = format_ns(max(self._last_ns, self._timeline.ns()))
            return body
        top = len(keys) if bound is None else bisect.bisect_left(keys, bound)
        low = _extend(keys, top, max(top - limit, 0), step=-1)
        chosen = list(range(top - 1, low - 1, -1))
        if self.repeats and bound is not None:
            last = bisect.bisect_right(keys, bound)
            chosen = list(range(last - 1, top - 1, -1)) + chosen
        body = {"entries": [self.entry(i) for i in chosen]}
        if low > 0:
            body["next_starting_from"] = self.entry(low)["created_at"]
        return body


def _extend(keys: list[int], start: int, end: int, *, step: int) -> int:
    """Move ``end`` so that the page does not split the timestamp at its edge."""
    if step > 0:
        while start < end < len(keys) and keys[end] == keys[end - 1]:
            end += 1
        return end
    while 0 < end < start and keys[end - 1] == keys[end]:
        end -= 1
    return end
