"""The exception tree of ccloud_async.

::

    CloudError                      anything this SDK raises on purpose
    ├── ConfigurationError          bad client settings (also a ValueError)
    │   └── MissingCredentialsError no API key / JWT found
    ├── ValidationError             an argument refused before anything was sent
    │                               (also a TypeError and a ValueError)
    ├── APIError                    something went wrong talking to the API
    │   ├── APIStatusError          the API answered with an error status
    │   │   ├── BadRequestError         400
    │   │   ├── AuthenticationError     401
    │   │   ├── PermissionDeniedError   403
    │   │   ├── NotFoundError           404
    │   │   ├── ConflictError           409
    │   │   ├── RateLimitedError        429 (or a Retry-After beyond the cap)
    │   │   ├── ServerError             5xx
    │   │   └── RedirectError           3xx: the API never redirects; not followed
    │   ├── APIConnectionError      no usable answer: refused, reset, DNS, TLS
    │   │   └── APITimeoutError     an attempt ran past its timeout (also a TimeoutError)
    │   ├── ResponseDecodeError     a 2xx body that is not what the spec promises
    │   │   └── ResponseTooLargeError   a body beyond ``max_response_bytes``
    │   └── ClientStateError        closed, or used from another event loop (a RuntimeError)
    ├── LimiterUnavailableError     the Redis limiter cannot reach Redis (fail closed;
    │                               ``ccloud_async.limiters.redis``)
    ├── HookError                   an event hook of yours raised (the cause is attached)
    ├── PaginationError             a server handed back a cursor it already gave
    └── WaitError                   a waiter did not see the state it waited for
        ├── WaitTimeoutError        the time ran out (also a TimeoutError)
        └── OperationFailedError    the resource reached a failed state

Messages carry the method and path, never headers, so no credential can leak
through an exception. Every exception pickles and unpickles to an equal one (same
class, message and attributes), so it survives a process pool.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientStateError",
    "CloudError",
    "ConfigurationError",
    "ConflictError",
    "HookError",
    "MissingCredentialsError",
    "NotFoundError",
    "OperationFailedError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RedirectError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "ValidationError",
    "WaitError",
    "WaitTimeoutError",
    "status_error_class",
]


def _rebuild(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    BaseException.__init__(error, *args)
    error.__dict__.update(state)
    return error


class CloudError(Exception):
    """Base class of every error this SDK raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors do not survive pickle's default (it calls
        # ``cls(*args)``): rebuild from the message and the attributes instead.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class ConfigurationError(CloudError, ValueError):
    """The client was given settings it cannot work with."""


class MissingCredentialsError(ConfigurationError):
    """Neither an API key nor a JWT was given or found in the environment."""


class ValidationError(CloudError, TypeError, ValueError):
    """An argument was refused before anything was sent; the message names it.

    Also a ``TypeError`` and a ``ValueError``, so code written against the built-in
    exceptions keeps working.
    """


class HookError(CloudError):
    """An event hook raised; its exception is the ``__cause__``. The attempt's limiter
    slot was given back as for any other failed attempt."""


class PaginationError(CloudError):
    """A list would never end: the server repeated a cursor."""


class WaitError(CloudError):
    """A waiter stopped without reaching its goal. ``last`` is the last value polled."""

    def __init__(self, message: str, *, state: str, last: Any = None) -> None:
        super().__init__(message)
        self.state = state
        self.last = last


class WaitTimeoutError(WaitError, TimeoutError):
    """The waiter's timeout passed; ``state`` is the last state seen."""


class OperationFailedError(WaitError):
    """The resource reached a failed state (CREATION_FAILED, ``*_FAILED``, ...)."""


class APIError(CloudError):
    """A request failed. ``method`` and ``path`` say which."""

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f"{self.method} {self.path}".strip()
        return f"{self.message} ({where})" if where else self.message


class APIStatusError(APIError):
    """The API answered with an error status.

    ``code`` is the google.rpc code from the body (0 when the body had none),
    ``details`` its details list, ``request_id`` the server's request id if it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int = 0,
        details: list[Any] | None = None,
        method: str = "",
        path: str = "",
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status = status
        self.code = code
        self.details = details if details is not None else []
        self.request_id = request_id

    def __str__(self) -> str:
        text = f"{self.status} {self.message}"
        if self.code:
            text += f" [code {self.code}]"
        where = f"{self.method} {self.path}".strip()
        if where:
            text += f" ({where})"
        if self.request_id:
            text += f" request_id={self.request_id}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self!s})"


class BadRequestError(APIStatusError):
    """400: the request was invalid (also: the cluster is locked by a running job)."""


class AuthenticationError(APIStatusError):
    """401: the credential is missing, wrong or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the credential lacks a role this operation needs."""


class NotFoundError(APIStatusError):
    """404: no such resource (or not visible to this credential)."""


class ConflictError(APIStatusError):
    """409: the resource already exists or changed under us."""


class RateLimitedError(APIStatusError):
    """429 that the client would not wait out: ``retry_after`` seconds were asked for."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("status", 429)
        kwargs.setdefault("code", 8)
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: the server failed; GET/PUT/DELETE were already retried."""


class RedirectError(APIStatusError):
    """3xx: the API never redirects, so a redirect (a proxy, a captive portal, a wrong
    ``base_url``) is not followed — the key stays here — and is not success.
    ``location_host`` is the host it pointed to, if any."""

    def __init__(self, message: str, *, location_host: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location_host = location_host


class APIConnectionError(APIError):
    """No usable response: connection refused or reset, DNS or TLS failure."""


class APITimeoutError(APIConnectionError, TimeoutError):
    """An attempt took longer than its timeout (also a ``TimeoutError``)."""


class ResponseDecodeError(APIError):
    """A success response whose body is not what the operation returns.

    ``malformed`` is True when the body is not JSON at all (empty, truncated, garbled):
    such an answer is retried like a lost one where a re-send is safe.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        method: str = "",
        path: str = "",
        malformed: bool = False,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status = status
        self.malformed = malformed


class ResponseTooLargeError(ResponseDecodeError):
    """The body grew past ``max_response_bytes`` (after decompression); reading stopped."""


class ClientStateError(APIError, RuntimeError):
    """The client cannot send: it was closed, or it is used from an event loop other than
    the one it first ran in (make one client per event loop)."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIStatusError)
