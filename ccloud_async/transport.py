"""The only module that touches aiohttp: session, auth headers, limiter, retries, logging.

Every attempt that goes on the wire passes through :meth:`Transport._attempt`, an aiohttp
client middleware. aiohttp runs middlewares once per attempt, including the silent
re-send it makes for idempotent methods when a kept-alive connection turns out to be
closed, so the limiter gates that attempt too. The per-attempt timeout starts inside the
middleware, after the limiter, so time spent queueing for the rate limit never counts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from ._clock import SYSTEM_CLOCK, WallClock
from ._clock import seconds as clock_seconds
from ._logging import logger as package_logger
from .config import ClientConfig
from .deadlines import DeadlineTimers
from .errors import APIConnectionError, APIError, APITimeoutError, ValidationError
from .limiter import Limiter, PauseOnlyLimiter
from .request_builder import build_query, expand_path
from .response_reader import RawResponse, error_from_response, parse_error_body
from .retry import (
    Decision,
    Failure,
    RetryPolicy,
    decide_on_failure,
    decide_on_lock,
    decide_on_status,
    parse_retry_after,
)

__all__ = ["Transport"]

logger = package_logger

DEFAULT_TIMEOUT = 30.0
# aiohttp's own timeouts stay off: ours is per attempt and excludes the limiter wait.
_NO_AIOHTTP_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=None, sock_read=None)


def _check_timeout(value: float) -> float:
    """A per-attempt timeout: seconds > 0; ``math.inf`` means no deadline."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"timeout must be a number of seconds, got {type(value).__name__}")
    if not value > 0:  # NaN fails this too
        raise ValidationError(f"timeout must be > 0 seconds, got {value!r}")
    return value


@dataclass
class _Attempt:
    """What one attempt measured, for the log line."""

    number: int = 0
    waited: float = 0.0
    started: float = 0.0


class _SessionBox:
    """The one aiohttp session of a client, shared by the views ``with_options`` makes."""

    def __init__(self, headers: dict[str, str], connection_limit: int) -> None:
        self._headers = headers
        self._connection_limit = connection_limit
        self._session: aiohttp.ClientSession | None = None
        self.deadlines = DeadlineTimers()
        self.closed = False

    def get(self) -> aiohttp.ClientSession:
        if self.closed:
            raise RuntimeError("this client is closed")
        if self._session is None:
            # Created lazily so that the client can be built outside a running loop
            # (e.g. at module level in a FastAPI app) and binds to the loop that uses it.
            connector = aiohttp.TCPConnector(limit=self._connection_limit)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=_NO_AIOHTTP_TIMEOUT,
                headers=self._headers,
                raise_for_status=False,
                auto_decompress=True,
            )
        return self._session

    async def close(self) -> None:
        self.closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class Transport:
    """Sends requests for one client: one session, one limiter, one retry policy."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        limiter: Limiter | None,
        retry: RetryPolicy,
        timeout: float = DEFAULT_TIMEOUT,
        connection_limit: int = 100,
        clock: WallClock = SYSTEM_CLOCK,
        _box: _SessionBox | None = None,
    ) -> None:
        _check_timeout(timeout)
        self.config = config
        self.clock = clock
        self.limiter: Limiter = limiter if limiter is not None else PauseOnlyLimiter()
        self.retry = retry
        self.timeout = timeout
        self._owner = _box is None
        self._box = _box or _SessionBox(config.headers(), connection_limit)

    def __repr__(self) -> str:
        return f"Transport(base_url={str(self.config.base_url)!r}, credential=Secret('***'))"

    def derive(self, *, retry: RetryPolicy, timeout: float) -> Transport:
        """A view with other defaults sharing this transport's session and limiter."""
        return Transport(
            self.config,
            limiter=self.limiter,
            retry=retry,
            timeout=timeout,
            clock=self.clock,
            _box=self._box,
        )

    # -- lifecycle -------------------------------------------------------------------

    def _get_session(self) -> aiohttp.ClientSession:
        return self._box.get()

    async def open(self) -> None:
        self._get_session()

    async def aclose(self) -> None:
        """Close the session; a view made by :meth:`derive` leaves it to its owner."""
        if self._owner:
            await self._box.close()

    @property
    def closed(self) -> bool:
        return self._box.closed

    # -- requests --------------------------------------------------------------------

    def url_for(self, path: str) -> URL:
        base = self.config.base_url
        return base.with_path(base.raw_path.rstrip("/") + path, encoded=True)

    async def request(
        self,
        method: str,
        template: str,
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: bytes | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
        lock_wait: float | None = None,
    ) -> RawResponse:
        """Send one logical request (retrying as the policy says); return a success response.

        Error statuses raise the matching :class:`~ccloud_async.errors.APIStatusError`.
        """
        method = method.upper()
        path = expand_path(template, path_params or {})
        pairs = build_query(query) if query else None
        policy = self.retry
        if max_retries is not None or retry_unsafe is not None or lock_wait is not None:
            policy = policy.with_overrides(
                max_retries=max_retries, retry_unsafe=retry_unsafe, lock_wait=lock_wait
            )
        attempt_timeout = self.timeout if timeout is None else _check_timeout(timeout)
        session = self._get_session()
        url = self.url_for(path)
        if pairs:
            url = url.with_query(pairs)
        headers = {"Content-Type": "application/json"} if body is not None else None

        attempt = 0  # counts retries of ambiguous / server failures
        rate_limit_attempt = 0
        lock_attempt = 0
        lock_since: float | None = None
        while True:
            info = _Attempt()
            middleware = self._middleware(info, attempt_timeout)
            try:
                async with session.request(
                    method,
                    url,
                    data=body,
                    headers=headers,
                    allow_redirects=False,
                    middlewares=(middleware,),
                ) as resp:
                    # The middleware has read the body; headers stay aiohttp's
                    # case-insensitive mapping, no copy needed.
                    response = RawResponse(
                        resp.status, resp.headers, await resp.read(), method, path
                    )
            except asyncio.TimeoutError:
                failure: Failure = Failure.TIMEOUT
                error: APIError = APITimeoutError(
                    f"no response within {attempt_timeout:g}s", method=method, path=path
                )
            except aiohttp.ClientConnectorError as exc:
                failure = Failure.NOT_SENT
                error = APIConnectionError(
                    f"cannot connect: {exc.os_error.strerror or type(exc.os_error).__name__}",
                    method=method,
                    path=path,
                )
            except (aiohttp.ClientError, OSError) as exc:
                failure = Failure.AMBIGUOUS
                error = APIConnectionError(
                    f"connection lost: {type(exc).__name__}", method=method, path=path
                )
            else:
                self._log_attempt(info, method, path, response.status)
                if response.status < 400:
                    return response
                locked_for = 0.0 if lock_since is None else time.monotonic() - lock_since
                decision, retry_after = self._decide_on_status(
                    response, attempt, rate_limit_attempt, policy, locked_for, lock_attempt
                )
                if not decision.retry:
                    raise error_from_response(response, retry_after=retry_after)
                if decision.locked and lock_since is None:
                    lock_since = time.monotonic()  # lock_wait counts from the first refusal
                await self._before_retry(decision, method, path, f"HTTP {response.status}")
                if decision.locked:
                    lock_attempt += 1
                elif decision.rate_limited:
                    rate_limit_attempt += 1
                else:
                    attempt += 1
                continue

            self._log_attempt(info, method, path, failure.value)
            decision = decide_on_failure(method, failure, attempt=attempt, policy=policy)
            if not decision.retry:
                raise error from None
            await self._before_retry(decision, method, path, failure.value)
            attempt += 1

    def _decide_on_status(
        self,
        response: RawResponse,
        attempt: int,
        rate_limit_attempt: int,
        policy: RetryPolicy,
        locked_for: float,
        lock_attempt: int,
    ) -> tuple[Decision, float | None]:
        code, message = 0, ""
        if response.status == 429 or response.status >= 500 or response.status == 400:
            parsed = parse_error_body(
                response.status, response.headers.get("content-type", ""), response.body
            )
            code, message = parsed.code, parsed.message
        now = clock_seconds(self.clock)
        retry_after = parse_retry_after(response.headers.get("retry-after"), now=now)
        locked = decide_on_lock(
            response.method,
            response.status,
            message,
            locked_for=locked_for,
            lock_attempt=lock_attempt,
            policy=policy,
        )
        if locked is not None and code != 8:
            return locked, retry_after
        decision = decide_on_status(
            response.method,
            response.status,
            code,
            retry_after,
            attempt=attempt,
            rate_limit_attempt=rate_limit_attempt,
            policy=policy,
        )
        if decision.rate_limited and not decision.retry and retry_after is not None:
            logger.warning(
                "%s %s: rate limited, server asks to wait %.1fs (cap %.1fs): giving up",
                response.method,
                response.path,
                retry_after,
                policy.max_retry_after,
            )
        return decision, retry_after

    async def _before_retry(self, decision: Decision, method: str, path: str, why: str) -> None:
        if decision.locked:
            logger.warning(
                "%s %s: cluster locked (%s); trying again in %.1fs",
                method,
                path,
                why,
                decision.delay,
            )
            await asyncio.sleep(decision.delay)
            return
        if decision.pause_client:
            logger.warning(
                "%s %s: rate limited (%s); pausing the client for %.2fs",
                method,
                path,
                why,
                decision.delay,
            )
            await self.limiter.pause(decision.delay)
            return  # the next acquire waits the pause out
        logger.warning("%s %s: %s; retrying in %.2fs", method, path, why, decision.delay)
        await asyncio.sleep(decision.delay)

    def _middleware(self, info: _Attempt, timeout: float) -> Any:
        limiter = self.limiter
        deadlines = self._box.deadlines

        # One flat coroutine per wire attempt: this is the hot path.
        async def attempt(
            req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
        ) -> aiohttp.ClientResponse:
            queued = time.monotonic()
            await limiter.acquire()
            try:
                info.number += 1
                info.started = time.monotonic()
                info.waited += info.started - queued
                # The deadline covers sending and reading the whole body, so the
                # limiter slot is held until the attempt is really over.
                with deadlines.after(timeout):
                    resp = await handler(req)
                    try:
                        await resp.read()
                    except BaseException:
                        resp.close()
                        raise
                    return resp
            finally:
                limiter.release()

        return attempt

    @staticmethod
    def _log_attempt(info: _Attempt, method: str, path: str, outcome: object) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.monotonic() - info.started) * 1000 if info.started else 0.0
            logger.debug(
                "%s %s -> %s (wire attempts %d, %.1f ms, waited %.1f ms for the limiter)",
                method,
                path,
                outcome,
                info.number,
                elapsed,
                info.waited * 1000,
            )
