"""The engine: the only module that touches aiohttp.

:meth:`Engine.send` takes one :class:`~.messages.Request` and returns its success
response, making as many attempts as :class:`~.retry.RetryState` allows. Each attempt
that goes on the wire passes through :meth:`Engine._middleware`, an aiohttp client
middleware: aiohttp runs it once per attempt, including the silent re-send it makes
for idempotent methods when a kept-alive connection turns out closed, so the limiter
gates that attempt too. The per-attempt timeout starts inside it, after the limiter,
so time spent queueing for the rate limit never counts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from .._clock import SYSTEM_CLOCK, WallClock
from .._clock import seconds as clock_seconds
from .._config import ClientConfig
from .._logging import logger
from ..errors import APIConnectionError, APIError, APITimeoutError, ValidationError
from ..limiters.protocol import Limiter, PauseOnlyLimiter
from .deadlines import DeadlineTimers
from .messages import RawResponse, Request, error_for, parse_error_body
from .retry import Decision, Failure, RetryPolicy, RetryState, parse_retry_after

__all__ = ["DEFAULT_TIMEOUT", "Engine", "check_timeout"]

DEFAULT_TIMEOUT = 30.0
# aiohttp's own timeouts stay off: ours is per attempt and excludes the limiter wait.
_NO_AIOHTTP_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=None, sock_read=None)
_JSON = {"Content-Type": "application/json"}


def check_timeout(value: float) -> float:
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


class _Session:
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


class Engine:
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
        _session: _Session | None = None,
    ) -> None:
        self.config = config
        self.limiter: Limiter = limiter if limiter is not None else PauseOnlyLimiter()
        self.retry = retry
        self.timeout = check_timeout(timeout)
        self.clock = clock
        self._owner = _session is None
        self._session = _session or _Session(config.headers(), connection_limit)

    def __repr__(self) -> str:
        return f"Engine(base_url={str(self.config.base_url)!r}, credential=Secret('***'))"

    def derive(self, *, retry: RetryPolicy, timeout: float) -> Engine:
        """A view with other defaults sharing this engine's session and limiter."""
        return Engine(
            self.config,
            limiter=self.limiter,
            retry=retry,
            timeout=timeout,
            clock=self.clock,
            _session=self._session,
        )

    # -- lifecycle -------------------------------------------------------------------

    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session, opened on first use."""
        return self._session.get()

    async def open(self) -> None:
        self.session()

    async def aclose(self) -> None:
        """Close the session; a view made by :meth:`derive` leaves it to its owner."""
        if self._owner:
            await self._session.close()

    @property
    def closed(self) -> bool:
        return self._session.closed

    # -- requests --------------------------------------------------------------------

    def url_for(self, request: Request) -> URL:
        base = self.config.base_url
        url = base.with_path(base.raw_path.rstrip("/") + request.path, encoded=True)
        return url.with_query(request.query) if request.query else url

    async def send(self, request: Request) -> RawResponse:
        """Send ``request``, retrying as the policy says; return its success response.

        Error statuses raise the matching :class:`~ccloud_async.errors.APIStatusError`.
        """
        options = request.options
        timeout = self.timeout if options.timeout is None else check_timeout(options.timeout)
        retries: RetryState | None = None  # made at the first failure: success needs none
        session = self.session()
        url = self.url_for(request)
        method, path = request.method, request.path
        headers = _JSON if request.body is not None else None
        while True:
            info = _Attempt()
            try:
                async with session.request(
                    method,
                    url,
                    data=request.body,
                    headers=headers,
                    allow_redirects=False,
                    middlewares=(self._middleware(info, timeout),),
                ) as resp:
                    # The middleware has read the body; headers stay aiohttp's
                    # case-insensitive mapping, no copy needed.
                    response = RawResponse(
                        resp.status, resp.headers, await resp.read(), method, path
                    )
            except asyncio.TimeoutError:
                failure, error = Failure.TIMEOUT, self._timed_out(request, timeout)
            except aiohttp.ClientConnectorError as exc:
                reason = exc.os_error.strerror or type(exc.os_error).__name__
                failure = Failure.NOT_SENT
                error = APIConnectionError(f"cannot connect: {reason}", method=method, path=path)
            except (aiohttp.ClientError, OSError) as exc:
                failure = Failure.AMBIGUOUS
                error = APIConnectionError(
                    f"connection lost: {type(exc).__name__}", method=method, path=path
                )
            else:
                _log_attempt(info, method, path, response.status)
                if response.status < 400:
                    return response
                body = parse_error_body(
                    response.status, response.headers.get("content-type", ""), response.body
                )
                retry_after = parse_retry_after(
                    response.headers.get("retry-after"), now=clock_seconds(self.clock)
                )
                retries = retries or self._retries(request)
                decision = retries.after_status(response.status, body, retry_after)
                if not decision.retry:
                    if decision.rate_limited and retry_after is not None:
                        logger.warning(
                            "%s %s: rate limited, server asks to wait %.1fs (cap %.1fs): giving up",
                            method,
                            path,
                            retry_after,
                            retries.policy.max_retry_after,
                        )
                    raise error_for(response, body, retry_after=retry_after)
                await self._wait(decision, method, path, f"HTTP {response.status}")
                continue
            _log_attempt(info, method, path, failure.value)
            retries = retries or self._retries(request)
            decision = retries.after_failure(failure)
            if not decision.retry:
                raise error from None
            await self._wait(decision, method, path, failure.value)

    def _retries(self, request: Request) -> RetryState:
        """The retry state of ``request``, under this engine's policy and its options."""
        policy = self.retry.with_options(request.options)
        return RetryState(policy, request.method, request.resend_safe)

    @staticmethod
    def _timed_out(request: Request, timeout: float) -> APIError:
        return APITimeoutError(
            f"no response within {timeout:g}s", method=request.method, path=request.path
        )

    async def _wait(self, decision: Decision, method: str, path: str, why: str) -> None:
        """Wait before the next attempt: a lock wait, a client-wide 429 pause or a backoff."""
        if decision.locked:
            logger.warning(
                "%s %s: cluster locked (%s); trying again in %.1fs",
                method,
                path,
                why,
                decision.delay,
            )
            await asyncio.sleep(decision.delay)
        elif decision.pause_client:
            logger.warning(
                "%s %s: rate limited (%s); pausing the client for %.2fs",
                method,
                path,
                why,
                decision.delay,
            )
            await self.limiter.pause(decision.delay)  # the next acquire waits it out
        else:
            logger.warning("%s %s: %s; retrying in %.2fs", method, path, why, decision.delay)
            await asyncio.sleep(decision.delay)

    def _middleware(self, info: _Attempt, timeout: float) -> Any:
        limiter = self.limiter
        deadlines = self._session.deadlines

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
