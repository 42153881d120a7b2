"""The blocking client: :class:`CockroachCloudSync`."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar, cast, overload

from ._clock import WallClock
from ._generated.blocking import BlockingNamespaces, BlockingRawNamespaces
from .blocking import LoopThread
from .client import CockroachCloud
from .errors import ValidationError
from .limiters import Limiter

__all__ = ["CockroachCloudSync", "RawClientSync"]

T = TypeVar("T")


class RawClientSync(BlockingRawNamespaces):
    """``cloud.with_raw_response`` of the blocking client, ``request`` included."""

    def __init__(self, loop: LoopThread, client: CockroachCloud) -> None:
        raw = client.with_raw_response
        super().__init__(loop, raw)
        self.request = loop.blocking(raw.request)


class CockroachCloudSync(BlockingNamespaces):
    """Blocking client for the CockroachDB Cloud API, for code without ``async``::

        with CockroachCloudSync() as cloud:            # key from COCKROACH_API_KEY
            cluster = cloud.clusters.get(cluster_id)
            for c in cloud.clusters.list():
                print(c.name)

    It takes :class:`~ccloud_async.CockroachCloud`'s arguments and has its namespaces
    and methods, with the same parameters, returning the same models; lists return a
    :class:`~ccloud_async.blocking.SyncPager` and the audit log a
    :class:`~ccloud_async.blocking.SyncAuditLogStream`, iterated with plain ``for``.

    It is the async client driven from an event loop in a thread of its own (one per
    client, started on first use, stopped by :meth:`close` or the end of ``with``), so
    every thread using one client shares its limiter, retries and connections. It may be
    called from many threads at once, and from a thread that runs an event loop (a
    notebook cell). Ctrl-C while a call waits cancels that call and waits for it to
    unwind (its limiter slot comes back, its connection is closed) before the
    KeyboardInterrupt propagates.

    Event hooks and ``on_change`` callbacks run on the client's loop thread: they must
    not make blocking calls through the client (that raises ``ClientStateError``).
    ``session=`` cannot be used: an aiohttp session belongs to the event loop that made
    it, and this client's loop is its own.
    """

    _client: CockroachCloud
    _loop: LoopThread
    _owner: CockroachCloudSync | None
    _finalizer: weakref.finalize[Any, Any] | None

    def _open(self, client: CockroachCloud) -> None:
        if client._engine._session.borrowed:
            raise ValidationError(
                "session= is not supported by CockroachCloudSync: an aiohttp session belongs "
                "to the event loop that made it, and the blocking client runs its own"
            )
        self._client = client
        self._loop = LoopThread()
        self._owner = None
        # A client nobody closed is closed when collected, or at exit: its thread and
        # connections do not outlive it.
        self._finalizer = weakref.finalize(self, self._loop.close, client.aclose)
        self._bind(self._loop, client)

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
        lock_wait: float | None = None,
    ) -> CockroachCloudSync:
        """This client with other defaults, sharing its loop, session, limiter and
        pauses (see :meth:`CockroachCloud.with_options`). Closing the view does nothing;
        close the original client."""
        view = object.__new__(CockroachCloudSync)
        view._client = self._client.with_options(
            timeout=timeout, max_retries=max_retries, retry_unsafe=retry_unsafe, lock_wait=lock_wait
        )
        view._loop = self._loop
        view._owner = self._owner or self  # keeps the owner, and so its loop, alive
        view._finalizer = None
        view._bind(view._loop, view._client)
        return view

    @property
    def with_raw_response(self) -> RawClientSync:
        """This client's methods returning :class:`~ccloud_async.APIResponse` instead of
        the model."""
        raw = self.__dict__.get("_raw")
        if raw is None:
            raw = self.__dict__["_raw"] = RawClientSync(self._loop, self._client)
        return cast(RawClientSync, raw)

    @overload
    def request(
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
    def request(
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
    def request(
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
        """Any path of the API (see :meth:`CockroachCloud.request`)."""
        return self._loop.call(
            self._client.request,
            method,
            path,
            cast_to=cast_to,
            path_params=path_params,
            query=query,
            body=body,
            timeout=timeout,
            max_retries=max_retries,
            retry_unsafe=retry_unsafe,
            extra_headers=extra_headers,
        )

    @property
    def base_url(self) -> str:
        return self._client.base_url

    @property
    def api_version(self) -> str:
        return self._client.api_version

    @property
    def clock(self) -> WallClock:
        """The wall clock this client reads (nanoseconds since the epoch)."""
        return self._client.clock

    @property
    def limiter(self) -> Limiter:
        """The limiter every request of this client passes through (on its loop)."""
        return self._client.limiter

    @property
    def closed(self) -> bool:
        return self._loop.closed or self._client.closed

    def __repr__(self) -> str:
        return repr(self._client).replace("CockroachCloud(", "CockroachCloudSync(", 1)

    def __enter__(self) -> CockroachCloudSync:
        self._loop.call(self._client.__aenter__)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session, stop the loop and join its thread. Safe to call twice;
        a view made by :meth:`with_options` leaves it to the original client."""
        if self._finalizer is not None:
            self._finalizer()  # runs once
