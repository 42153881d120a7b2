"""Reading responses, with no I/O: error bodies to exceptions, success bodies to models."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar

import msgspec

from .errors import APIStatusError, RateLimitedError, ResponseDecodeError, status_error_class
from .models._base import decode

__all__ = ["ErrorBody", "RawResponse", "decode_response", "error_from_response", "parse_error_body"]

T = TypeVar("T")

_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-cloud-trace-context")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_MAX_SNIPPET = 200


@dataclass(slots=True)  # not frozen: made once per response, on the hot path
class RawResponse:
    """A fully read response. ``headers`` is read with lower-case names: the transport
    passes aiohttp's case-insensitive mapping, tests may pass a dict of lower-case keys."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    method: str
    path: str


class _Status(msgspec.Struct):
    code: int = 0
    message: str = ""
    details: list[Any] = msgspec.field(default_factory=list)


_STATUS_DECODER = msgspec.json.Decoder(_Status | None)


@dataclass(frozen=True)
class ErrorBody:
    code: int
    message: str
    details: list[Any]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"


def parse_error_body(status: int, content_type: str, body: bytes) -> ErrorBody:
    """A google.rpc.Status body, or a readable stand-in for empty, null or HTML bodies."""
    stripped = body.strip()
    if not stripped:
        return ErrorBody(0, f"{_reason(status)} (empty body)", [])
    try:
        parsed = _STATUS_DECODER.decode(stripped)
    except (msgspec.DecodeError, msgspec.ValidationError):
        parsed = None
        if "html" in content_type or stripped[:1] == b"<":
            title = _TITLE.search(stripped)
            text = html.unescape(title.group(1).decode("utf-8", "replace")).strip() if title else ""
            hint = f": {text[:_MAX_SNIPPET]}" if text else ""
            return ErrorBody(0, f"{_reason(status)} (HTML body{hint})", [])
        snippet = stripped[:_MAX_SNIPPET].decode("utf-8", "replace")
        return ErrorBody(0, f"{_reason(status)} (unreadable body: {snippet!r})", [])
    if parsed is None:
        return ErrorBody(0, f"{_reason(status)} (null body)", [])
    return ErrorBody(parsed.code, parsed.message or _reason(status), parsed.details)


def request_id(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def error_from_response(
    response: RawResponse, *, retry_after: float | None = None
) -> APIStatusError:
    """The typed exception for an error response."""
    parsed = parse_error_body(
        response.status, response.headers.get("content-type", ""), response.body
    )
    common: dict[str, Any] = {
        "status": response.status,
        "code": parsed.code,
        "details": parsed.details,
        "method": response.method,
        "path": response.path,
        "request_id": request_id(response.headers),
    }
    if response.status == 429 or parsed.code == 8:
        return RateLimitedError(parsed.message, retry_after=retry_after, **common)
    return status_error_class(response.status)(parsed.message, **common)


def decode_response(type_: type[T], response: RawResponse) -> T:
    """Decode a success body into ``type_`` or raise :class:`ResponseDecodeError`."""
    body = response.body
    if not body.strip():
        body = b"{}"  # an empty success body: the empty message
    try:
        return decode(type_, body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        name = getattr(type_, "__name__", str(type_))
        raise ResponseDecodeError(
            f"response is not a valid {name}: {exc}",
            status=response.status,
            method=response.method,
            path=response.path,
        ) from None
