"""What goes on the wire and what comes back, with no I/O.

A method call becomes one frozen :class:`Request` (path filled in and percent-encoded,
query pairs, JSON body, per-call options) before anything is sent; the engine sends it,
retries included, and hands back a :class:`RawResponse`. Reading a response happens
here too: an error body is parsed once into an :class:`ErrorBody`, which both the retry
decision and the exception use; a success body is decoded into its model.
"""

from __future__ import annotations

import datetime
import enum
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any, TypeVar, cast
from urllib.parse import quote

import msgspec

from ..errors import (
    APIStatusError,
    RateLimitedError,
    ResponseDecodeError,
    ValidationError,
    status_error_class,
)
from ..models._base import check_fields, convert, decode, encode, secret_values, to_builtins

__all__ = [
    "CallOptions",
    "ErrorBody",
    "RawResponse",
    "Request",
    "build_body",
    "build_payload",
    "build_query",
    "decode_response",
    "error_for",
    "error_from_response",
    "expand_path",
    "extra_header_pairs",
    "is_empty_message",
    "is_rate_limited",
    "parse_error_body",
    "request_id",
    "rfc3339",
    "scrub",
]

T = TypeVar("T")

RATE_LIMIT_CODE = 8  # google.rpc RESOURCE_EXHAUSTED, which the API sends with its 429s


# --- the request ----------------------------------------------------------------------


# Frozen msgspec Structs rather than frozen dataclasses: one of each is made per call,
# and a Struct is built in a fraction of the time (measured in benchmarks/overhead.py).
class CallOptions(msgspec.Struct, frozen=True, gc=False):
    """Per-call settings; None means "the client's"."""

    timeout: float | None = None
    max_retries: int | None = None
    retry_unsafe: bool | None = None
    lock_wait: float | None = None


_NO_OPTIONS = CallOptions()


class Request(msgspec.Struct, frozen=True, gc=False):
    """One logical request, built once; every attempt sends exactly this.

    ``resend_safe`` says whether an attempt that may have reached the server can be sent
    again (the operation is idempotent, or carries an idempotency key); it comes from
    the operation table, where it is decided.
    """

    method: str
    template: str  # the spec's path template, e.g. "/api/v1/clusters/{cluster_id}"
    path: str  # the template filled in, percent-encoded
    query: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    resend_safe: bool = False
    options: CallOptions = _NO_OPTIONS
    operation_id: str | None = None
    # What the success body decodes into (None: left raw). Decoding is part of an
    # attempt: a garbled body of a safe request is retried like a lost answer.
    response_type: type[Any] | None = None
    # Values of the request's secret fields, scrubbed from any error text we quote.
    secrets: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # extra headers, on top of the client's


def build_request(
    method: str,
    template: str,
    *,
    path_params: Mapping[str, object] | None = None,
    query: Mapping[str, object] | None = None,
    body: bytes | None = None,
    resend_safe: bool,
    options: CallOptions = _NO_OPTIONS,
    operation_id: str | None = None,
    response_type: type[Any] | None = None,
    secrets: tuple[str, ...] = (),
    headers: tuple[tuple[str, str], ...] = (),
) -> Request:
    """A :class:`Request`; bad path or query values raise ``ValidationError``."""
    return Request(
        method.upper(),
        template,
        expand_path(template, path_params or {}),
        tuple(build_query(query)) if query else (),
        body,
        resend_safe,
        options,
        operation_id,
        response_type,
        secrets,
        headers,
    )


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")


def _segment(name: str, value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError(f"path parameter {name!r} must be a str, got {type(value).__name__}")
    text = str(value)
    if _UNRESERVED.fullmatch(text) and text not in (".", ".."):
        return text  # nothing to escape: the common case (ids), without quote()
    if not text:
        raise ValidationError(f"path parameter {name!r} must not be empty")
    # One value is one path segment: '/' and '?' are escaped, and the dot segments
    # '.' and '..' are escaped too so that no URL normalisation can climb out.
    encoded = quote(text, safe="")
    if text in (".", ".."):
        encoded = encoded.replace(".", "%2E")
    return encoded


@lru_cache(maxsize=1024)
def _template_parts(template: str) -> tuple[tuple[str, str | None], ...]:
    """``"/a/{x}/b"`` as ``(("/a/", "x"), ("/b", None))``: parsed once per template."""
    parts: list[tuple[str, str | None]] = []
    start = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append((template[start : match.start()], match.group(1)))
        start = match.end()
    parts.append((template[start:], None))
    return tuple(parts)


def expand_path(template: str, params: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders with percent-encoded single segments."""
    out: list[str] = []
    for literal, name in _template_parts(template):
        out.append(literal)
        if name is not None:
            if name not in params:
                raise ValidationError(f"missing path parameter {name!r}")
            out.append(_segment(name, params[name]))
    return "".join(out)


def rfc3339(value: datetime.datetime, name: str = "datetime") -> str:
    """A timezone-aware datetime as RFC 3339 in UTC with ``Z``."""
    if value.tzinfo is None:
        raise ValidationError(f"{name} must be timezone-aware")
    return value.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime.datetime):
        return rfc3339(value, "query datetimes")
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValidationError(f"cannot send {type(value).__name__} in a query string")


def build_query(params: Mapping[str, object]) -> list[tuple[str, str]]:
    """Query pairs in a stable order; ``None`` means "not given"; lists repeat the key."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            items: Iterable[object] = (
                sorted(value) if isinstance(value, (set, frozenset)) else value
            )
            pairs.extend((name, _query_value(item)) for item in items)
        else:
            pairs.append((name, _query_value(value)))
    return pairs


def build_body(body_type: type[T], body: object, fields: Mapping[str, Any]) -> bytes:
    """:func:`build_payload` without the secrets."""
    return build_payload(body_type, body, fields)[0]


def build_payload(
    body_type: type[T],
    body: object,
    fields: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> tuple[bytes, tuple[str, ...]]:
    """JSON for a request body given as a whole (``body=``) or as keyword fields, and
    the values of its secret fields (to keep out of any error text).

    ``extra`` is merged into the JSON object as given, past the model's field check:
    a field the API has and this SDK's snapshot does not can be sent today.

    Raises :class:`~ccloud_async.errors.ValidationError` (a ``TypeError`` and a
    ``ValueError``) naming the field for unknown, missing, mistyped or bad values, before
    anything is sent.
    """
    if body is not None and fields:
        raise ValidationError(f"pass either body= or fields of {body_type.__name__}, not both")
    value: object = body if body is not None else dict(fields)
    if not isinstance(value, body_type):
        if not isinstance(value, (Mapping, msgspec.Struct)):
            raise ValidationError(
                f"body must be a {body_type.__name__} or a mapping, got {type(value).__name__}"
            )
        check_fields(body_type, value)
        try:
            value = convert(body_type, value)
        except msgspec.ValidationError as exc:
            raise ValidationError(f"invalid {body_type.__name__}: {exc}") from None
    if not extra:
        return encode(value), secret_values(value)
    merged = to_builtins(value)
    merged.update(extra)
    return encode(merged), secret_values(value)


# Headers a keyword argument may not set: the credential travels only as configured.
_GUARDED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def extra_header_pairs(extra: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    """``extra_headers`` as pairs, refusing the credential headers and control characters."""
    if not extra:
        return ()
    pairs = []
    for name, value in extra.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValidationError("extra_headers must map header names to strings")
        if name.strip().lower() in _GUARDED_HEADERS:
            raise ValidationError(
                f"extra_headers may not set {name}: the credential is the client's api_key/jwt"
            )
        if not (name.isprintable() and value.isprintable()) or ":" in name:
            raise ValidationError(f"extra_headers: {name!r} is not a valid header")
        pairs.append((name, value))
    return tuple(pairs)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***`` (a proxy may echo the request)."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, "***")
    return text


# --- the response -----------------------------------------------------------------------


_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-cloud-trace-context")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_MAX_SNIPPET = 200


@dataclass(slots=True)  # not frozen: made once per response, on the hot path
class RawResponse:
    """A fully read response. ``headers`` is read with lower-case names: the engine
    passes aiohttp's case-insensitive mapping, tests may pass a dict of lower-case keys."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    method: str
    path: str
    value: Any = None  # the decoded body, when the request named a response type
    attempts: int = 1  # wire attempts it took, retries included
    elapsed: float = 0.0  # seconds from the first attempt's start to this answer


class _Status(msgspec.Struct):
    code: int = 0
    message: str = ""
    details: list[Any] = msgspec.field(default_factory=list)


_STATUS_DECODER = msgspec.json.Decoder(_Status | None)


@dataclass(frozen=True)
class ErrorBody:
    """A google.rpc.Status error body (or a readable stand-in), parsed once."""

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


def is_rate_limited(status: int, error: ErrorBody) -> bool:
    """A 429, or any error whose body carries code 8: the request was not processed."""
    return status == 429 or error.code == RATE_LIMIT_CODE


def error_for(
    response: RawResponse, error: ErrorBody, *, retry_after: float | None = None
) -> APIStatusError:
    """The typed exception for an error response whose body was parsed into ``error``."""
    common: dict[str, Any] = {
        "status": response.status,
        "code": error.code,
        "details": error.details,
        "method": response.method,
        "path": response.path,
        "request_id": request_id(response.headers),
    }
    if is_rate_limited(response.status, error):
        return RateLimitedError(error.message, retry_after=retry_after, **common)
    return status_error_class(response.status)(error.message, **common)


def error_from_response(
    response: RawResponse, *, retry_after: float | None = None
) -> APIStatusError:
    """:func:`error_for` for a response whose body is not parsed yet."""
    content_type = response.headers.get("content-type", "")
    error = parse_error_body(response.status, content_type, response.body)
    return error_for(response, error, retry_after=retry_after)


def is_empty_message(type_: type[Any]) -> bool:
    """An operation that answers nothing (an untyped object, or a message with no
    fields), for which an empty body is a right answer."""
    return type_ is dict or not getattr(type_, "__struct_fields__", True)


def decode_response(type_: type[T], response: RawResponse) -> T:
    """Decode a success body into ``type_`` or raise :class:`ResponseDecodeError`.

    An empty body is the empty message only where the operation answers nothing; for
    any other it is an error (``malformed``), never a model of defaults.
    """
    body = response.body
    if not body.strip():
        if type_ is Any:  # plain JSON asked for (cloud.request): nothing is None
            return cast(T, None)
        if not is_empty_message(type_):
            raise _decode_error(type_, response, "the body is empty", malformed=True)
        body = b"{}"
    try:
        return decode(type_, body)
    except msgspec.ValidationError as exc:  # JSON, but not this model
        raise _decode_error(type_, response, str(exc), malformed=False) from None
    except msgspec.DecodeError as exc:  # not JSON at all: truncated or garbled
        raise _decode_error(type_, response, str(exc), malformed=True) from None


def _decode_error(
    type_: type[Any], response: RawResponse, why: str, *, malformed: bool
) -> ResponseDecodeError:
    name = getattr(type_, "__name__", str(type_))
    return ResponseDecodeError(
        f"response is not a valid {name}: {why}",
        status=response.status,
        method=response.method,
        path=response.path,
        malformed=malformed,
    )
