"""When to retry, and how long to wait: pure decisions, no I/O.

One :class:`RetryState` per logical request owns the counters and answers one
:class:`Decision` per failed attempt; the rules below are plain functions under it.

* A 429 (or any error body with code 8) was not processed: any method may be re-sent,
  after pausing the whole client for ``Retry-After`` (seconds or an HTTP-date; when
  absent, exponential backoff). A wait beyond ``max_retry_after`` is not waited out.
* 500/502/503/504, resets and timeouts are ambiguous: the server may have done the work.
  A request is re-sent only when that is safe (``Request.resend_safe``, from the
  operation table: GET, PUT, DELETE, or an idempotency key), or when the caller opted in
  (``retry_unsafe=True``).
* A connection that could not be opened never reached the server: any method is retried.
* A mutation rejected because the cluster is locked by a background job (a 400 that
  mentions the lock, or a 503) is retried for up to ``lock_wait`` seconds when the caller
  asked for it (``lock_wait`` > 0); polls start 1 s apart and double up to 10 s.
"""

from __future__ import annotations

import email.utils
import enum
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import ConfigurationError
from .messages import ErrorBody, is_rate_limited

if TYPE_CHECKING:
    from .messages import CallOptions

__all__ = [
    "Decision",
    "Failure",
    "RetryPolicy",
    "RetryState",
    "backoff_delay",
    "decide_on_failure",
    "decide_on_lock",
    "decide_on_status",
    "parse_retry_after",
]

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


class Failure(enum.Enum):
    """How an attempt failed without an HTTP status."""

    NOT_SENT = "not sent"  # the connection could not be opened
    AMBIGUOUS = "connection lost"  # reset or closed: the request may have been processed
    TIMEOUT = "timed out"
    CORRUPT = "garbled answer"  # a 2xx whose body is empty or not JSON: processed, unread


@dataclass(frozen=True)
class RetryPolicy:
    """Retry settings; per client, overridable per call."""

    max_retries: int = 3
    rate_limit_retries: int = 10
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 60.0
    retry_unsafe: bool = False
    lock_wait: float = 0.0

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.rate_limit_retries < 0:
            raise ConfigurationError("retry counts must be >= 0")
        if min(self.backoff_initial, self.backoff_max, self.max_retry_after, self.lock_wait) < 0:
            raise ConfigurationError("delays must be >= 0")

    def with_options(self, options: CallOptions) -> RetryPolicy:
        """This policy with the retry settings ``options`` sets (the one place they merge)."""
        changes: dict[str, object] = {}
        if options.max_retries is not None:
            changes["max_retries"] = options.max_retries
        if options.retry_unsafe is not None:
            changes["retry_unsafe"] = options.retry_unsafe
        if options.lock_wait is not None:
            changes["lock_wait"] = options.lock_wait
        return replace(self, **changes) if changes else self  # type: ignore[arg-type]


@dataclass(frozen=True)
class Decision:
    """What to do after a failed attempt."""

    retry: bool
    delay: float = 0.0
    rate_limited: bool = False
    locked: bool = False  # the cluster was locked: waited out, not counted as a retry

    @property
    def pause_client(self) -> bool:
        """A 429 that is waited out: every request of the client waits, not just this one."""
        return self.rate_limited and self.retry


def backoff_delay(
    attempt: int, policy: RetryPolicy, rand: Callable[[], float] = random.random
) -> float:
    """Exponential backoff with full jitter; ``attempt`` counts from 0."""
    ceiling = min(policy.backoff_max, policy.backoff_initial * (2.0**attempt))
    return rand() * ceiling


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date).

    ``now`` is the current Unix time. Unparseable values count as absent; an infinite
    one (``1e400``) is infinite, which no cap allows.
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
    if seconds != seconds or seconds == float("-inf"):  # NaN
        return None
    return max(0.0, seconds)  # inf stays inf: beyond any cap


# "locked" / "lock" as a word: the API's refusal while a job holds the cluster ("cluster
# is locked", "LOCKED"), but not "invalid CIDR block" or "clock skew".
_LOCK_WORD = re.compile(r"\block(ed)?\b", re.IGNORECASE)


def is_lock_rejection(status: int, message: str) -> bool:
    """A mutation refused because a background job holds the cluster."""
    return status == 503 or (status == 400 and _LOCK_WORD.search(message) is not None)


def decide_on_lock(
    method: str,
    status: int,
    message: str,
    *,
    locked_for: float,
    lock_attempt: int,
    policy: RetryPolicy,
) -> Decision | None:
    """Retry a locked-cluster rejection while ``lock_wait`` lasts; None: not this rule."""
    if policy.lock_wait <= 0 or method.upper() == "GET":
        return None
    if not is_lock_rejection(status, message):
        return None
    left = policy.lock_wait - locked_for
    if left <= 0:
        return None
    return Decision(retry=True, delay=min(10.0, 2.0**lock_attempt, left), locked=True)


def decide_on_status(
    resend_safe: bool,
    status: int,
    error: ErrorBody,
    retry_after: float | None,
    *,
    attempt: int,
    rate_limit_attempt: int,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """Decide after an error response. ``attempt``/``rate_limit_attempt`` count from 0."""
    if is_rate_limited(status, error):
        if retry_after is not None and retry_after > policy.max_retry_after:
            return Decision(retry=False, rate_limited=True)
        if rate_limit_attempt >= policy.rate_limit_retries:
            return Decision(retry=False, rate_limited=True)
        delay = retry_after
        if delay is None:
            # No hint: wait at least a full window so the limit can reset.
            delay = max(1.0, backoff_delay(rate_limit_attempt, policy, rand))
        return Decision(retry=True, delay=delay, rate_limited=True)
    if status in RETRYABLE_STATUSES:
        return _ambiguous(resend_safe, attempt, policy, rand)
    return Decision(retry=False)


def decide_on_failure(
    resend_safe: bool,
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
    return _ambiguous(resend_safe, attempt, policy, rand)


def _ambiguous(
    resend_safe: bool, attempt: int, policy: RetryPolicy, rand: Callable[[], float]
) -> Decision:
    if not (resend_safe or policy.retry_unsafe):
        return Decision(retry=False)
    if attempt >= policy.max_retries:
        return Decision(retry=False)
    return Decision(retry=True, delay=backoff_delay(attempt, policy, rand))


class RetryState:
    """The retries of one logical request: the counters, and one decision per failure.

    ``attempt`` counts retries of ambiguous and server failures against ``max_retries``;
    429s and lock waits have their own counters, so neither uses up the other's budget.
    """

    __slots__ = (
        "_lock_since",
        "ambiguous_retries",
        "attempt",
        "lock_attempt",
        "method",
        "policy",
        "rate_limit_attempt",
        "resend_safe",
    )

    def __init__(self, policy: RetryPolicy, method: str, resend_safe: bool) -> None:
        self.policy = policy
        self.method = method
        self.resend_safe = resend_safe
        self.attempt = 0
        self.rate_limit_attempt = 0
        self.lock_attempt = 0
        # Retries after an attempt the server may have processed (5xx, lost, garbled).
        self.ambiguous_retries = 0
        self._lock_since: float | None = None

    def after_status(self, status: int, error: ErrorBody, retry_after: float | None) -> Decision:
        """After an error response (its body parsed once into ``error``)."""
        locked_for = 0.0 if self._lock_since is None else time.monotonic() - self._lock_since
        if not is_rate_limited(status, error):
            decision = decide_on_lock(
                self.method,
                status,
                error.message,
                locked_for=locked_for,
                lock_attempt=self.lock_attempt,
                policy=self.policy,
            )
            if decision is not None:
                if self._lock_since is None:
                    self._lock_since = time.monotonic()  # lock_wait counts from the first
                self.lock_attempt += 1
                return decision
        decision = decide_on_status(
            self.resend_safe,
            status,
            error,
            retry_after,
            attempt=self.attempt,
            rate_limit_attempt=self.rate_limit_attempt,
            policy=self.policy,
        )
        if decision.retry:
            if decision.rate_limited:
                self.rate_limit_attempt += 1
            else:
                self.attempt += 1
                self.ambiguous_retries += 1
        return decision

    def after_failure(self, failure: Failure) -> Decision:
        """After an attempt that got no response."""
        decision = decide_on_failure(
            self.resend_safe, failure, attempt=self.attempt, policy=self.policy
        )
        if decision.retry:
            self.attempt += 1
            if failure is not Failure.NOT_SENT:
                self.ambiguous_retries += 1
        return decision
