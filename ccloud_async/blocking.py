"""The blocking side: an event loop in a thread of its own, and iterators that block.

:class:`~ccloud_async.CockroachCloudSync` is not a second client: it drives a
:class:`~ccloud_async.CockroachCloud` on a :class:`LoopThread` (anyio's blocking portal),
so every request still goes through the one engine, limiter and retry policy. What the
async client hands out lazily becomes a plain iterator here: :class:`SyncPager` for an
:class:`~ccloud_async.AsyncPager`, :class:`SyncAuditLogStream` for an
:class:`~ccloud_async.AuditLogStream`. :func:`run_fleet_sync` and
:func:`stream_fleet_sync` are the blocking forms of :func:`~ccloud_async.run_fleet` and
:func:`~ccloud_async.stream_fleet`: each item runs a plain function in a worker thread.

A KeyboardInterrupt (or any exception a signal handler raises) while a call waits
cancels the call on the loop and waits for it to end — limiter slot given back,
connection closed rather than reused half-read — before it propagates.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import threading
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Sequence,
)
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

from anyio.from_thread import BlockingPortal, start_blocking_portal

from .audit.cursor import AuditResume
from .audit.stream import AuditEntryIterator, AuditLogStream, AuditPage
from .errors import ClientStateError
from .fleet import (
    DEFAULT_CONCURRENCY,
    FleetResult,
    FleetStream,
    ProgressCallback,
    run_fleet,
    stream_fleet,
)
from .pagination import AsyncPager, Page, PageIterator

if TYPE_CHECKING:
    from .audit.stream import _PageStream

__all__ = [
    "LoopThread",
    "SyncAuditEntries",
    "SyncAuditLogStream",
    "SyncAuditPages",
    "SyncFleetStream",
    "SyncPageIterator",
    "SyncPager",
    "run_fleet_sync",
    "stream_fleet_sync",
]

T = TypeVar("T")
R = TypeVar("R")
E = TypeVar("E")
P = ParamSpec("P")

# How often the main thread wakes while it waits: a signal that lands on another thread
# (or _thread.interrupt_main) only raises KeyboardInterrupt once the main thread runs.
_WAKE = 0.1
# How long an interrupted call may take to unwind (release its slot, close its
# connection) before the interrupt propagates anyway.
_UNWIND = 5.0


class _Item:
    """A fleet item running in a worker thread: the client calls it has in flight, to
    cancel with it (a thread cannot be cancelled, the calls it waits on can)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: set[concurrent.futures.Future[Any]] = set()
        self.cancelled = False

    def watch(self, call: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._calls.add(call)
            cancelled = self.cancelled
        if cancelled:
            call.cancel()

    def forget(self, call: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._calls.discard(call)

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            calls = list(self._calls)
        for call in calls:
            call.cancel()


_current = threading.local()  # .item: the fleet item this worker thread runs, if any


def _item() -> _Item | None:
    return getattr(_current, "item", None)


def _item_cancelled() -> asyncio.CancelledError:
    # A BaseException, so that an item's `except Exception` does not swallow it.
    return asyncio.CancelledError("the fleet item was cancelled")


async def _run(call: Callable[[], Awaitable[T]], ended: threading.Event) -> T:
    try:
        return await call()
    finally:
        ended.set()  # the waiter of a cancelled call waits for this, not for the future


class LoopThread:
    """One event loop in a background thread (anyio's blocking portal), started on the
    first call and stopped by :meth:`close`; every blocking call of a client runs on it.

    Calls may come from any number of threads at once, including threads that run an
    event loop of their own (a notebook cell). A call made from the loop thread itself
    (an event hook or an ``on_change`` callback calling the blocking client) would wait
    for itself, and raises :class:`~ccloud_async.ClientStateError` instead.
    """

    def __init__(self, name: str = "ccloud-async-loop") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._portal: BlockingPortal | None = None
        self._manager: AbstractContextManager[BlockingPortal] | None = None
        self._ident: int | None = None
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def in_loop_thread(self) -> bool:
        return self._ident is not None and threading.get_ident() == self._ident

    def _get_portal(self) -> BlockingPortal:
        portal = self._portal
        if portal is not None:
            return portal
        with self._lock:
            if self._closed:
                raise ClientStateError("this client is closed")
            if self._portal is None:
                manager = start_blocking_portal("asyncio", name=self._name)
                portal = manager.__enter__()
                self._ident = portal.call(threading.get_ident)
                self._manager, self._portal = manager, portal
            return self._portal

    def call(self, fn: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
        """``await fn(*args, **kwargs)`` on the loop; block until it is done."""
        if self.in_loop_thread():
            raise ClientStateError(
                "a blocking call from the client's own event loop thread (an event hook or "
                "an on_change/on_progress callback) would wait for itself"
            )
        item = _item()
        if item is not None and item.cancelled:
            raise _item_cancelled()
        ended = threading.Event()
        try:
            future = self._get_portal().start_task_soon(
                _run, functools.partial(fn, *args, **kwargs), ended
            )
        except RuntimeError:  # the portal stopped: closed by another thread
            raise ClientStateError("this client is closed") from None
        if item is not None:
            item.watch(future)
        try:
            return self._wait(future)
        except concurrent.futures.CancelledError:
            # Not by the caller: its fleet item was cancelled, or the client closed.
            ended.wait(_UNWIND)
            if item is not None and item.cancelled:
                raise _item_cancelled() from None
            raise ClientStateError("this client was closed while the call was under way") from None
        except BaseException as exc:
            if not future.done():
                # Interrupted while waiting (KeyboardInterrupt, or whatever a signal
                # handler raised): cancel the call and let it unwind on the loop first.
                future.cancel()
                over = "has ended" if ended.wait(_UNWIND) else "is still unwinding"
                if hasattr(exc, "add_note"):  # Python 3.11+
                    name = getattr(fn, "__qualname__", repr(fn))
                    exc.add_note(f"ccloud_async: {name}() was cancelled and {over}")
            raise
        finally:
            if item is not None:
                item.forget(future)

    def next(self, iterator: AsyncIterator[T]) -> T:
        """``await anext(iterator)`` on the loop; its end raises :class:`StopIteration`."""
        try:
            return self.call(iterator.__anext__)
        except StopAsyncIteration:
            raise StopIteration from None

    @staticmethod
    def _wait(future: concurrent.futures.Future[T]) -> T:
        if threading.current_thread() is threading.main_thread():
            while True:
                try:
                    future.exception(_WAKE)  # raises on time out (or cancel), not for a failure
                    break
                except concurrent.futures.TimeoutError:
                    continue
        return future.result()

    def blocking(self, fn: Callable[P, Awaitable[T]]) -> Callable[P, T]:
        """``fn`` as a blocking function with the same parameters."""

        @functools.wraps(fn)
        def blocking_call(*args: P.args, **kwargs: P.kwargs) -> T:
            return self.call(fn, *args, **kwargs)

        return blocking_call

    def cleanup(self, fn: Callable[[], Awaitable[object]]) -> None:
        """Run ``fn`` (an ``aclose``) on the loop if it is still there; from the loop
        thread itself (a finalizer run there), start it without waiting."""
        portal = self._portal
        if portal is None:
            return
        if self.in_loop_thread():
            _in_background(_swallow(fn))
            return
        with contextlib.suppress(RuntimeError):  # stopped meanwhile, and its tasks with it
            portal.call(_swallow, fn)

    def close(self, before: Callable[[], Awaitable[object]] | None = None) -> None:
        """Await ``before`` on the loop (the client's ``aclose``), cancel what still
        runs there, stop the loop and join its thread. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            portal, manager = self._portal, self._manager
            self._portal = self._manager = None
        if portal is None or manager is None:
            return
        if self.in_loop_thread():
            # A finalizer run on the loop thread: it cannot join itself.
            _in_background(_close_from_inside(portal, before))
            return
        try:
            if before is not None:
                portal.call(before)
            portal.call(portal.stop, True)  # calls other threads still wait on end now
        finally:
            manager.__exit__(None, None, None)  # the loop ends; its thread is joined


_BACKGROUND: set[asyncio.Task[None]] = set()  # held until done: the loop keeps weak refs


def _in_background(coro: Coroutine[Any, Any, None]) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # the loop is past running: its tasks are gone already
        coro.close()
        return
    task = loop.create_task(coro)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


async def _swallow(fn: Callable[[], Awaitable[object]]) -> None:
    with contextlib.suppress(Exception):  # a clean-up nobody waits for has no one to tell
        await fn()


async def _close_from_inside(
    portal: BlockingPortal, before: Callable[[], Awaitable[object]] | None
) -> None:
    if before is not None:
        await _swallow(before)
    await portal.stop(True)


def _step(coro: Coroutine[Any, Any, T]) -> T:
    """Run to its end a coroutine that never suspends (its awaits block instead)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coro.close()
    raise RuntimeError("a coroutine run in the calling thread tried to suspend")


# --- pagers ----------------------------------------------------------------------------


class SyncPageIterator(Generic[T]):
    """Each page of a list in turn; the next page is fetched on the loop while the
    caller works through this one. ``close()`` (or leaving ``with``) stops that fetch."""

    def __init__(self, loop: LoopThread, pages: PageIterator[T]) -> None:
        self._loop = loop
        self._pages: PageIterator[T] | None = pages

    def __iter__(self) -> SyncPageIterator[T]:
        return self

    def __next__(self) -> Page[T]:
        if self._pages is None:
            raise StopIteration
        try:
            return self._loop.next(self._pages)
        except StopIteration:
            self._pages = None
            raise

    def close(self) -> None:
        pages, self._pages = self._pages, None
        if pages is not None:
            # On the loop: the prefetch task may only be cancelled from there.
            self._loop.cleanup(pages.aclose)

    def __del__(self) -> None:
        self.close()

    def __enter__(self) -> SyncPageIterator[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SyncPager(Generic[T]):
    """What a list method of the blocking client returns, at once (no request yet):
    ``for item in pager`` walks every page, ``pager.pages()`` yields whole pages
    (``items``, ``cursor``, ``next_page``), ``to_list()`` and ``first_page()`` as on
    :class:`~ccloud_async.AsyncPager`, whose pages and cursors these are."""

    def __init__(self, loop: LoopThread, pager: AsyncPager[T]) -> None:
        self._loop = loop
        self._pager = pager

    def pages(self) -> SyncPageIterator[T]:
        """Each page in turn, starting at the ``page=`` cursor if one was given."""
        return SyncPageIterator(self._loop, self._pager.pages())

    def __iter__(self) -> Iterator[T]:
        # A generator: `break` drops it, which closes the pages (and their prefetch).
        with self.pages() as pages:
            for page in pages:
                yield from page.items

    def to_list(self) -> list[T]:
        """Every item of every page (mind the memory for large collections)."""
        return self._loop.call(self._pager.to_list)

    def first_page(self) -> Page[T]:
        """Only the first page (one request)."""
        return self._loop.call(self._pager.first_page)


# --- the audit log ---------------------------------------------------------------------


class _PagesThroughLoop(Generic[E]):
    """An audit page stream whose pages are fetched on the loop thread, so that the
    async entry iterator's own logic (dedup, resume points) runs unchanged in the
    calling thread: its ``__anext__`` blocks and never suspends (see :func:`_step`)."""

    def __init__(self, loop: LoopThread, pages: _PageStream[E]) -> None:
        self._loop = loop
        self._pages = pages

    @property
    def cursor(self) -> Any:
        return self._pages.cursor

    def id_of(self, entry: E) -> str:
        return self._pages.id_of(entry)

    async def __anext__(self) -> AuditPage[E]:
        return self._loop.call(self._pages.__anext__)


class SyncAuditEntries(Generic[E]):
    """Audit entries one by one; :meth:`resume_point` says where to continue after the
    last one yielded (as on the async stream's iterator)."""

    def __init__(self, loop: LoopThread, pages: _PageStream[E]) -> None:
        shim = cast("_PageStream[E]", _PagesThroughLoop(loop, pages))
        self._entries = AuditEntryIterator(shim)

    def __iter__(self) -> SyncAuditEntries[E]:
        return self

    def __next__(self) -> E:
        try:
            return _step(self._entries.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def resume_point(self) -> AuditResume:
        """Resume here: after the last entry yielded, nothing lost, nothing twice."""
        return self._entries.resume_point()


class SyncAuditPages(Generic[E]):
    """Audit pages one by one (:class:`~ccloud_async.AuditPage`: ``entries``, ``resume``)."""

    def __init__(self, loop: LoopThread, pages: _PageStream[E]) -> None:
        self._loop = loop
        self._pages = pages

    def __iter__(self) -> SyncAuditPages[E]:
        return self

    def __next__(self) -> AuditPage[E]:
        return self._loop.next(self._pages)


class SyncAuditLogStream(Generic[E]):
    """What ``audit_logs.list()`` / ``records()`` of the blocking client return: lazy,
    ``for entry in stream`` walks every entry once, ``stream.pages()`` page by page, and
    :meth:`resume_point` gives the same resume tokens as the async
    :class:`~ccloud_async.AuditLogStream` (``resume_point().token()``)."""

    def __init__(self, loop: LoopThread, stream: AuditLogStream[E]) -> None:
        self._loop = loop
        self._stream = stream
        self._latest: SyncAuditEntries[E] | None = None

    def __iter__(self) -> SyncAuditEntries[E]:
        """A fresh walk, entry by entry; :meth:`resume_point` follows the latest one."""
        self._latest = SyncAuditEntries(self._loop, self._stream.pages())
        return self._latest

    def pages(self) -> SyncAuditPages[E]:
        """A fresh walk, page by page, from the stream's start."""
        return SyncAuditPages(self._loop, self._stream.pages())

    def resume_point(self) -> AuditResume:
        """Where to resume after the last entry ``for`` over this stream yielded;
        before any iteration, the stream's own start."""
        if self._latest is None:
            return self._stream.resume_point()
        return self._latest.resume_point()


# --- fleets ----------------------------------------------------------------------------


def _in_item(item: _Item, fn: Callable[[T], R], value: T) -> R:
    _current.item = item
    try:
        return fn(value)
    finally:
        _current.item = None


class _FleetRunner:
    """The loop that runs the async fleet helper, and the worker threads its items run
    in; both are gone when it closes."""

    def __init__(self, concurrency: int) -> None:
        self.loop = LoopThread("ccloud-async-fleet")
        self._threads = ThreadPoolExecutor(
            max_workers=max(1, concurrency), thread_name_prefix="ccloud-async-fleet"
        )

    def item_fn(self, fn: Callable[[T], R]) -> Callable[[T], Awaitable[R]]:
        """``fn`` as the async function the fleet helper calls: in a worker thread."""

        async def one(value: T) -> R:
            item = _Item()
            done = self._threads.submit(_in_item, item, fn, value)
            try:
                return await asyncio.wrap_future(done)
            except asyncio.CancelledError:
                # The batch is stopping (fail_fast, the caller left, Ctrl-C): end the
                # item's client calls. Its thread is joined when the runner closes.
                item.cancel()
                raise

        return one

    def close(self) -> None:
        try:
            self.loop.close()
        finally:
            self._threads.shutdown(wait=True, cancel_futures=True)


def run_fleet_sync(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    fail_fast: bool = False,
    on_progress: ProgressCallback | None = None,
) -> list[FleetResult[T, R]]:
    """:func:`~ccloud_async.run_fleet` for a plain function: ``fn`` runs on every item
    in worker threads, at most ``concurrency`` at once; results in input order.

    Calls ``fn`` makes through a :class:`~ccloud_async.CockroachCloudSync` are cancelled
    when its item is (``fail_fast``, Ctrl-C): they raise ``asyncio.CancelledError``.
    Other work a running ``fn`` does finishes first (a thread cannot be interrupted).
    ``on_progress`` is called on the fleet's own event loop thread.
    """
    work: Sequence[T] = list(items)
    runner = _FleetRunner(concurrency)
    try:
        return runner.loop.call(
            run_fleet,
            runner.item_fn(fn),
            work,
            concurrency=concurrency,
            fail_fast=fail_fast,
            on_progress=on_progress,
        )
    finally:
        runner.close()


async def _new_stream(
    fn: Callable[[T], Awaitable[R]],
    work: Sequence[T],
    concurrency: int,
    fail_fast: bool,
    on_progress: ProgressCallback | None,
) -> FleetStream[T, R]:
    # Made on the loop: the fleet's capacity limiter belongs to the loop that makes it.
    return stream_fleet(
        fn, work, concurrency=concurrency, fail_fast=fail_fast, on_progress=on_progress
    )


class SyncFleetStream(Generic[T, R]):
    """Results of :func:`stream_fleet_sync` as each item finishes.

    Iterate it directly or inside ``with`` (``with stream_fleet_sync(...) as finished:
    for r in finished``); leaving early (``break``, an error, the end of the block)
    cancels the items still running and joins their threads.
    """

    def __init__(
        self,
        fn: Callable[[T], R],
        work: Sequence[T],
        concurrency: int,
        fail_fast: bool,
        on_progress: ProgressCallback | None,
    ) -> None:
        self._args = (fn, work, concurrency, fail_fast, on_progress)
        self._runner: _FleetRunner | None = None
        self._stream: FleetStream[T, R] | None = None
        self._ended = False

    def _started(self) -> tuple[LoopThread, FleetStream[T, R]]:
        if self._ended:
            raise StopIteration
        if self._runner is None or self._stream is None:
            fn, work, concurrency, fail_fast, on_progress = self._args
            self._runner = runner = _FleetRunner(concurrency)
            self._stream = runner.loop.call(
                _new_stream, runner.item_fn(fn), work, concurrency, fail_fast, on_progress
            )
        return self._runner.loop, self._stream

    def __iter__(self) -> SyncFleetStream[T, R]:
        return self

    def __next__(self) -> FleetResult[T, R]:
        loop, stream = self._started()
        try:
            return loop.next(stream)
        except BaseException:  # the end (StopIteration) too
            self.close()
            raise

    def close(self) -> None:
        """Cancel the items still running, wait for them, and stop the fleet's threads."""
        self._ended = True
        runner, stream = self._runner, self._stream
        self._runner = self._stream = None
        if runner is None:
            return
        try:
            if stream is not None:
                runner.loop.cleanup(stream.aclose)
        finally:
            runner.close()

    def __del__(self) -> None:
        self.close()

    def __enter__(self) -> SyncFleetStream[T, R]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        runner = self._runner
        try:
            if runner is not None and self._stream is not None and exc_type is None:
                # What the async stream's `async with` does: stop, then raise the first
                # error of a fail_fast batch. It closes the stream itself, so close() has
                # only the runner left to stop.
                stream, self._stream = self._stream, None
                runner.loop.call(stream.__aexit__, None, None, None)
        finally:
            self.close()


def stream_fleet_sync(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    fail_fast: bool = False,
    on_progress: ProgressCallback | None = None,
) -> SyncFleetStream[T, R]:
    """Like :func:`run_fleet_sync`, but hands out each result as soon as it is ready.

    Nothing starts until the iteration does; see :class:`SyncFleetStream`.
    """
    return SyncFleetStream(fn, list(items), concurrency, fail_fast, on_progress)
