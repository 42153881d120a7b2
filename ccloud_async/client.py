"""The client: :class:`CockroachCloud`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from ssl import SSLContext
from types import TracebackType
from typing import Any, Final, TypeVar, cast, overload

import aiohttp

from ._clock import SYSTEM_CLOCK, WallClock
from ._config import ClientConfig, proxy_secret, resolve_config, ssl_setting
from ._generated.namespaces import Namespaces
from ._generated.raw import RawNamespaces
from ._http.engine import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, Engine
from ._http.messages import CallOptions, build_request, extra_header_pairs
from ._http.retry import RetryPolicy
from ._http.tracing import TracerProviderLike
from .errors import ValidationError
from .limiters import InProcessLimiter, Limiter
from .models._base import encode
from .operations import is_resend_safe
from .responses import answer, to_raw_response

__all__ = ["DEFAULT_LIMITER", "CockroachCloud", "RawClient"]

T = TypeVar("T")


class _DefaultLimiter:
    """Marker: build an :class:`InProcessLimiter` for the client."""

    def __repr__(self) -> str:
        return "DEFAULT_LIMITER"


DEFAULT_LIMITER: Final = _DefaultLimiter()


class RawClient(RawNamespaces):
    """``cloud.with_raw_response``: every namespace raw, and ``request`` raw too."""

    def __init__(self, client: CockroachCloud) -> None:
        super().__init__(client)
        self.request = to_raw_response(client.request)


class CockroachCloud(Namespaces):
    """Async client for the CockroachDB Cloud API.

    ::

        async with CockroachCloud() as cloud:          # key from COCKROACH_API_KEY
            cluster = await cloud.clusters.get(cluster_id)

    Credentials: ``api_key`` (else ``COCKROACH_API_KEY``), or for JWT auth ``jwt`` (else
    ``COCKROACH_API_JWT``) with ``vanity_name`` (``COCKROACH_VANITY_NAME``) and optionally
    ``username`` (``COCKROACH_USERNAME``). ``base_url`` (else ``COCKROACH_SERVER``) must be
    https unless the host is a loopback address.

    Every request of the client — retries included — goes through one ``limiter``: by
    default at most 10 starts in any sliding second. Pass another :class:`Limiter` to
    share a budget, or ``None`` for no limit (a 429 still pauses the whole client).

    ``max_retries`` bounds retries of server errors, resets and timeouts; ``timeout`` is
    the limit for one attempt in seconds, not counting time queued for the limiter; a
    429 asking to wait more than ``max_retry_after`` seconds raises
    :class:`~ccloud_async.errors.RateLimitedError`. POST and PATCH are not re-sent after
    an ambiguous failure unless ``retry_unsafe=True``. Methods take ``timeout=`` and
    ``max_retries=`` per call too. ``lock_wait`` (seconds, default 0 = off) makes
    mutations that meet a cluster locked by a background job (a 400 about the lock, or
    a 503) wait and try again for that long. ``retry_policy`` replaces all of these
    retry settings at once (backoff included). :meth:`with_options` gives a view with
    other settings that shares this client's session and limiter.

    Networks: the environment's ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` and
    ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are honoured unless ``trust_env=False``;
    ``proxy=`` names a proxy (credentials in it never appear in a log, repr or error);
    ``ssl=`` is an ``ssl.SSLContext`` (e.g. one trusting a private CA), or ``False`` for
    a loopback server only. ``session=`` is your own ``aiohttp.ClientSession``: used,
    never closed, with every attempt still gated by the limiter and the key sent per
    request.

    ``event_hooks={"request": [...], "response": [...]}`` are called (sync or async)
    once per wire attempt with a read-only view of the request (method, URL, headers
    with the key masked, attempt number) or of the answer (status, headers, elapsed);
    a hook's exception is a :class:`~ccloud_async.errors.HookError`. With
    ``opentelemetry-api`` and an SDK tracer provider installed, calls and wire
    attempts become spans (``tracing=False`` opts out; ``tracing=provider`` uses that
    tracer provider instead of the global one); ``propagate_trace=True`` sends
    ``traceparent`` along.

    ``max_response_bytes`` (64 MiB by default) caps a response body after
    decompression: a larger one raises
    :class:`~ccloud_async.errors.ResponseTooLargeError` instead of filling memory.

    ``clock`` (nanoseconds since the epoch, like :func:`time.time_ns`, the default) is
    the wall clock the client reads, for ``Retry-After`` dates; tests pass the
    emulator's clock to move both in time together.

    The HTTP session is opened inside the running event loop on first use, so a client
    may be created anywhere; close it with ``await cloud.aclose()`` or ``async with``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        jwt: str | None = None,
        vanity_name: str | None = None,
        username: str | None = None,
        base_url: str | None = None,
        api_version: str | None = None,
        limiter: Limiter | _DefaultLimiter | None = DEFAULT_LIMITER,
        max_retries: int = 3,
        timeout: float = DEFAULT_TIMEOUT,
        max_retry_after: float = 60.0,
        retry_unsafe: bool = False,
        lock_wait: float = 0.0,
        retry_policy: RetryPolicy | None = None,
        connection_limit: int = 100,
        clock: WallClock = SYSTEM_CLOCK,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        proxy: str | None = None,
        ssl: SSLContext | bool | None = None,
        trust_env: bool = True,
        session: aiohttp.ClientSession | None = None,
        event_hooks: Mapping[str, Sequence[Callable[[Any], object]]] | None = None,
        tracing: bool | TracerProviderLike = True,
        propagate_trace: bool = False,
    ) -> None:
        self._config: ClientConfig = resolve_config(
            api_key=api_key,
            jwt=jwt,
            vanity_name=vanity_name,
            username=username,
            base_url=base_url,
            api_version=api_version,
        )
        if isinstance(limiter, _DefaultLimiter):
            limiter = InProcessLimiter()
        elif limiter is not None and not isinstance(limiter, Limiter):
            raise ValidationError("limiter must implement acquire() and pause(), or be None")
        self._engine = Engine(
            self._config,
            limiter=limiter,
            retry=retry_policy
            or RetryPolicy(
                max_retries=max_retries,
                max_retry_after=max_retry_after,
                retry_unsafe=retry_unsafe,
                lock_wait=lock_wait,
            ),
            timeout=timeout,
            connection_limit=connection_limit,
            clock=clock,
            max_response_bytes=max_response_bytes,
            proxy=proxy_secret(proxy),
            ssl=ssl_setting(ssl, self._config.base_url, trust_env, os.environ),
            trust_env=trust_env,
            session=session,
            event_hooks=event_hooks,
            tracing=tracing,
            propagate_trace=propagate_trace,
        )
        self._bind(self._engine)

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
        lock_wait: float | None = None,
    ) -> CockroachCloud:
        """This client with other defaults, sharing its session, limiter and pauses::

            await cloud.with_options(lock_wait=600).clusters.update(cluster_id, ...)

        Closing the view does nothing; close the original client.
        """
        options = CallOptions(timeout, max_retries, retry_unsafe, lock_wait)
        view = object.__new__(CockroachCloud)
        view._config = self._config
        view._engine = self._engine.derive(
            retry=self._engine.retry.with_options(options),
            timeout=self._engine.timeout if timeout is None else timeout,
        )
        view._bind(view._engine)
        return view

    @property
    def with_raw_response(self) -> RawClient:
        """This client's methods returning :class:`~ccloud_async.APIResponse` (status,
        headers, request id, attempts, the body as sent) instead of the model."""
        raw = self.__dict__.get("_raw")
        if raw is None:
            raw = self.__dict__["_raw"] = RawClient(self)
        return cast(RawClient, raw)

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> T: ...
    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: None = None,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Any: ...
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[Any] | None = None,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Any path of the API, including ones this SDK's snapshot does not have yet::

            await cloud.request("GET", "/api/v1/clusters/{cluster_id}", path_params={...})

        Through the same session, limiter, retries and error mapping as the methods:
        GET/PUT/DELETE (and requests carrying an ``idempotency_key``) are re-sent after
        an ambiguous failure, POST/PATCH only with ``retry_unsafe=True``. ``path`` is a
        template whose ``{name}`` parts ``path_params`` fill (percent-encoded). Returns
        the decoded JSON (None for an empty body), or ``cast_to`` a model.
        """
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValidationError(f"path must start with '/', got {path!r}")
        payload = None if body is None else encode(body)
        fields = [*(body.keys() if isinstance(body, Mapping) else ()), *(query or {})]
        request = build_request(
            method,
            path,
            path_params=path_params,
            query=query,
            body=payload,
            resend_safe=is_resend_safe(method, fields),
            options=CallOptions(timeout, max_retries, retry_unsafe),
            response_type=cast_to or cast(type[Any], Any),
            headers=extra_header_pairs(extra_headers),
        )
        return answer(await self._engine.send(request), request.response_type or object)

    @property
    def base_url(self) -> str:
        return str(self._config.base_url)

    @property
    def api_version(self) -> str:
        return self._config.api_version

    @property
    def clock(self) -> WallClock:
        """The wall clock this client reads (nanoseconds since the epoch)."""
        return self._engine.clock

    @property
    def limiter(self) -> Limiter:
        """The limiter every request of this client passes through."""
        return self._engine.limiter

    def __repr__(self) -> str:
        auth = "jwt" if self._config.uses_jwt else "api_key"
        return (
            f"CockroachCloud(base_url={self.base_url!r}, api_version={self.api_version!r}, "
            f"{auth}='***')"
        )

    async def __aenter__(self) -> CockroachCloud:
        await self._engine.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP session. Safe to call twice."""
        await self._engine.aclose()

    @property
    def closed(self) -> bool:
        return self._engine.closed
