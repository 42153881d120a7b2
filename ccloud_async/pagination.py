"""Keyset pagination as async iterators.

A list call returns an :class:`AsyncPager` at once (no request yet). ``async for item in
pager`` walks every page; ``pager.pages()`` yields whole pages. Pages are fetched lazily,
one at a time, through the client's limiter. A server that hands back a cursor it has
already given raises :class:`~ccloud_async.errors.PaginationError` instead of looping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .errors import PaginationError

__all__ = ["AsyncPager", "Page", "next_cursor"]

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its items, the cursor that fetched it and the cursor of the next page."""

    items: Sequence[T]
    cursor: str | None
    next_page: str | None
    previous_page: str | None = None


PageFetcher = Callable[[str | None], Awaitable[Page[T]]]


def next_cursor(value: object) -> str | None:
    """The next-page cursor, or None when the list is done (absent or empty)."""
    return value if isinstance(value, str) and value else None


@dataclass
class CursorGuard:
    """Remembers every cursor seen; a repeat means the server would loop forever."""

    seen: set[str] = field(default_factory=set)

    def check(self, cursor: str) -> None:
        if cursor in self.seen:
            raise PaginationError(f"the server repeated page cursor {cursor!r}: stopping")
        self.seen.add(cursor)


class AsyncPager(Generic[T]):
    """Async iterable over the items of every page of a list operation."""

    def __init__(self, fetch: PageFetcher[T], *, page: str | None = None) -> None:
        self._fetch = fetch
        self._start = page

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page in turn, starting at the ``page=`` cursor if one was given."""
        guard = CursorGuard()
        cursor = self._start
        if cursor is not None:
            guard.check(cursor)
        while True:
            page = await self._fetch(cursor)
            yield page
            cursor = next_cursor(page.next_page)
            if cursor is None:
                return
            guard.check(cursor)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def to_list(self) -> list[T]:
        """Every item of every page (mind the memory for large collections)."""
        return [item async for item in self]
