"""Checks for request fields; every failure is a 400 whose message starts with the field.

:func:`body` checks a whole request body against its schema in the spec snapshot (it is
what ``Call.body()`` runs); the other checks are for query parameters and for the rules
a schema cannot say. ``None`` stands for both "absent" and JSON ``null``: protobuf JSON
treats them alike.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from typing import Any

from .common import parse_time
from .errors import ApiError, invalid
from .spec import load_spec

__all__ = [
    "body",
    "boolean",
    "enum",
    "int32",
    "int64",
    "non_empty",
    "parse_bool",
    "request_schema",
    "string",
]

_INT = re.compile(r"[+-]?[0-9]+")
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def _fail(path: str, problem: str) -> ApiError:
    return invalid(f"{path}: {problem}" if path else problem)


def string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, "must be a string")
    return value


def non_empty(value: str, path: str, *, strip: bool = False) -> str:
    """``value`` unless it is empty (or, with ``strip``, only whitespace)."""
    if not (value.strip() if strip else value):
        raise _fail(path, "must not be empty")
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


# --- one schema-walking validator for every request body ----------------------------


@cache
def request_schema(operation_id: str) -> dict[str, Any] | None:
    """The JSON request body schema the snapshot gives ``operation_id``, if any."""
    for operations in load_spec()["paths"].values():
        for op in operations.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                content = op.get("requestBody", {}).get("content", {})
                schema: dict[str, Any] | None = content.get("application/json", {}).get("schema")
                return schema
    raise KeyError(operation_id)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = load_spec()["components"]["schemas"][name]
    return schema


def body(value: Any, schema: dict[str, Any], path: str = "") -> Any:
    """Check ``value`` against an OpenAPI schema of the snapshot; return it without nulls.

    Unknown fields, wrong JSON types, missing required fields and values outside an
    enum fail with a 400 naming the field. Integers come back as ``int`` whether they
    arrived as numbers or (int64) strings; date-times are checked, not converted.
    """
    schema = _resolve(schema)
    if "enum" in schema:
        return enum(value, path or "request body", tuple(schema["enum"]))
    kind = schema.get("type", "object")
    if kind == "object":
        if not isinstance(value, dict):
            raise _fail(path or "request body", "must be a JSON object")
        props: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        out: dict[str, Any] = {}
        for name, item in value.items():
            sub = f"{path}.{name}" if path else name
            field = props.get(name, extra if isinstance(extra, dict) else None)
            if field is None:
                if props or extra is not None:
                    raise _fail(sub, "unknown field")
                field = {}  # a free-form object (google.protobuf.Struct)
            if item is not None:
                out[name] = body(item, field, sub) if field else item
        for name in schema.get("required", ()):
            if name in props and name not in out:
                raise _fail(f"{path}.{name}" if path else name, "is required")
        return out
    if kind == "array":
        if not isinstance(value, list):
            raise _fail(path, "must be a JSON array")
        items = schema.get("items", {})
        return [body(item, items, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "string":
        if schema.get("format") == "int64":  # how the snapshot spells protobuf's int64
            return int64(value, path)
        if schema.get("format") == "date-time":
            parse_time(value, path)
        return string(value, path)
    if kind == "boolean":
        return boolean(value, path)
    if kind == "integer":
        if schema.get("format") == "int64":
            return int64(value, path)
        return int32(value, path)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(path, f"must be a number (got {value!r})")
        return value
    return value
