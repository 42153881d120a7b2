"""Run one async function over many items with bounded concurrency (anyio).

::

    results = await run_fleet(check_nodes, clusters, concurrency=20)
    for r in results:
        print(r.item.name, r.value if r.ok else r.error)

    async for r in stream_fleet(check_nodes, clusters):         # as they complete
        ...

Each item gets a :class:`FleetResult`: its value, or the exception it raised. One
failure does not stop the others unless ``fail_fast=True``, which cancels what is left
and raises the first error. Cancelling the caller cancels every running item. The
concurrency bound only limits how many items run at once; the client's limiter still
paces the requests they make.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import anyio

from .errors import ValidationError

__all__ = [
    "DEFAULT_CONCURRENCY",
    "FleetProgress",
    "FleetResult",
    "FleetStream",
    "run_fleet",
    "stream_fleet",
]

# Items in flight by default: enough to keep the API's 10 requests/s busy while each
# answer takes up to 2 s; the client's limiter, not this bound, paces the requests.
DEFAULT_CONCURRENCY = 20

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class FleetResult(Generic[T, R]):
    """What one item came to: ``value`` when ``ok``, else ``error``."""

    index: int
    item: T
    value: R | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> R:
        """The value, or raise the item's error."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


@dataclass(frozen=True)
class FleetProgress:
    done: int
    total: int
    failed: int


ProgressCallback = Callable[[FleetProgress], object]


class _Tracker:
    def __init__(self, total: int, on_progress: ProgressCallback | None) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.on_progress = on_progress

    def record(self, result: FleetResult[object, object]) -> None:
        self.done += 1
        self.failed += 0 if result.ok else 1
        if self.on_progress is not None:
            self.on_progress(FleetProgress(self.done, self.total, self.failed))


class _Batch(Generic[T, R]):
    """Shared state of one batch: the bound, progress, and the first error if failing fast."""

    def __init__(
        self,
        fn: Callable[[T], Awaitable[R]],
        total: int,
        concurrency: int,
        fail_fast: bool,
        on_progress: ProgressCallback | None,
    ) -> None:
        if concurrency < 1:
            raise ValidationError("concurrency must be >= 1")
        self.fn = fn
        self.limiter = anyio.CapacityLimiter(concurrency)
        self.tracker = _Tracker(total, on_progress)
        self.fail_fast = fail_fast
        self.first_error: Exception | None = None

    async def run(
        self, index: int, item: T, stop: Callable[[], object]
    ) -> FleetResult[T, R] | None:
        """One item; None when failing fast stopped the batch (``stop()`` stops the rest)."""
        async with self.limiter:
            try:
                result: FleetResult[T, R] = FleetResult(index, item, value=await self.fn(item))
            except Exception as exc:
                if self.fail_fast:
                    # Cancel the rest ourselves rather than let the task group wrap the
                    # error in an exception group.
                    if self.first_error is None:
                        self.first_error = exc
                    stop()
                    return None
                result = FleetResult(index, item, error=exc)
        self.tracker.record(result)  # type: ignore[arg-type]
        return result

    def raise_first(self) -> None:
        if self.first_error is not None:
            raise self.first_error


async def run_fleet(
    fn: Callable[[T], Awaitable[R]],
    items: Iterable[T],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    fail_fast: bool = False,
    on_progress: ProgressCallback | None = None,
) -> list[FleetResult[T, R]]:
    """Run ``fn`` on every item, at most ``concurrency`` at once; results in input order."""
    work: Sequence[T] = list(items)
    batch = _Batch(fn, len(work), concurrency, fail_fast, on_progress)
    results: list[FleetResult[T, R] | None] = [None] * len(work)

    async def one(index: int, item: T, scope: anyio.CancelScope) -> None:
        results[index] = await batch.run(index, item, scope.cancel)

    async with anyio.create_task_group() as group:
        for index, item in enumerate(work):
            group.start_soon(one, index, item, group.cancel_scope)
    batch.raise_first()
    return [r for r in results if r is not None]


class _Running(Generic[T, R]):
    """The tasks of one stream and their results. Kept apart from :class:`FleetStream`
    so that the tasks do not keep the stream alive: a stream dropped after ``break`` is
    collected at once, and cancels them."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[None]] = []
        self.results: asyncio.Queue[FleetResult[T, R] | None] = asyncio.Queue()
        self.failed = False

    async def one(self, batch: _Batch[T, R], index: int, item: T) -> None:
        self.results.put_nowait(await batch.run(index, item, self.fail))

    def fail(self) -> None:
        """Failing fast: stop every other item; the iteration raises the first error."""
        self.failed = True
        self.cancel(keep=asyncio.current_task())
        self.results.put_nowait(None)

    def cancel(self, keep: object = None) -> None:
        for task in self.tasks:
            if task is not keep and not task.done():
                task.cancel()


class FleetStream(Generic[T, R]):
    """Results of :func:`stream_fleet` as each item finishes.

    Iterate it directly (``async for r in stream_fleet(...)``) or inside ``async with``
    (``async with stream_fleet(...) as finished: async for r in finished``). Either way,
    leaving early — ``break``, an error, cancellation, the ``async with`` block ending —
    cancels the items still running; with ``fail_fast=True`` the first error is raised
    from the iteration once the rest are cancelled.
    """

    def __init__(self, batch: _Batch[T, R], work: Sequence[T]) -> None:
        self._batch = batch
        self._work = work
        self._running: _Running[T, R] | None = None
        self._left = len(work)

    def _start(self) -> _Running[T, R]:
        if self._running is None:
            running: _Running[T, R] = _Running()
            running.tasks = [
                asyncio.ensure_future(running.one(self._batch, index, item))
                for index, item in enumerate(self._work)
            ]
            self._running = running
        return self._running

    def __aiter__(self) -> FleetStream[T, R]:
        return self

    async def __anext__(self) -> FleetResult[T, R]:
        running = self._start()
        while self._left > 0 and not running.failed:
            try:
                result = await running.results.get()
            except BaseException:
                running.cancel()
                raise
            if result is None:
                break
            self._left -= 1
            return result
        running.cancel()
        self._batch.raise_first()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        """Cancel what still runs and wait for it to stop."""
        if self._running is not None:
            self._running.cancel()
            await asyncio.gather(*self._running.tasks, return_exceptions=True)

    def __del__(self) -> None:
        # ``break`` in an ``async for`` does not close the iterator: cancel as soon as
        # the loop lets go of it.
        if self._running is not None:
            self._running.cancel()

    async def __aenter__(self) -> FleetStream[T, R]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
        if exc_info[0] is None:
            self._batch.raise_first()


def stream_fleet(
    fn: Callable[[T], Awaitable[R]],
    items: Iterable[T],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    fail_fast: bool = False,
    on_progress: ProgressCallback | None = None,
) -> FleetStream[T, R]:
    """Like :func:`run_fleet`, but hands out each result as soon as it is ready.

    Nothing starts until the iteration does; see :class:`FleetStream`.
    """
    work: Sequence[T] = list(items)
    return FleetStream(_Batch(fn, len(work), concurrency, fail_fast, on_progress), work)
