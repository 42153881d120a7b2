"""Retry decisions, without a network."""

from __future__ import annotations

import email.utils

import pytest

from ccloud_async._http.messages import CallOptions, ErrorBody
from ccloud_async._http.retry import (
    Failure,
    RetryPolicy,
    RetryState,
    backoff_delay,
    decide_on_failure,
    decide_on_lock,
    decide_on_status,
    parse_retry_after,
)
from ccloud_async.operations import is_resend_safe

POLICY = RetryPolicy(max_retries=3, backoff_initial=0.5, backoff_max=8.0, max_retry_after=60.0)
NO_BODY = ErrorBody(0, "", [])


def safe(method: str) -> bool:
    """Whether the operation table would call a request of ``method`` (no key) re-sendable."""
    return is_resend_safe(method, ())


def status(method: str, code: int, *, attempt: int = 0, retry_after: float | None = None):
    return decide_on_status(
        safe(method),
        code,
        NO_BODY,
        retry_after,
        attempt=attempt,
        rate_limit_attempt=0,
        policy=POLICY,
        rand=lambda: 1.0,
    )


@pytest.mark.parametrize("code", [500, 502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_server_errors_retry_idempotent_methods(method: str, code: int) -> None:
    decision = status(method, code)
    assert decision.retry and not decision.pause_client
    assert decision.delay == 0.5


@pytest.mark.parametrize("code", [500, 502, 503, 504])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_server_errors_never_resend_post_or_patch(method: str, code: int) -> None:
    assert not status(method, code).retry
    opted_in = decide_on_status(
        safe(method),
        code,
        NO_BODY,
        None,
        attempt=0,
        rate_limit_attempt=0,
        policy=RetryPolicy(retry_unsafe=True),
    )
    assert opted_in.retry


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 501])
def test_client_errors_are_final(code: int) -> None:
    assert not status("GET", code).retry


def test_retries_stop_at_max() -> None:
    assert status("GET", 503, attempt=2).retry
    assert not status("GET", 503, attempt=3).retry


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "PUT", "DELETE"])
def test_429_pauses_the_client_for_any_method(method: str) -> None:
    decision = status(method, 429, retry_after=2.0)
    assert decision.retry and decision.pause_client and decision.rate_limited
    assert decision.delay == 2.0


def test_code_8_body_counts_as_rate_limited() -> None:
    decision = decide_on_status(
        safe("POST"),
        503,
        ErrorBody(8, "rate limit exceeded", []),
        None,
        attempt=0,
        rate_limit_attempt=0,
        policy=POLICY,
        rand=lambda: 0.0,
    )
    assert decision.rate_limited and decision.retry
    assert decision.delay == 1.0  # no hint: at least one full window


def test_429_beyond_cap_is_not_waited() -> None:
    decision = status("GET", 429, retry_after=61.0)
    assert not decision.retry and decision.rate_limited and not decision.pause_client


def test_429_retries_are_bounded() -> None:
    decision = decide_on_status(
        safe("GET"), 429, NO_BODY, 1.0, attempt=0, rate_limit_attempt=10, policy=POLICY
    )
    assert not decision.retry


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "PUT", "DELETE"])
def test_connection_never_opened_is_safe_for_any_method(method: str) -> None:
    assert decide_on_failure(safe(method), Failure.NOT_SENT, attempt=0, policy=POLICY).retry
    assert not decide_on_failure(safe(method), Failure.NOT_SENT, attempt=3, policy=POLICY).retry


@pytest.mark.parametrize("failure", [Failure.AMBIGUOUS, Failure.TIMEOUT])
def test_ambiguous_failures_follow_idempotency(failure: Failure) -> None:
    for method in ("GET", "PUT", "DELETE"):
        assert decide_on_failure(safe(method), failure, attempt=0, policy=POLICY).retry
    for method in ("POST", "PATCH"):
        assert not decide_on_failure(safe(method), failure, attempt=0, policy=POLICY).retry
    # An idempotency key makes a POST as safe to re-send as a GET.
    keyed = is_resend_safe("POST", ("idempotency_key",))
    assert decide_on_failure(keyed, failure, attempt=0, policy=POLICY).retry


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    assert [backoff_delay(n, POLICY, lambda: 1.0) for n in range(6)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        8.0,
    ]
    assert backoff_delay(3, POLICY, lambda: 0.25) == 1.0
    assert backoff_delay(3, POLICY, lambda: 0.0) == 0.0


def test_parse_retry_after_seconds_and_dates() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("3", now=now) == 3.0
    assert parse_retry_after(" 1.5 ", now=now) == 1.5
    assert parse_retry_after("-4", now=now) == 0.0
    date = email.utils.formatdate(now + 7, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(7.0, abs=1.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0
    for junk in (None, "", "soon", "nan", "-inf"):
        assert parse_retry_after(junk, now=now) is None
    # Infinity is not "absent": it is more than any cap allows.
    assert parse_retry_after("inf", now=now) == float("inf")
    assert parse_retry_after("1e400", now=now) == float("inf")
    assert not status("GET", 429, retry_after=float("inf")).retry


def test_policy_overrides() -> None:
    assert POLICY.with_options(CallOptions(timeout=3)) is POLICY
    changed = POLICY.with_options(CallOptions(max_retries=0, retry_unsafe=True))
    assert changed.max_retries == 0 and changed.retry_unsafe
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


def test_lock_rejections_wait_only_when_asked() -> None:
    patient = RetryPolicy(lock_wait=30)
    assert (
        decide_on_lock("PATCH", 400, "cluster locked", locked_for=0, lock_attempt=0, policy=POLICY)
        is None
    )
    first = decide_on_lock(
        "PATCH", 400, "Cluster is LOCKED by a job", locked_for=0, lock_attempt=0, policy=patient
    )
    assert first is not None and first.retry and first.locked and first.delay == 1.0
    later = decide_on_lock("POST", 503, "", locked_for=5, lock_attempt=6, policy=patient)
    assert later is not None and later.delay == 10.0
    almost = decide_on_lock("PUT", 503, "", locked_for=29.5, lock_attempt=6, policy=patient)
    assert almost is not None and almost.delay == 0.5
    assert decide_on_lock("PATCH", 503, "", locked_for=30, lock_attempt=7, policy=patient) is None
    assert (
        decide_on_lock("PATCH", 400, "bad name", locked_for=0, lock_attempt=0, policy=patient)
        is None
    )
    assert decide_on_lock("GET", 503, "", locked_for=0, lock_attempt=0, policy=patient) is None


def test_retry_state_keeps_one_budget_per_kind_of_failure() -> None:
    state = RetryState(RetryPolicy(max_retries=1, lock_wait=30), "PATCH", resend_safe=False)
    locked = ErrorBody(9, "cluster is locked", [])
    assert state.after_status(400, locked, None).locked  # a lock wait is not a retry
    assert state.after_status(429, NO_BODY, 0.5).pause_client  # nor is a 429
    assert state.after_status(400, locked, None).locked
    assert (state.attempt, state.rate_limit_attempt, state.lock_attempt) == (0, 1, 2)
    assert not state.after_status(500, NO_BODY, None).retry  # a PATCH is not re-sent...
    assert state.after_failure(Failure.NOT_SENT).retry  # ...unless it never left
    assert not state.after_failure(Failure.NOT_SENT).retry  # max_retries=1 is spent
    gets = RetryState(RetryPolicy(max_retries=2), "GET", resend_safe=True)
    assert gets.after_status(503, NO_BODY, None).retry
    assert gets.after_failure(Failure.TIMEOUT).retry
    assert not gets.after_status(502, NO_BODY, None).retry
