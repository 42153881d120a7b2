"""Run one async function over many items with bounded concurrency (anyio).

::

    results = await run_fleet(check_nodes, clusters, concurrency=20)
    for r in results:
        print(r.item.name, r.value if r.ok else r.error)

    async with stream_fleet(check_nodes, clusters) as finished:   # as they complete
        async for r in finished:
            ...

Each item gets a :class:`FleetResult`: its value, or the exception it raised. One
failure does not stop the others unless ``fail_fast=True``, which cancels what is left
and raises the first error. Cancelling the caller cancels every running item. The
concurrency bound only limits how many items run at once; the client's limiter still
paces the requests they make.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

import anyio
from anyio.abc import ObjectSendStream

from .errors import ValidationError

__all__ = ["DEFAULT_CONCURRENCY", "FleetProgress", "FleetResult", "run_fleet", "stream_fleet"]

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

    async def run(self, index: int, item: T, scope: anyio.CancelScope) -> FleetResult[T, R] | None:
        """One item; None when failing fast stopped the batch."""
        async with self.limiter:
            try:
                result: FleetResult[T, R] = FleetResult(index, item, value=await self.fn(item))
            except Exception as exc:
                if self.fail_fast:
                    # Cancel the rest ourselves rather than let the task group wrap the
                    # error in an exception group.
                    if self.first_error is None:
                        self.first_error = exc
                    scope.cancel()
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
        results[index] = await batch.run(index, item, scope)

    async with anyio.create_task_group() as group:
        for index, item in enumerate(work):
            group.start_soon(one, index, item, group.cancel_scope)
    batch.raise_first()
    return [r for r in results if r is not None]


@asynccontextmanager
async def stream_fleet(
    fn: Callable[[T], Awaitable[R]],
    items: Iterable[T],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    fail_fast: bool = False,
    on_progress: ProgressCallback | None = None,
) -> AsyncIterator[AsyncIterator[FleetResult[T, R]]]:
    """Like :func:`run_fleet`, but yields each result as soon as it is ready.

    Leaving the ``async with`` block early cancels the items still running.
    """
    work: Sequence[T] = list(items)
    batch = _Batch(fn, len(work), concurrency, fail_fast, on_progress)
    send, receive = anyio.create_memory_object_stream[FleetResult[T, R]](math.inf)

    async def one(
        index: int, item: T, scope: anyio.CancelScope, sink: ObjectSendStream[FleetResult[T, R]]
    ) -> None:
        async with sink:
            result = await batch.run(index, item, scope)
            if result is not None:
                await sink.send(result)

    async with anyio.create_task_group() as group, receive:
        async with send:
            for index, item in enumerate(work):
                group.start_soon(one, index, item, group.cancel_scope, send.clone())
        try:
            yield receive
        finally:
            group.cancel_scope.cancel()
    batch.raise_first()
