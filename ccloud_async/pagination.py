"""Pagination as async iterators, and where each kind of list keeps its next cursor.

A list call returns an :class:`AsyncPager` at once (no request yet). ``async for item in
pager`` walks every page; ``pager.pages()`` yields whole pages. While the caller works
through one page the next one is already being fetched (through the client's limiter,
like every request). Breaking out of the loop, or cancelling the task, cancels that
fetch at once. A server that hands back a cursor it has already given raises
:class:`~ccloud_async.errors.PaginationError` instead of looping forever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, TypeVar

from .errors import PaginationError

__all__ = [
    "AsyncPager",
    "CursorGuard",
    "Page",
    "PageIterator",
    "keyset_page",
    "next_cursor",
    "scim_page",
    "single_page",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its items, the cursor that fetched it and the cursor of the next page.

    Save ``next_page`` to resume later with ``page=``.
    """

    items: Sequence[T]
    cursor: str | None
    next_page: str | None
    previous_page: str | None = None


PageFetcher = Callable[[str | None], Awaitable[Page[T]]]
# Empty pages in a row that each hand out a new cursor: a server that would never end.
MAX_EMPTY_PAGES = 10


def _retrieve(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()


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


class PageIterator(Generic[T]):
    """Iterates pages, fetching page N+1 while page N is being consumed."""

    def __init__(self, fetch: PageFetcher[T], start: str | None) -> None:
        self._fetch = fetch
        self._guard = CursorGuard()
        self._empty_in_a_row = 0
        self._pending: asyncio.Task[Page[T]] | None = None
        self._cursor = start
        self._done = False
        if start is not None:
            self._guard.check(start)

    def __aiter__(self) -> PageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._done:
            raise StopAsyncIteration
        task, self._pending = self._pending, None
        try:
            page = await task if task is not None else await self._fetch(self._cursor)
        except BaseException:
            self._done = True
            raise
        cursor = next_cursor(page.next_page)
        self._empty_in_a_row = 0 if page.items or cursor is None else self._empty_in_a_row + 1
        if self._empty_in_a_row >= MAX_EMPTY_PAGES:
            self._done = True
            raise PaginationError(
                f"{MAX_EMPTY_PAGES} empty pages in a row, each with a new cursor: stopping"
            )
        if cursor is None:
            self._done = True
        else:
            self._guard.check(cursor)
            self._cursor = cursor
            self._pending = asyncio.ensure_future(self._fetch(cursor))
        return page

    async def aclose(self) -> None:
        """Stop: cancel the fetch of the next page, if one is running."""
        self._done = True
        task, self._pending = self._pending, None
        if task is None:
            return
        task.cancel()
        await asyncio.wait([task])  # our own cancellation still propagates from here
        if not task.cancelled():
            task.exception()  # a prefetch failure nobody asked for is not logged as unretrieved

    def __del__(self) -> None:
        # `break` in an `async for` does not close the iterator: cancel the prefetch
        # as soon as the iterator is dropped. Its failure, if it had one, was nobody's
        # question: mark it retrieved so asyncio does not log it.
        task = self._pending
        if task is None:
            return
        if task.done():
            _retrieve(task)
        else:
            task.cancel()
            task.add_done_callback(_retrieve)

    async def __aenter__(self) -> PageIterator[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class _ItemIterator(Generic[T]):
    def __init__(self, pages: PageIterator[T]) -> None:
        self._pages = pages
        self._items: Sequence[T] = ()
        self._index = 0

    def __aiter__(self) -> _ItemIterator[T]:
        return self

    async def __anext__(self) -> T:
        while self._index >= len(self._items):
            self._items = (await self._pages.__anext__()).items
            self._index = 0
        item = self._items[self._index]
        self._index += 1
        return item

    async def aclose(self) -> None:
        await self._pages.aclose()


class AsyncPager(Generic[T]):
    """Async iterable over the items of every page of a list operation."""

    def __init__(self, fetch: PageFetcher[T], *, page: str | None = None) -> None:
        self._fetch = fetch
        self._start = page

    def pages(self) -> PageIterator[T]:
        """Each page in turn, starting at the ``page=`` cursor if one was given."""
        return PageIterator(self._fetch, self._start)

    def __aiter__(self) -> _ItemIterator[T]:
        return _ItemIterator(self.pages())

    async def to_list(self) -> list[T]:
        """Every item of every page (mind the memory for large collections)."""
        iterator = self.__aiter__()
        try:
            return [item async for item in iterator]
        finally:
            await iterator.aclose()

    async def first_page(self) -> Page[T]:
        """Only the first page (one request)."""
        async with self.pages() as pages:
            return await pages.__anext__()


# --- where the next page is, for each kind of list ---------------------------------------


def _items(items: object) -> Sequence[Any]:
    return items if isinstance(items, Sequence) else []


def keyset_page(items: object, pagination: Any, cursor: str | None) -> Page[Any]:
    """One page of a keyset-paginated list: its items and the cursors around it."""
    next_page = previous_page = None
    if pagination:
        next_page = pagination.next_page or None
        previous_page = pagination.previous_page or None
    return Page(
        items=_items(items), cursor=cursor, next_page=next_page, previous_page=previous_page
    )


def scim_page(
    items: object, response: Any, start: int | None, count: int | None, cursor: str | None
) -> Page[Any]:
    """One page of a SCIM list (``startIndex``/``count``, 1-based).

    The next page starts after the last item of this one, until ``totalResults`` items
    have been seen. The cursor of a page is its ``startIndex`` as a string. A server that
    still owes items but sends none raises :class:`PaginationError` (one that sends the
    same page again repeats a cursor, which the pager stops on).
    """
    found = _items(items)
    total = response.total_results
    next_page = None
    if isinstance(total, int) and count != 0:
        first = response.start_index
        if not isinstance(first, int) or first < 1:
            first = start or 1
        after = first + len(found)
        if after <= total:
            if not found:
                raise PaginationError(
                    f"the server sent no items at startIndex {first} of {total}: stopping"
                )
            next_page = str(after)
    return Page(items=found, cursor=cursor, next_page=next_page)


def single_page(items: object) -> Page[Any]:
    """A list the API sends whole."""
    return Page(items=_items(items), cursor=None, next_page=None)
