"""Building requests, with no I/O: paths, query strings and JSON bodies."""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import quote

import msgspec

from .errors import ValidationError
from .models._base import check_fields, convert, encode

__all__ = ["build_body", "build_query", "expand_path", "rfc3339"]

T = TypeVar("T")

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
    """JSON for a request body given as a whole (``body=``) or as keyword fields.

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
    return encode(value)
