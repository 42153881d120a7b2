"""``cloud.audit_logs``: the generated one-page call plus the streaming ``list``."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

import msgspec

from .._generated.operations import OPERATIONS
from .._generated.resources.audit_logs import AuditLogsResource
from .._http.messages import CallOptions, rfc3339
from ..audit.cursor import AuditResume, SortOrder
from ..audit.stream import AuditLogStream
from ..errors import ValidationError
from ..models import AuditLogEntry, decode, encode
from ._base import DEFAULT_AUDIT_LIMIT, PageSize

__all__ = ["AuditLogs", "AuditRecord"]


def _cursor_text(value: datetime.datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    return rfc3339(value, "starting_from")


def _dedupe_key(ident: str | None, said: bytes) -> str:
    """The key an entry is deduplicated by: its id, or for an entry without one a digest
    of all it says (so distinct id-less entries never collapse into one)."""
    return ident or "~" + hashlib.sha256(said).hexdigest()[:32]


def _entry_id(entry: AuditLogEntry) -> str:
    return entry.id or _dedupe_key(None, encode(entry))


class AuditRecord(msgspec.Struct, frozen=True, gc=False):
    """One audit-log entry exactly as the server sent it.

    ``json`` holds its bytes untouched — fields this SDK does not know yet included — and
    ``id`` / ``created_at`` are read from it for the walk. ``entry()`` decodes the model.
    """

    json: bytes
    id: str | None = None
    created_at: str | None = None

    def entry(self) -> AuditLogEntry:
        return decode(AuditLogEntry, self.json)


class _Keys(msgspec.Struct, gc=False):
    id: str | None = None
    created_at: str | None = None


class _RawPage(msgspec.Struct, gc=False):
    entries: list[msgspec.Raw] | None = None
    next_starting_from: str | None = None


_KEYS = msgspec.json.Decoder(_Keys)


def _record_id(record: AuditRecord) -> str:
    return _dedupe_key(record.id, record.json)


class AuditLogs(AuditLogsResource):
    """The organization's audit log, as one page or as a stream."""

    def list(
        self,
        starting_from: datetime.datetime | str | None = None,
        sort_order: SortOrder = "ASC",
        limit: int | None = None,
        follow: bool = False,
        *,
        resume: AuditResume | str | None = None,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AuditLogStream[AuditLogEntry]:
        """Every entry after ``starting_from`` (exclusive), each once, in order.

        ``limit`` is the page size to ask for (default 1000, the fewest requests; if the
        API refuses it, its own default); a page may hold a few more, since it never
        splits a timestamp. ``sort_order`` ASC (oldest first) or DESC. ``follow=True``
        (ASC only) keeps polling every ``poll_interval`` seconds for new entries until
        cancelled.
        ``resume`` (an :class:`AuditResume` or its token) continues an earlier walk and
        overrides ``starting_from`` and ``sort_order``.
        """

        async def page(
            cursor: str | None, order: SortOrder, n: int | None
        ) -> tuple[list[AuditLogEntry], str | None]:
            got = await self.list_page(
                starting_from=cursor,
                sort_order=order,
                limit=n,
                timeout=timeout,
                max_retries=max_retries,
            )
            return got.entries or [], got.next_starting_from or None

        start = _start(resume, starting_from, sort_order)
        return _walk(page, _entry_id, start, limit, follow, poll_interval)

    def records(
        self,
        starting_from: datetime.datetime | str | None = None,
        sort_order: SortOrder = "ASC",
        limit: int | None = None,
        follow: bool = False,
        *,
        resume: AuditResume | str | None = None,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AuditLogStream[AuditRecord]:
        """Like :meth:`list`, but each entry as an :class:`AuditRecord`: the bytes the
        server sent, so nothing it sends is lost (what an export should keep)."""
        op = OPERATIONS["CockroachCloud_ListAuditLogs"]

        async def page(
            cursor: str | None, order: SortOrder, n: int | None
        ) -> tuple[list[AuditRecord], str | None]:
            got = await self._call(
                op,
                _RawPage,
                query={"starting_from": cursor, "sort_order": order, "limit": n},
                options=CallOptions(timeout=timeout, max_retries=max_retries),
            )
            records = []
            for raw in got.entries or []:
                keys = _KEYS.decode(raw)
                records.append(AuditRecord(bytes(raw), keys.id, keys.created_at))
            return records, got.next_starting_from or None

        start = _start(resume, starting_from, sort_order)
        return _walk(page, _record_id, start, limit, follow, poll_interval)


E = TypeVar("E")
Page = Callable[[str | None, SortOrder, int | None], Awaitable[tuple[list[E], str | None]]]


def _walk(
    page: Page[E],
    key: Callable[[E], str],
    start: AuditResume,
    limit: int | None,
    follow: bool,
    poll_interval: float,
) -> AuditLogStream[E]:
    """The stream over ``page(cursor, order, size)``, asking for the largest pages the
    API takes (``PageSize``) unless told a ``limit``."""
    size = PageSize(limit, DEFAULT_AUDIT_LIMIT)

    async def fetch(cursor: str | None) -> tuple[list[E], str | None]:
        return await size.fetch(lambda n: page(cursor, start.sort_order, n))

    return AuditLogStream(fetch, key, start=start, follow=follow, poll_interval=poll_interval)


def _start(
    resume: AuditResume | str | None,
    starting_from: datetime.datetime | str | None,
    sort_order: SortOrder,
) -> AuditResume:
    """Where a walk starts: a resume point (or its token), else ``starting_from``."""
    if isinstance(resume, str):
        return AuditResume.from_token(resume)
    if resume is not None:
        return resume
    if sort_order not in ("ASC", "DESC"):
        raise ValidationError(f"sort_order must be ASC or DESC, got {sort_order!r}")
    return AuditResume(_cursor_text(starting_from), sort_order)
