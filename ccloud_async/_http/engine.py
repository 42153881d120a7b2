"""The engine: the only module that touches aiohttp.

:meth:`Engine.send` takes one :class:`~.messages.Request` and returns its success
response, decoded when the request names a model, making as many attempts as
:class:`~.retry.RetryState` allows. Only a 2xx is success: a redirect is an error
(never followed, so the key stays here), and a 2xx body that is empty or garbled where
the operation returns something is a failed attempt, retried like a lost answer where
a re-send is safe.

Each attempt that goes on the wire passes through :meth:`Engine._middleware`, an aiohttp
client middleware: aiohttp runs it once per attempt, including the silent re-send it
makes for idempotent methods when a kept-alive connection turns out closed. So the
limiter gates that attempt too, and the retry state counts it against ``max_retries``
(refusing it once the budget is spent). The per-attempt timeout starts inside it, after
the limiter, so time spent queueing for the rate limit never counts.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from ssl import SSLContext
from typing import Any

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .._clock import SYSTEM_CLOCK, WallClock
from .._clock import seconds as clock_seconds
from .._config import ClientConfig, Secret
from .._logging import logger
from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientStateError,
    HookError,
    RedirectError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ValidationError,
)
from ..limiters.protocol import Limiter, PauseOnlyLimiter
from . import in_process_servers, tracing
from .deadlines import DeadlineTimers
from .messages import (
    ErrorBody,
    RawResponse,
    Request,
    decode_response,
    error_for,
    parse_error_body,
    request_id,
    scrub,
)
from .retry import Decision, Failure, RetryPolicy, RetryState, parse_retry_after

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_TIMEOUT", "Engine", "check_timeout"]

DEFAULT_TIMEOUT = 30.0
# The largest page the API sends is a few MB; a body past this (after decompression) is
# a broken or hostile server, not an answer.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# aiohttp's own timeouts stay off: ours is per attempt and excludes the limiter wait.
_NO_AIOHTTP_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=None, sock_read=None)
_JSON = {"Content-Type": "application/json"}
_CHUNK = 256 * 1024


Hook = Callable[[Any], object]


def _check_hooks(hooks: Mapping[str, Sequence[Hook]] | None) -> dict[str, tuple[Hook, ...]]:
    if not hooks:
        return {}
    unknown = set(hooks) - {"request", "response"}
    if unknown:
        raise ValidationError(f"event_hooks takes 'request' and 'response', not {sorted(unknown)}")
    checked = {}
    for event, functions in hooks.items():
        if not all(callable(f) for f in functions):
            raise ValidationError(f"event_hooks[{event!r}] must be a list of callables")
        checked[event] = tuple(functions)
    return checked


def _may_trace(choice: object) -> bool:
    """Whether calls may ever be traced: not opted out, and the OpenTelemetry API there."""
    return choice is not False and tracing.installed()


def check_timeout(value: float) -> float:
    """A per-attempt timeout: seconds > 0; ``math.inf`` means no deadline."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"timeout must be a number of seconds, got {type(value).__name__}")
    if not value > 0:  # NaN fails this too
        raise ValidationError(f"timeout must be > 0 seconds, got {value!r}")
    return value


class _TooLarge(Exception):
    """Raised inside an attempt when the body passes the cap."""


@dataclass
class _Attempt:
    """What one call to aiohttp measured and read (it may make two wire attempts)."""

    number: int = 0
    waited: float = 0.0
    started: float = 0.0
    body: bytes = b""


class _Retries:
    """The retry state of one request, made at its first failure (success needs none)."""

    __slots__ = ("_engine", "_request", "reason", "state", "wire")

    def __init__(self, engine: Engine, request: Request) -> None:
        self._engine = engine
        self._request = request
        self.state: RetryState | None = None
        self.wire = 0  # wire attempts so far, across aiohttp's own re-sends
        self.reason = ""  # why the next attempt is a retry

    def get(self) -> RetryState:
        if self.state is None:
            policy = self._engine.retry.with_options(self._request.options)
            self.state = RetryState(policy, self._request.method, self._request.resend_safe)
        return self.state

    @property
    def resent_after_ambiguous(self) -> bool:
        """An attempt that may have been processed was followed by another."""
        return self.state is not None and self.state.ambiguous_retries > 0


# The attempt under way in this task, for the connector to note a connection it opened.
# A one-float cell, not the attempt itself: timers scheduled meanwhile copy the context,
# and must not keep a response body alive with it.
_CONNECTED: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "ccloud_connected", default=None
)


class _Connector(aiohttp.TCPConnector):
    """A TCP connector that tells the attempt when a connection it had to open was
    ready: its request was written then, later than the attempt began by the TCP and
    TLS handshakes. Hooked where only new connections pass (aiohttp's tracing would
    say so too, at a cost on every request)."""

    async def _create_connection(self, req: Any, traces: Any, timeout: Any) -> Any:
        protocol = await super()._create_connection(req, traces, timeout)
        cell = _CONNECTED.get()
        if cell is not None:
            cell[0] = time.monotonic()
        return protocol


class _Session:
    """The one aiohttp session of a client, shared by the views ``with_options`` makes:
    ours (made on first use in the running loop), or the caller's, which we use but
    never close. Credentials go with each request, not on the session, so one caller's
    session can serve several clients with different keys."""

    def __init__(
        self,
        connection_limit: int,
        *,
        ssl: SSLContext | bool = True,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._connection_limit = connection_limit
        self._ssl = ssl
        self.borrowed = session is not None
        self._session: aiohttp.ClientSession | None = session
        self._loop: asyncio.AbstractEventLoop | None = None
        self.deadlines = DeadlineTimers()
        self.closed = False

    def get(self) -> aiohttp.ClientSession:
        if self.closed:
            raise ClientStateError("this client is closed")
        if self.borrowed:
            assert self._session is not None
            if self._session.closed:
                raise ClientStateError("the aiohttp session this client was given is closed")
            return self._session
        loop = asyncio.get_running_loop()
        if self._session is not None and self._loop is not loop:
            if self._loop is not None and not self._loop.is_closed():
                raise ClientStateError(
                    "this client is in use by another event loop; make one client per loop"
                )
            # Its loop has ended (a second asyncio.run): its connections died with it.
            _let_go(self._session)
            self._session = None
            self.deadlines = DeadlineTimers()
        if self._session is None:
            # Created lazily so that the client can be built outside a running loop
            # (e.g. at module level in a FastAPI app) and binds to the loop that uses it.
            connector = _Connector(limit=self._connection_limit, ssl=self._ssl)
            # The environment's proxy is read once, by the engine (env_proxy): aiohttp's
            # own trust_env would read it, and ~/.netrc, on every request.
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=_NO_AIOHTTP_TIMEOUT,
                raise_for_status=False,
                auto_decompress=True,
            )
            self._loop = loop
        return self._session

    async def close(self) -> None:
        self.closed = True
        session, self._session = self._session, None
        if session is None or self.borrowed:
            return  # the caller's session stays the caller's to close
        if self._loop is not None and self._loop.is_closed():
            _let_go(session)
        else:
            await session.close()


def _let_go(session: aiohttp.ClientSession) -> None:
    """Drop a session whose event loop has ended, without the loop a close would need."""
    connector = session.connector
    session.detach()
    if connector is not None:
        connector._close()  # the synchronous part of close()


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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        proxy: Secret | None = None,
        ssl: SSLContext | bool = True,
        trust_env: bool = True,
        session: aiohttp.ClientSession | None = None,
        event_hooks: Mapping[str, Sequence[Hook]] | None = None,
        tracing: bool | tracing.TracerProviderLike = True,
        propagate_trace: bool = False,
        _session: _Session | None = None,
    ) -> None:
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int):
            raise ValidationError("max_response_bytes must be an int")
        if max_response_bytes < 1:
            raise ValidationError("max_response_bytes must be >= 1")
        self.config = config
        self.limiter: Limiter = limiter if limiter is not None else PauseOnlyLimiter()
        self.retry = retry
        self.timeout = check_timeout(timeout)
        self.clock = clock
        self.max_response_bytes = max_response_bytes
        self.hooks = _check_hooks(event_hooks)
        self.tracing = tracing
        self._may_trace = _may_trace(tracing)
        self.propagate_trace = propagate_trace
        if proxy is None and trust_env and session is None and _session is None:
            proxy = env_proxy(config.base_url)
        self.proxy = proxy  # a Secret: a proxy URL may hold credentials
        headers = config.headers()
        self._headers = headers
        self._json_headers = {**headers, **_JSON}
        self._owner = _session is None
        self._session = _session or _Session(connection_limit, ssl=ssl, session=session)
        # Limiters that can use them learn when the request was written (so its slot is
        # counted from its arrival, not its answer), and when an attempt got no answer.
        # Counted from the answer instead: a server on this event loop (it reads requests
        # only when the loop gets to them), and a caller's session (it does not say when
        # a connection it opened was ready).
        count_from_answer = in_process_servers.serves(config.base_url) or self._session.borrowed
        self._answered_at = (
            None if count_from_answer else getattr(self.limiter, "release_answered", None)
        )
        self._unanswered = getattr(self.limiter, "release_unanswered", self.limiter.release)
        self._cancelled = getattr(self.limiter, "release_cancelled", self._unanswered)

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
            max_response_bytes=self.max_response_bytes,
            proxy=self.proxy,
            event_hooks=self.hooks,
            tracing=self.tracing,
            propagate_trace=self.propagate_trace,
            _session=self._session,
        )

    def deadlines(self) -> DeadlineTimers:
        return self._session.deadlines

    def give_back(self, answered: bool, cancelled: bool, written: float) -> None:
        """Return a sent attempt's limiter slot, counted from what is known of when its
        request reached the server: by ``written`` + jitter if answered, by its transit
        bound if not (or, cancelled by its caller, by now + jitter)."""
        if not answered:
            (self._cancelled if cancelled else self._unanswered)()
        elif self._answered_at is not None:
            self._answered_at(written)
        else:
            self.limiter.release()

    async def run_hooks(self, event: str, view: Any) -> None:
        """Call the ``event`` hooks; a hook's failure is a :class:`HookError`."""
        for hook in self.hooks.get(event, ()):
            try:
                result = hook(view)
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                name = getattr(hook, "__qualname__", repr(hook))
                raise HookError(f"{event} hook {name} failed: {exc!r}") from exc

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

    def send(self, request: Request) -> Coroutine[Any, Any, RawResponse]:
        """Send ``request``, retrying as the policy says; return its 2xx response, with
        ``value`` the decoded body when the request names a ``response_type``.

        Error statuses raise the matching :class:`~ccloud_async.errors.APIStatusError`.
        """
        # A plain method handing back the coroutine: untraced calls pay no extra frame.
        active = tracing.tracer(self.tracing) if self._may_trace else None
        if active is None:
            return self._send(request, None)
        return self._traced(request, active)

    async def _traced(self, request: Request, active: Any) -> RawResponse:
        name = request.operation_id or f"{request.method} {request.template}"
        with tracing.call_span(active, name, request.method, request.template):
            return await self._send(request, active)

    async def _send(self, request: Request, active: Any) -> RawResponse:
        options = request.options
        timeout = self.timeout if options.timeout is None else check_timeout(options.timeout)
        retries = _Retries(self, request)
        session = self.session()
        url = self.url_for(request)
        method, path = request.method, request.path
        headers = self._json_headers if request.body is not None else self._headers
        if request.headers:
            headers = {**headers, **dict(request.headers)}
        began = time.monotonic()
        proxy = None if self.proxy is None else self.proxy.reveal()
        while True:
            info = _Attempt()
            if self._session.closed:
                raise ClientStateError("this client was closed", method=method, path=path)
            try:
                async with session.request(
                    method,
                    url,
                    data=request.body,
                    headers=headers,
                    proxy=proxy,
                    timeout=_NO_AIOHTTP_TIMEOUT,
                    allow_redirects=False,
                    middlewares=(self._middleware(info, timeout, retries, request, active),),
                ) as resp:
                    response = RawResponse(resp.status, resp.headers, info.body, method, path)
                response.attempts, response.elapsed = retries.wire, time.monotonic() - began
            except asyncio.TimeoutError:
                failure, error = Failure.TIMEOUT, self._timed_out(request, timeout)
            except _TooLarge:
                raise ResponseTooLargeError(
                    f"the body is larger than max_response_bytes ({self.max_response_bytes})",
                    method=method,
                    path=path,
                ) from None
            except aiohttp.ClientConnectorCertificateError as exc:
                # Deterministic: retrying cannot make the certificate trusted.
                raise APIConnectionError(
                    f"TLS certificate not trusted ({exc.certificate_error.__class__.__name__}"
                    f": {getattr(exc.certificate_error, 'verify_message', '') or 'verify failed'}"
                    "); pass ssl= an SSLContext that trusts its CA, or set SSL_CERT_FILE",
                    method=method,
                    path=path,
                ) from None
            except aiohttp.ClientConnectorError as exc:
                reason = exc.os_error.strerror or type(exc.os_error).__name__
                failure = Failure.NOT_SENT
                error = APIConnectionError(f"cannot connect: {reason}", method=method, path=path)
            except (aiohttp.ClientError, OSError) as exc:
                failure = Failure.AMBIGUOUS
                error = APIConnectionError(
                    f"connection lost: {type(exc).__name__}", method=method, path=path
                )
            except RuntimeError:
                if self._session.closed:  # closed while this request was under way
                    raise ClientStateError(
                        "this client was closed", method=method, path=path
                    ) from None
                raise
            else:
                _log_attempt(info, response)
                if 200 <= response.status < 300:
                    try:
                        return self._read(request, response)
                    except ResponseDecodeError as exc:
                        if not exc.malformed:
                            raise
                        failure, error = Failure.CORRUPT, exc
                elif response.status < 400:
                    raise _redirect(response)
                elif _gone_at_last(request, response, retries):
                    return self._gone(request, response)
                else:
                    await self._after_error(request, response, retries)
                    continue
            if failure is not Failure.CORRUPT:
                _log_failure(info, method, path, failure.value)
            decision = retries.get().after_failure(failure)
            if not decision.retry:
                raise error from None
            retries.reason = failure.value
            await self._wait(decision, method, path, failure.value)

    def _read(self, request: Request, response: RawResponse) -> RawResponse:
        if request.response_type is not None:
            response.value = decode_response(request.response_type, response)
        return response

    def _gone(self, request: Request, response: RawResponse) -> RawResponse:
        """A DELETE answered 404 after an attempt that may have done it: done."""
        logger.warning(
            "%s %s: 404 after a re-send; an earlier attempt deleted it (no echo of it)",
            request.method,
            request.path,
        )
        response.status = 200
        response.body = b""
        if request.response_type is not None:
            kind = request.response_type
            response.value = {} if kind is dict else kind()
        return response

    async def _after_error(
        self, request: Request, response: RawResponse, retries: _Retries
    ) -> None:
        """An error status: wait and return to try again, or raise its exception."""
        method, path = request.method, request.path
        body = parse_error_body(
            response.status, response.headers.get("content-type", ""), response.body
        )
        body = ErrorBody(body.code, self._scrub(request, body.message), body.details)
        retry_after = parse_retry_after(
            response.headers.get("retry-after"), now=clock_seconds(self.clock)
        )
        state = retries.get()
        decision = state.after_status(response.status, body, retry_after)
        if decision.retry:
            retries.reason = f"HTTP {response.status}"
            await self._wait(decision, method, path, retries.reason)
            return
        if decision.rate_limited and retry_after is not None:
            cap = state.policy.max_retry_after
            logger.warning(
                "%s %s: rate limited, server asks to wait %.1fs (cap %.1fs): giving up; "
                "the client pauses for %.1fs",
                method,
                path,
                retry_after,
                cap,
                min(retry_after, cap),
            )
            # Not waited out here, but nobody else may hit the API meanwhile either.
            await self.limiter.pause(min(retry_after, cap))
        raise error_for(response, body, retry_after=retry_after)

    def _scrub(self, request: Request, text: str) -> str:
        """Error text without the request's secrets or the credential (a proxy may echo)."""
        return scrub(text, (*request.secrets, self.config.credential.reveal()))

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

    def _middleware(
        self, info: _Attempt, timeout: float, retries: _Retries, request: Request, active: Any
    ) -> Any:
        if active is not None or self.hooks:
            return _Observed(self, info, timeout, retries, request, active)
        limiter, give_back = self.limiter, self.give_back
        deadlines = self._session.deadlines
        cap = self.max_response_bytes

        # One flat coroutine per wire attempt: this is the hot path.
        async def attempt(
            req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
        ) -> aiohttp.ClientResponse:
            # aiohttp re-sends an idempotent request once when a kept-alive connection
            # turns out closed: that is a retry like any other.
            if info.number and not retries.get().after_failure(Failure.AMBIGUOUS).retry:
                raise aiohttp.ServerDisconnectedError("retries spent: not re-sent")
            queued = time.monotonic()
            await limiter.acquire()
            answered = given_up = False
            written = 0.0
            try:
                info.number += 1
                retries.wire += 1
                info.started = time.monotonic()
                info.waited += info.started - queued
                connected = [0.0]
                _CONNECTED.set(connected)
                # The deadline covers sending and reading the whole body, so the
                # limiter slot is held until the attempt is really over.
                with deadlines.after(timeout):
                    resp = await handler(req)
                    answered = True  # the server has it: its headers came back
                    # Written as the attempt began on a connection already open, or
                    # once a new one was ready (after its TCP and TLS handshakes).
                    written = connected[0] or info.started
                    info.body = await _read_capped(resp, cap)
                    return resp
            except asyncio.CancelledError:
                given_up = True  # by the caller (a deadline of ours is AttemptTimeout)
                raise
            finally:
                give_back(answered, given_up, written)

        return attempt


class _Observed:
    """The middleware with event hooks and spans: the same steps as the plain one, plus
    a hook call before and after each wire attempt and a CLIENT span around it."""

    def __init__(
        self,
        engine: Engine,
        info: _Attempt,
        timeout: float,
        retries: _Retries,
        request: Request,
        active: Any,
    ) -> None:
        self.engine, self.info, self.timeout = engine, info, timeout
        self.retries, self.request, self.active = retries, request, active

    async def __call__(
        self, req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        engine, info, retries = self.engine, self.info, self.retries
        if info.number and not retries.get().after_failure(Failure.AMBIGUOUS).retry:
            raise aiohttp.ServerDisconnectedError("retries spent: not re-sent")
        queued = time.monotonic()
        await engine.limiter.acquire()
        answered, span, status, error = False, None, None, None
        written = sending = 0.0
        try:
            info.number += 1
            retries.wire += 1
            info.started = time.monotonic()
            info.waited += info.started - queued
            if self.active is not None:
                span = tracing.attempt_span(
                    self.active,
                    self.request.method,
                    self.request.template,
                    req.url.host or "",
                    req.url.port,
                )
                span.set_attribute("ccloud.limiter.wait_s", round(info.started - queued, 6))
                if retries.wire > 1:
                    span.set_attribute("http.request.resend_count", retries.wire - 1)
                    if retries.reason:
                        span.set_attribute("ccloud.retry.reason", retries.reason)
                if engine.propagate_trace:
                    carrier: dict[str, str] = {}
                    tracing.inject(carrier, span)
                    req.headers.update(carrier)
            await engine.run_hooks("request", RequestView(req, retries.wire))
            connected = [0.0]
            _CONNECTED.set(connected)
            sending = time.monotonic()  # after the hook, which may have taken its time
            with engine.deadlines().after(self.timeout):
                resp = await handler(req)
                answered = True
                status = resp.status
                written = connected[0] or sending
                info.body = await _read_capped(resp, engine.max_response_bytes)
            await engine.run_hooks(
                "response", ResponseView(resp, time.monotonic() - info.started, retries.wire)
            )
            return resp
        except BaseException as exc:
            error = exc
            raise
        finally:
            if not sending:  # a request hook failed: nothing went out to arrive later
                engine.limiter.release()
            else:
                engine.give_back(answered, isinstance(error, asyncio.CancelledError), written)
            if span is not None:
                tracing.end_attempt(span, status, error)


class RequestView:
    """What an event hook sees of a request about to go out (read-only; key masked)."""

    __slots__ = ("attempt", "headers", "method", "url")

    def __init__(self, req: aiohttp.ClientRequest, attempt: int) -> None:
        self.method = req.method
        self.url = str(req.url)
        self.attempt = attempt  # 1 for the first wire attempt of a call
        self.headers = CIMultiDictProxy(
            CIMultiDict(
                (name, "***" if name.lower() in _MASKED else value)
                for name, value in req.headers.items()
            )
        )

    def __repr__(self) -> str:
        return f"<RequestView {self.method} {self.url} attempt={self.attempt}>"


class ResponseView:
    """What an event hook sees of an answer (read-only)."""

    __slots__ = ("attempt", "elapsed", "headers", "status")

    def __init__(self, resp: aiohttp.ClientResponse, elapsed: float, attempt: int) -> None:
        self.status = resp.status
        self.headers = CIMultiDictProxy(CIMultiDict(resp.headers))
        self.elapsed = elapsed
        self.attempt = attempt

    def __repr__(self) -> str:
        return f"<ResponseView {self.status} attempt={self.attempt} {self.elapsed:.3f}s>"


_MASKED = frozenset({"authorization", "proxy-authorization", "cookie"})


async def _read_capped(resp: aiohttp.ClientResponse, cap: int) -> bytes:
    """The whole body, decompressed, refusing to hold more than ``cap`` bytes; a body
    not read to its end closes its connection (never reused half-read)."""
    try:
        length = resp.content_length
        if length is not None and not resp.headers.get("content-encoding"):
            # The common case, told its size up front: aiohttp's own read, once checked.
            if length > cap:
                raise _TooLarge
            return await resp.read()
        chunks: list[bytes] = []
        size = 0
        while chunk := await resp.content.read(_CHUNK):
            size += len(chunk)
            if size > cap:
                raise _TooLarge
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except BaseException:
        resp.close()
        raise


def env_proxy(url: URL) -> Secret | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY`` / ``HTTP_PROXY``,
    unless ``NO_PROXY`` exempts its host), read once."""
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    chosen = proxies.get(url.scheme)
    if not chosen or urllib.request.proxy_bypass(url.host or ""):
        return None
    return Secret(chosen)


def _redirect(response: RawResponse) -> RedirectError:
    location = response.headers.get("location", "")
    host = URL(location).host if location else None
    where = f" to {host}" if host else ""
    return RedirectError(
        f"unexpected redirect{where}: the API never redirects (not followed)",
        status=response.status,
        method=response.method,
        path=response.path,
        request_id=request_id(response.headers),
        location_host=host,
    )


def _gone_at_last(request: Request, response: RawResponse, retries: _Retries) -> bool:
    return request.method == "DELETE" and response.status == 404 and retries.resent_after_ambiguous


def _log_attempt(info: _Attempt, response: RawResponse) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        rid = request_id(response.headers)
        outcome = f"{response.status} request_id={rid}" if rid else response.status
        _log_failure(info, response.method, response.path, outcome)


def _log_failure(info: _Attempt, method: str, path: str, outcome: object) -> None:
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
