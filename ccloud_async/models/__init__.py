"""Typed models of the CockroachDB Cloud API (msgspec Structs and open enums).

Every schema of the spec is a class here (``Cluster``, ``ClusterState``, ...); the
runtime helpers come from :mod:`._base` and the classes from the generated
:mod:`._generated`, whose own ``__all__`` lists them.
"""

from . import _generated
from ._base import (
    UNSET,
    Int32,
    Int64,
    Model,
    OpenEnum,
    UnsetType,
    convert,
    decode,
    encode,
    int64_fields,
    to_builtins,
)
from ._generated import *  # noqa: F403  (names listed in _generated.__all__)

__all__ = [
    "UNSET",
    "Int32",
    "Int64",
    "Model",
    "OpenEnum",
    "UnsetType",
    "convert",
    "decode",
    "encode",
    "int64_fields",
    "to_builtins",
]
__all__ += _generated.__all__
