"""When to retry, and how long to wait: pure decisions, no I/O.

* A 429 (or any error body with code 8) was not processed: any method may be re-sent,
  after pausing the whole client for ``Retry-After`` (seconds or an HTTP-date; when
  absent, exponential backoff). A wait beyond ``max_retry_after`` is not waited out.
* 500/502/503/504, resets and timeouts are ambiguous: the server may have done the work.
  GET, PUT and DELETE are idempotent and are retried; POST and PATCH only when the caller
  opted in (``retry_unsafe=True``).
* A connection that could not be opened never reached the server: any method is retried.
"""

from __future__ import annotations

import email.utils
import enum
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

__all__ = [
    "Decision",
    "Failure",
    "RetryPolicy",
    "backoff_delay",
    "decide_on_failure",
    "decide_on_status",
    "parse_retry_after",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
RATE_LIMIT_CODE = 8


class Failure(enum.Enum):
    """How an attempt failed without an HTTP status."""

    NOT_SENT = "not sent"  # the connection could not be opened
    AMBIGUOUS = "connection lost"  # reset or closed: the request may have been processed
    TIMEOUT = "timed out"


@dataclass(frozen=True)
class RetryPolicy:
    """Retry settings; per client, overridable per call."""

    max_retries: int = 3
    rate_limit_retries: int = 10
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 60.0
    retry_unsafe: bool = False

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.rate_limit_retries < 0:
            raise ValueError("retry counts must be >= 0")
        if self.backoff_initial < 0 or self.backoff_max < 0 or self.max_retry_after < 0:
            raise ValueError("delays must be >= 0")

    def with_overrides(
        self, *, max_retries: int | None = None, retry_unsafe: bool | None = None
    ) -> RetryPolicy:
        changes: dict[str, object] = {}
        if max_retries is not None:
            changes["max_retries"] = max_retries
        if retry_unsafe is not None:
            changes["retry_unsafe"] = retry_unsafe
        return replace(self, **changes) if changes else self  # type: ignore[arg-type]


@dataclass(frozen=True)
class Decision:
    """What to do after a failed attempt."""

    retry: bool
    delay: float = 0.0
    pause_client: bool = False  # 429: every request of the client waits, not just this one
    rate_limited: bool = False
    retry_after: float | None = None  # what the server asked for, when it did


def backoff_delay(
    attempt: int, policy: RetryPolicy, rand: Callable[[], float] = random.random
) -> float:
    """Exponential backoff with full jitter; ``attempt`` counts from 0."""
    ceiling = min(policy.backoff_max, policy.backoff_initial * (2.0**attempt))
    return rand() * ceiling


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date).

    ``now`` is the current Unix time. Unparseable values count as absent.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - now
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return max(0.0, seconds)


def is_rate_limited(status: int, code: int) -> bool:
    return status == 429 or code == RATE_LIMIT_CODE


def decide_on_status(
    method: str,
    status: int,
    code: int,
    retry_after: float | None,
    *,
    attempt: int,
    rate_limit_attempt: int,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """Decide after an error response. ``attempt``/``rate_limit_attempt`` count from 0."""
    if is_rate_limited(status, code):
        if retry_after is not None and retry_after > policy.max_retry_after:
            return Decision(retry=False, rate_limited=True, retry_after=retry_after)
        if rate_limit_attempt >= policy.rate_limit_retries:
            return Decision(retry=False, rate_limited=True, retry_after=retry_after)
        delay = retry_after
        if delay is None:
            # No hint: wait at least a full window so the limit can reset.
            delay = max(1.0, backoff_delay(rate_limit_attempt, policy, rand))
        return Decision(
            retry=True, delay=delay, pause_client=True, rate_limited=True, retry_after=retry_after
        )
    if status in RETRYABLE_STATUSES:
        return _ambiguous(method, attempt, policy, rand)
    return Decision(retry=False)


def decide_on_failure(
    method: str,
    failure: Failure,
    *,
    attempt: int,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """Decide after an attempt that got no HTTP status."""
    if failure is Failure.NOT_SENT:
        if attempt >= policy.max_retries:
            return Decision(retry=False)
        return Decision(retry=True, delay=backoff_delay(attempt, policy, rand))
    return _ambiguous(method, attempt, policy, rand)


def _ambiguous(
    method: str, attempt: int, policy: RetryPolicy, rand: Callable[[], float]
) -> Decision:
    if method.upper() not in IDEMPOTENT_METHODS and not policy.retry_unsafe:
        return Decision(retry=False)
    if attempt >= policy.max_retries:
        return Decision(retry=False)
    return Decision(retry=True, delay=backoff_delay(attempt, policy, rand))
