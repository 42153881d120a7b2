"""``cloud.audit_logs``: the generated one-page call plus the streaming ``list``."""

from __future__ import annotations

import datetime
import hashlib

from .._generated.resources.audit_logs import AuditLogsResource
from .._http.messages import rfc3339
from ..audit.cursor import AuditResume, SortOrder
from ..audit.stream import AuditLogStream
from ..errors import ValidationError
from ..models import AuditLogEntry, encode
from ._base import DEFAULT_AUDIT_LIMIT, PageSize

__all__ = ["AuditLogs"]


def _cursor_text(value: datetime.datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    return rfc3339(value, "starting_from")


def _entry_id(entry: AuditLogEntry) -> str:
    """The key an entry is deduplicated by: its id, or for an entry without one a digest
    of all it says (so distinct id-less entries never collapse into one)."""
    if entry.id:
        return entry.id
    return "~" + hashlib.sha256(encode(entry)).hexdigest()[:32]


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
        if isinstance(resume, str):
            resume = AuditResume.from_token(resume)
        if resume is None:
            if sort_order not in ("ASC", "DESC"):
                raise ValidationError(f"sort_order must be ASC or DESC, got {sort_order!r}")
            resume = AuditResume(_cursor_text(starting_from), sort_order)
        order = resume.sort_order
        size = PageSize(limit, DEFAULT_AUDIT_LIMIT)

        async def fetch(cursor: str | None) -> tuple[list[AuditLogEntry], str | None]:
            page = await size.fetch(
                lambda n: self.list_page(
                    starting_from=cursor,
                    sort_order=order,
                    limit=n,
                    timeout=timeout,
                    max_retries=max_retries,
                )
            )
            entries = page.entries if isinstance(page.entries, list) else []
            next_from = page.next_starting_from
            return entries, next_from if isinstance(next_from, str) and next_from else None

        return AuditLogStream(
            fetch,
            _entry_id,
            start=resume,
            follow=follow,
            poll_interval=poll_interval,
        )
