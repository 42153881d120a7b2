"""Raw responses: ``cloud.with_raw_response.<namespace>.<method>(...)``.

::

    raw = await cloud.with_raw_response.clusters.get(cluster_id)
    raw.status, raw.request_id, raw.attempts, raw.elapsed
    raw.headers["content-type"]
    raw.json()        # what the server sent, every field, known or not
    cluster = raw.parse()   # the typed model, as the plain call returns it

Every method that returns a model has a raw form (lists return pagers, which have
none); ``cloud.with_raw_response.request(...)`` is the raw form of ``cloud.request``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Mapping
from functools import wraps
from typing import Any, Generic, ParamSpec, TypeVar, cast

import msgspec

from ._http.messages import RawResponse, decode_response, request_id

__all__ = ["APIResponse", "answer", "to_raw_response"]

T = TypeVar("T")
P = ParamSpec("P")

# Set while a raw-response wrapper runs the method: its one request answers raw.
_RAW: contextvars.ContextVar[bool] = contextvars.ContextVar("ccloud_raw", default=False)


def answer(response: RawResponse, response_type: type[Any]) -> Any:
    """What a call returns: its decoded value, or under ``with_raw_response`` the
    :class:`APIResponse` (every method and ``cloud.request`` decide it here)."""
    return APIResponse(response, response_type) if _RAW.get() else response.value


class APIResponse(Generic[T]):
    """A success response as it came: status, headers, body, and how it was got."""

    def __init__(self, raw: RawResponse, response_type: type[T]) -> None:
        self._raw = raw
        self._type = response_type

    @property
    def status(self) -> int:
        return self._raw.status

    @property
    def headers(self) -> Mapping[str, str]:
        """Case-insensitive response headers."""
        return self._raw.headers

    @property
    def request_id(self) -> str | None:
        return request_id(self._raw.headers)

    @property
    def attempts(self) -> int:
        """Wire attempts the call took (1 without retries)."""
        return self._raw.attempts

    @property
    def elapsed(self) -> float:
        """Seconds from the first attempt's start to this answer."""
        return self._raw.elapsed

    @property
    def content(self) -> bytes:
        return self._raw.body

    def json(self) -> Any:
        """The body as plain JSON data: every field the server sent."""
        return msgspec.json.decode(self._raw.body) if self._raw.body.strip() else None

    def parse(self) -> T:
        """The typed value the plain method returns."""
        if self._raw.value is None:
            self._raw.value = decode_response(self._type, self._raw)
        return cast(T, self._raw.value)

    def __repr__(self) -> str:
        return f"<APIResponse {self.status} {self._raw.method} {self._raw.path}>"


def to_raw_response(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[APIResponse[T]]]:
    """The raw form of a method: the same arguments, an :class:`APIResponse` back."""

    @wraps(fn)
    async def raw(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        token = _RAW.set(True)
        try:
            return cast(APIResponse[T], await fn(*args, **kwargs))
        finally:
            _RAW.reset(token)

    return raw
