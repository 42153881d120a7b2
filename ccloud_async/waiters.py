"""Waiting for long-running work: the API has no job resource, so we poll.

A waiter polls a resource (through the client, so through its limiter): the first
poll at once, then after ``initial`` seconds, growing by ``factor`` up to ``maximum``.
A *judge* — a plain function of the polled value — says whether the goal is reached,
still pending or failed, and names the state. Changes of state go to ``on_change``.
Failure raises :class:`~ccloud_async.errors.OperationFailedError`; running out of time
raises :class:`~ccloud_async.errors.WaitTimeoutError` carrying the last state seen.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Awaitable, Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import anyio

from .errors import NotFoundError, OperationFailedError, ValidationError, WaitTimeoutError

__all__ = [
    "DEFAULT_SCHEDULE",
    "EXPORT_PENDING",
    "HOUR",
    "ClusterGoal",
    "OnChange",
    "PollSchedule",
    "Verdict",
    "cluster_judge",
    "gone_as",
    "state_text",
    "status_judge",
    "status_of",
    "wait_until",
]

T = TypeVar("T")


class Verdict(enum.Enum):
    DONE = "done"
    PENDING = "pending"
    FAILED = "failed"


Judgement = tuple[Verdict, str]
Judge = Callable[[T], Judgement]
OnChange = Callable[[str, Any], object]


@dataclass(frozen=True)
class PollSchedule:
    """Delays between polls: ``initial``, then times ``factor``, capped at ``maximum``."""

    initial: float = 0.5
    factor: float = 1.5
    maximum: float = 10.0

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.maximum <= 0 or self.factor < 1:
            raise ValidationError("poll delays must be > 0 and factor >= 1")

    def delays(self) -> Iterator[float]:
        delay = self.initial
        while True:
            yield min(delay, self.maximum)
            delay *= self.factor


DEFAULT_SCHEDULE = PollSchedule()


async def wait_until(
    fetch: Callable[[], Awaitable[T]],
    judge: Judge[T],
    *,
    what: str,
    timeout: float | None,
    schedule: PollSchedule = DEFAULT_SCHEDULE,
    on_change: OnChange | None = None,
) -> T:
    """Poll ``fetch`` until ``judge`` says DONE; return the last value."""
    if timeout is not None and timeout <= 0:
        raise ValidationError("timeout must be > 0 seconds (or None to wait forever)")
    deadline = None if timeout is None else time.monotonic() + timeout
    delays = schedule.delays()
    last_state = "unknown"
    last: T | None = None
    while True:
        if deadline is None:
            last = await fetch()
        else:
            with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
                last = await fetch()
        if last is not None:
            verdict, state = judge(last)
            if state != last_state and on_change is not None:
                on_change(state, last)
            last_state = state
            if verdict is Verdict.DONE:
                return last
            if verdict is Verdict.FAILED:
                raise OperationFailedError(f"{what}: {state}", state=state, last=last)
        pause = next(delays)
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeoutError(
                    f"{what}: still {last_state} after {timeout:g}s", state=last_state, last=last
                )
            pause = min(pause, left)
        await anyio.sleep(pause)


HOUR = 3600.0  # the default timeout of most waiters
# Log and metric exports pass through these on their way to ENABLED or gone.
EXPORT_PENDING = frozenset({"ENABLING", "DISABLING"})


def gone_as(
    get: Callable[[], Awaitable[T]], counts: bool, stand_in: Callable[[], T]
) -> Callable[[], Awaitable[T]]:
    """Poll ``get``; when ``counts`` (the wait is for the resource to go), a 404 answers
    ``stand_in()`` — a value in the gone state — instead of raising."""

    async def fetch() -> T:
        try:
            return await get()
        except NotFoundError:
            if not counts:
                raise
            return stand_in()

    return fetch


def status_of(value: Any) -> object:
    """The ``status`` field most waited-on resources have."""
    return getattr(value, "status", None)


def state_text(value: object) -> str:
    """An enum member, plain string or None as the text of a state."""
    return "" if value is None else str(getattr(value, "value", value))


# "No operation running": the spec's value and the one the live API sends.
_NO_OPERATION = frozenset({"", "UNSPECIFIED", "CLUSTER_STATUS_UNSPECIFIED"})


ClusterGoal = Literal["CREATED", "DELETED", "IDLE"]


def cluster_judge(until: ClusterGoal) -> Judge[Any]:
    """Judge a Cluster: ``until`` is CREATED, DELETED or IDLE (no operation running)."""
    if until not in ("CREATED", "DELETED", "IDLE"):
        raise ValidationError(f"until must be CREATED, DELETED or IDLE, got {until!r}")

    def judge(cluster: Any) -> Judgement:
        state = state_text(getattr(cluster, "state", None))
        operation = state_text(getattr(cluster, "operation_status", None))
        idle = operation in _NO_OPERATION
        label = state if idle else f"{state} ({operation})"
        if until == "DELETED":
            return (Verdict.DONE if state == "DELETED" else Verdict.PENDING), label
        if state == "CREATION_FAILED" or operation.endswith("_FAILED"):
            return Verdict.FAILED, label
        if state == "DELETED":
            return Verdict.FAILED, label
        if until == "CREATED":
            return (Verdict.DONE if state == "CREATED" else Verdict.PENDING), label
        busy = state in ("CREATING", "LOCKED") or operation.endswith("_RUNNING")
        return (Verdict.PENDING if busy else Verdict.DONE), label

    return judge


def status_judge(
    read: Callable[[Any], object],
    *,
    done: Collection[str],
    pending: Collection[str],
    describe: Callable[[Any], str] | None = None,
) -> Judge[Any]:
    """Judge by one status field: ``done`` ends the wait, ``pending`` continues it, and
    anything else — a failure, or a state that cannot lead to ``done`` — fails it."""

    def judge(value: Any) -> Judgement:
        status = state_text(read(value))
        label = describe(value) if describe is not None else status
        if status in done:
            return Verdict.DONE, label
        if status in pending:
            return Verdict.PENDING, label
        return Verdict.FAILED, label

    return judge
