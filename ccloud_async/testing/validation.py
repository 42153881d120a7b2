"""Checks for request fields; every failure is a 400 whose message starts with the field.

``None`` stands for both "absent" and JSON ``null``: protobuf JSON treats them alike.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from .errors import ApiError, invalid
from .spec import schema_fields

__all__ = [
    "boolean",
    "enum",
    "int32",
    "int64",
    "message",
    "parse_bool",
    "required",
    "string",
    "string_map",
]

_INT = re.compile(r"[+-]?[0-9]+")
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def _fail(path: str, problem: str) -> ApiError:
    return invalid(f"{path}: {problem}" if path else problem)


def message(value: Any, path: str, schema: str) -> dict[str, Any]:
    """A JSON object holding only fields the snapshot's ``schema`` declares."""
    if not isinstance(value, dict):
        raise _fail(path or "request body", "must be a JSON object")
    known = schema_fields(schema)
    for name in value:
        if name not in known:
            raise _fail(f"{path}.{name}" if path else name, "unknown field")
    return {k: v for k, v in value.items() if v is not None}


def required(obj: dict[str, Any], name: str, prefix: str = "") -> Any:
    value = obj.get(name)
    if value is None:
        raise _fail(f"{prefix}.{name}" if prefix else name, "is required")
    return value


def string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, "must be a string")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "must be true or false")
    return value


def enum(value: Any, path: str, allowed: Collection[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise _fail(path, f"must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _integer(value: Any, path: str, bounds: tuple[int, int], what: str) -> int:
    # Protobuf JSON accepts a number or a decimal string for every integer type.
    if isinstance(value, bool):
        raise _fail(path, f"must be {what}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INT.fullmatch(value):
        number = int(value)
    else:
        raise _fail(path, f"must be {what} (got {value!r})")
    if not bounds[0] <= number <= bounds[1]:
        raise _fail(path, f"out of range for {what}")
    return number


def int32(value: Any, path: str, minimum: int | None = None) -> int:
    number = _integer(value, path, _INT32, "an int32")
    if minimum is not None and number < minimum:
        raise _fail(path, f"must be at least {minimum}")
    return number


def int64(value: Any, path: str, minimum: int | None = None) -> int:
    """An int64 field; on the wire it is a string of digits."""
    number = _integer(value, path, _INT64, "an integer string (int64)")
    if minimum is not None and number < minimum:
        raise _fail(path, f"must be at least {minimum}")
    return number


def string_map(value: Any, path: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(path, "must be an object of string values")
    return dict(value)


_TRUE = frozenset({"1", "t", "T", "true", "TRUE", "True"})
_FALSE = frozenset({"0", "f", "F", "false", "FALSE", "False"})


def parse_bool(value: str | None, path: str, default: bool = False) -> bool:
    """A boolean query parameter, spelled as Go's strconv.ParseBool accepts."""
    if value is None:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _fail(path, f"must be true or false (got {value!r})")
