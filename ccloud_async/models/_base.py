"""Runtime pieces the generated models stand on.

* :class:`Model` — the base Struct: keyword-only, unknown fields ignored, secrets
  masked in ``repr``. Models the server sends read an absent or null field as ``None``;
  request bodies keep "not given" (``UNSET``, left out of the JSON) apart from ``None``
  (sent as null).
* :class:`OpenEnum` — a ``str`` enum that accepts values it does not know yet (the API
  adds enum values over time); an unknown value keeps its raw text and re-encodes as is.
* :data:`Int64` — int64 fields travel as JSON strings (``"2"``); on our side they are
  ``int``.
* :func:`decode`, :func:`encode`, :func:`convert` — one cached msgspec decoder per type.
"""

from __future__ import annotations

import enum
import re
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeAlias, TypeVar, cast

import msgspec

from ..errors import ValidationError

__all__ = [
    "UNSET",
    "Int32",
    "Int64",
    "Model",
    "OpenEnum",
    "UnsetType",
    "check_fields",
    "convert",
    "decode",
    "encode",
    "int64_fields",
    "secret_values",
    "to_builtins",
    "without_absent",
]

UNSET = msgspec.UNSET
UnsetType = msgspec.UnsetType

T = TypeVar("T")

_MASK = "'***'"


class Model(msgspec.Struct, kw_only=True, repr_omit_defaults=True, gc=False):
    """Base of every API model.

    ``gc=False``: models are plain data and never part of a reference cycle, so the
    garbage collector need not track (and keep re-scanning) the thousands of them a
    large page decodes into.
    """

    # Field names whose values are secrets: masked in repr, never logged.
    __secret_fields__: ClassVar[frozenset[str]] = frozenset()
    # JSON names a request body must carry although decoding gives them a default.
    __required_fields__: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        parts = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if value is UNSET or value is None:  # not given, or not sent
                continue
            shown = _MASK if name in self.__secret_fields__ else repr(value)
            parts.append(f"{name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __rich_repr__(self) -> Any:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if value is not UNSET and value is not None:
                yield name, ("***" if name in self.__secret_fields__ else value)


# Unknown enum values seen so far, by (enum class, value); bounded against a server
# that sends ever-new values.
_UNKNOWN_MEMBERS: dict[tuple[type, object], Any] = {}
_UNKNOWN_MEMBERS_MAX = 1024


class OpenEnum(str, enum.Enum):
    """A string enum that also holds values unknown when the SDK was generated."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        # One member per unknown value, made once: a page of 1,000 clusters that all
        # carry the same unknown value would otherwise build 1,000 members.
        try:
            return _UNKNOWN_MEMBERS[cls, value]
        except (KeyError, TypeError):  # TypeError: an unhashable value
            pass
        if not isinstance(value, str):
            return None
        key = (cls, value)
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        if len(_UNKNOWN_MEMBERS) < _UNKNOWN_MEMBERS_MAX:
            _UNKNOWN_MEMBERS[key] = member
        return member

    def __str__(self) -> str:
        return str(self.value)

    @property
    def is_known(self) -> bool:
        """False for a value this version of the SDK does not know."""
        return self._name_ in type(self).__members__


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INT64_TEXT = re.compile(r"-?[0-9]{1,19}")  # ASCII digits only: no " 12 ", "1_000", "١٢"

# An int32 field: msgspec refuses a value outside the range, in and out.
Int32: TypeAlias = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]

if TYPE_CHECKING:
    Int64 = int
else:

    class Int64(int):
        """An int that travels as a JSON string, as the API sends int64 values."""

        __slots__ = ()

        def __repr__(self) -> str:
            return int.__repr__(self)


def _dec_hook(type_: type, obj: Any) -> Any:
    if type_ is Int64:
        if isinstance(obj, str):
            if not _INT64_TEXT.fullmatch(obj):
                raise ValidationError(f"expected an int64 string, got {obj!r}")
            value = int(obj)
        elif isinstance(obj, int) and not isinstance(obj, bool):
            value = obj
        else:
            raise ValidationError(f"expected an int64, got {type(obj).__name__}")
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValidationError(f"{obj!r} is outside the int64 range")
        return Int64(value)
    raise NotImplementedError(f"no decoder for {type_!r}")


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, Int64):
        return str(int(obj))
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


_ENCODER = msgspec.json.Encoder(enc_hook=_enc_hook)


@cache
def _decoder(type_: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(type_, dec_hook=_dec_hook)


def decode(type_: type[T], data: bytes) -> T:
    """Decode JSON ``data`` into ``type_``; raises ``msgspec.DecodeError`` on mismatch."""
    decoder: msgspec.json.Decoder[T] = _decoder(cast(Any, type_))
    return decoder.decode(data)


def int64_fields(model: Model, names: tuple[str, ...]) -> None:
    """Make plain ints set by the caller travel as strings too (call from ``__post_init__``)."""
    for name in names:
        value = getattr(model, name)
        if type(value) is int:
            if not INT64_MIN <= value <= INT64_MAX:
                raise ValidationError(f"{name}: {value} is outside the int64 range")
            setattr(model, name, Int64(value))


def encode(obj: Any) -> bytes:
    """Encode a model (or plain data) as JSON, int64 values as strings.

    A None that reads "absent" (see :func:`without_absent`) is left out, so a model the
    server sent encodes back to what it sent, and a request carries only what was given.
    """
    return _ENCODER.encode(without_absent(obj))


@cache
def _absent_when_none(cls: type) -> frozenset[str]:
    """Fields of ``cls`` whose default is None: on a model the server also sends, None
    stands for "not given" (it is how an absent field reads)."""
    info = _struct_info(cls)
    if info is None:
        return frozenset()
    return frozenset(f.name for f in info.fields if f.default is None)


def without_absent(obj: Any) -> Any:
    """``obj`` with each None that means "absent" turned into UNSET, so it is left out of
    the JSON rather than written as null. Request-only models keep their explicit nulls:
    their "not given" is already UNSET."""
    if isinstance(obj, msgspec.Struct):
        absent = _absent_when_none(type(obj))
        changes: dict[str, Any] = {}
        for name in obj.__struct_fields__:
            value = getattr(obj, name)
            if value is None and name in absent:
                changes[name] = UNSET
            else:
                ready = without_absent(value)
                if ready is not value:
                    changes[name] = ready
        return msgspec.structs.replace(obj, **changes) if changes else obj
    if isinstance(obj, list):
        items = [without_absent(item) for item in obj]
        return items if any(a is not b for a, b in zip(items, obj, strict=True)) else obj
    if isinstance(obj, dict):
        ready = {key: without_absent(value) for key, value in obj.items()}
        return ready if any(ready[k] is not obj[k] for k in obj) else obj
    return obj


def to_builtins(obj: Any) -> Any:
    """Models to plain dicts/lists, as they go on the wire (absent fields left out)."""
    return msgspec.to_builtins(without_absent(obj), enc_hook=_enc_hook)


@cache
def _struct_info(type_: Any) -> msgspec.inspect.StructType | None:
    info = msgspec.inspect.type_info(type_)
    return info if isinstance(info, msgspec.inspect.StructType) else None


def _nested_structs(info: msgspec.inspect.Type) -> list[msgspec.inspect.StructType]:
    if isinstance(info, msgspec.inspect.StructType):
        return [info]
    if isinstance(info, msgspec.inspect.UnionType):
        return [s for t in info.types for s in _nested_structs(t)]
    return []


def _check(info: msgspec.inspect.StructType, value: Any, path: str) -> None:
    if isinstance(value, msgspec.Struct) or not isinstance(value, dict):
        return
    by_name = {f.encode_name: f for f in info.fields}
    by_name.update({f.name: f for f in info.fields})
    required: frozenset[str] = getattr(info.cls, "__required_fields__", frozenset())
    attr_of = {f.encode_name: f.name for f in info.fields}
    for wire in sorted(required):
        if wire not in value and attr_of.get(wire) not in value:
            raise ValidationError(f"missing required field {path}{wire!r} for {info.cls.__name__}")
    for key, item in value.items():
        field = by_name.get(key)
        if field is None:
            known = ", ".join(sorted(f.encode_name for f in info.fields))
            raise ValidationError(
                f"unknown field {path}{key!r} for {info.cls.__name__} (known fields: {known})"
            )
        inner = field.type
        if isinstance(inner, msgspec.inspect.UnionType):
            structs = _nested_structs(inner)
            lists = [t for t in inner.types if isinstance(t, msgspec.inspect.ListType)]
            inner = structs[0] if len(structs) == 1 else (lists[0] if lists else inner)
        if isinstance(inner, msgspec.inspect.StructType):
            _check(inner, item, f"{path}{key}.")
        elif isinstance(inner, msgspec.inspect.ListType) and isinstance(item, list):
            element = _nested_structs(inner.item_type)
            if len(element) == 1:
                for index, entry in enumerate(item):
                    _check(element[0], entry, f"{path}{key}[{index}].")


def secret_values(obj: Any) -> tuple[str, ...]:
    """The values of every secret field (``__secret_fields__``) in a model tree."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, Model):
            for name in value.__struct_fields__:
                item = getattr(value, name)
                if name in value.__secret_fields__ and isinstance(item, str) and item:
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(obj)
    return tuple(found)


def check_fields(type_: Any, value: Any) -> None:
    """Reject keys that are not fields of ``type_`` (nested too): a typo must not vanish.

    msgspec ignores unknown keys, which is right for responses and wrong for what a
    caller asks us to send.
    """
    info = _struct_info(type_)
    if info is not None:
        _check(info, value, "")


def convert(type_: type[T], value: Any) -> T:
    """Turn dicts, lists and Structs into ``type_``; ``msgspec.ValidationError`` names the field."""
    if isinstance(value, msgspec.Struct):
        if isinstance(value, type_):
            return value
        value = to_builtins(value)
    result: T = msgspec.convert(value, type_, dec_hook=_dec_hook, str_keys=True)
    return result
