"""The audit log as an async iterator (the rules live in :mod:`.cursor`).

``async for entry in stream`` yields every :class:`~ccloud_async.models.AuditLogEntry`
once, in order; ``stream.pages()`` yields :class:`AuditPage` objects (``.entries``, also
as ``.items`` like a keyset :class:`~ccloud_async.pagination.Page`). Both say where to
resume: ``page.resume`` after a page, ``stream.resume_point()`` after the last entry the
stream's ``async for`` yielded; pass either (or its ``token()``) back as ``resume=`` to
continue with no loss and no duplicates. With ``follow=True`` an ASC stream keeps
polling for new entries, like ``tail -f``, until cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import ValidationError
from .cursor import AuditCursor, AuditResume

__all__ = ["AuditEntryIterator", "AuditLogStream", "AuditPage"]

E = TypeVar("E")

# (entries, next_starting_from) for a starting_from cursor.
AuditFetcher = Callable[[str | None], Awaitable[tuple[Sequence[E], str | None]]]


@dataclass(frozen=True)
class AuditPage(Generic[E]):
    """The new entries of one answer, the raw cursors, and where to resume after it."""

    entries: Sequence[E]
    starting_from: str | None
    next_starting_from: str | None
    resume: AuditResume  # after this page
    before: AuditResume  # where this page was fetched from
    caught_up: bool = False

    @property
    def items(self) -> Sequence[E]:
        """The page's new entries (the name keyset pages use)."""
        return self.entries


class _PageStream(Generic[E]):
    def __init__(
        self,
        fetch: AuditFetcher[E],
        id_of: Callable[[E], str],
        cursor: AuditCursor,
        follow: bool,
        poll_interval: float,
    ) -> None:
        self._fetch = fetch
        self.id_of = id_of
        self.cursor = cursor
        self._follow = follow
        self._poll = poll_interval
        self._done = False

    def __aiter__(self) -> _PageStream[E]:
        return self

    async def __anext__(self) -> AuditPage[E]:
        while not self._done:
            asked = self.cursor.starting_from
            before = self.cursor.position()
            entries, next_from = await self._fetch(asked)
            result = self.cursor.feed(entries, next_from, self.id_of)
            page = AuditPage(
                entries=result.new,
                starting_from=asked,
                next_starting_from=next_from,
                resume=self.cursor.position(),
                before=before,
                caught_up=result.caught_up,
            )
            if result.exhausted:
                self._done = True
                return page
            if result.caught_up:
                if not self._follow:
                    self._done = True
                    return page
                if not result.new:
                    await asyncio.sleep(self._poll)  # tail -f: nothing new yet
                    continue
            if result.new or not self._follow:
                return page
        raise StopAsyncIteration


class AuditEntryIterator(Generic[E]):
    """Entries one by one; :meth:`resume_point` says where to continue after the last."""

    def __init__(self, pages: _PageStream[E]) -> None:
        self._pages = pages
        self._page: AuditPage[E] | None = None
        self._items: Sequence[E] = ()
        self._index = 0

    def __aiter__(self) -> AuditEntryIterator[E]:
        return self

    async def __anext__(self) -> E:
        while self._index >= len(self._items):
            self._page = await self._pages.__anext__()
            self._items = self._page.entries
            self._index = 0
        item = self._items[self._index]
        self._index += 1
        return item

    def resume_point(self) -> AuditResume:
        """Resume here: after the last entry yielded, nothing lost, nothing twice."""
        page = self._page
        if page is None:
            return self._pages.cursor.position()
        if self._index >= len(self._items):
            return page.resume
        delivered = {self._pages.id_of(item) for item in self._items[: self._index]}
        before = page.before
        return AuditResume(before.starting_from, before.sort_order, before.seen | delivered)


class AuditLogStream(Generic[E]):
    """What ``cloud.audit_logs.list()`` returns: lazy, nothing is fetched until iterated."""

    def __init__(
        self,
        fetch: AuditFetcher[E],
        id_of: Callable[[E], str],
        *,
        start: AuditResume,
        follow: bool = False,
        poll_interval: float = 5.0,
    ) -> None:
        if follow and start.sort_order != "ASC":
            raise ValidationError("follow=True needs sort_order='ASC'")
        if poll_interval <= 0:
            raise ValidationError("poll_interval must be > 0")
        self._fetch = fetch
        self._id_of = id_of
        self._start = start
        self._follow = follow
        self._poll = poll_interval
        self._latest: AuditEntryIterator[E] | None = None

    def pages(self) -> _PageStream[E]:
        """A fresh walk, page by page, from the stream's start."""
        cursor = AuditCursor.resume(self._start)
        return _PageStream(self._fetch, self._id_of, cursor, self._follow, self._poll)

    def __aiter__(self) -> AuditEntryIterator[E]:
        """A fresh walk, entry by entry; :meth:`resume_point` follows the latest one."""
        self._latest = AuditEntryIterator(self.pages())
        return self._latest

    def resume_point(self) -> AuditResume:
        """Where to resume after the last entry ``async for`` over this stream yielded.

        Before any iteration, the stream's own start.
        """
        if self._latest is None:
            return self._start
        return self._latest.resume_point()
