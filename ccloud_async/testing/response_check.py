"""Checks the emulator's own 200 responses against the snapshot's response schemas.

Turned on by ``FakeCloud(validate_responses=True)``. It needs ``jsonschema`` and
``referencing`` (test dependencies, not runtime ones), imported on first use.

Two documented quirks of the published spec are tolerated, nothing else:

* a ``required`` name that is not a declared property (e.g. the ``Cluster`` schema
  requires ``is_customer_cloud_account`` but never declares it) is not required;
* ``Cluster.operation_status`` may be ``CLUSTER_STATUS_UNSPECIFIED``, which the API
  sends although the published ``ClusterStatus.Type`` enum lacks it.
"""

from __future__ import annotations

import copy
import functools
import importlib
from typing import Any

from .spec import load_spec

__all__ = ["ResponseCheckUnavailable", "ResponseChecker", "jsonschema_available"]

# Values the API really sends outside a published enum, by component schema name.
_EXTRA_ENUM_VALUES = {"ClusterStatus.Type": ("CLUSTER_STATUS_UNSPECIFIED",)}
_BASE = "urn:ccloud-spec"


class ResponseCheckUnavailable(RuntimeError):
    """``validate_responses=True`` without jsonschema/referencing installed."""


def jsonschema_available() -> bool:
    try:
        _import_validation()
    except ImportError:
        return False
    return True


def _import_validation() -> tuple[Any, Any, Any]:
    # Imported by name: they are optional, and typed as Any (jsonschema has no stubs).
    jsonschema = importlib.import_module("jsonschema")
    referencing = importlib.import_module("referencing")
    drafts = importlib.import_module("referencing.jsonschema")
    return jsonschema, referencing, drafts


def _tolerant_spec() -> dict[str, Any]:
    spec = copy.deepcopy(load_spec())
    schemas = spec["components"]["schemas"]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            required = node.get("required")
            if isinstance(props, dict) and isinstance(required, list):
                node["required"] = [name for name in required if name in props]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schemas)
    for name, extra in _EXTRA_ENUM_VALUES.items():
        schemas[name]["enum"] = [*schemas[name]["enum"], *extra]
    return spec


class ResponseChecker:
    """One validator per operationId, built lazily from the snapshot.

    The tolerant copy of the spec and the validators are shared by every checker of the
    process (they are read-only), so a FakeCloud per test stays cheap.
    """

    def __init__(self) -> None:
        try:
            self._jsonschema, self._registry, self._schemas = _compiled()
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ResponseCheckUnavailable(
                "FakeCloud(validate_responses=True) needs jsonschema and referencing "
                "(pip install jsonschema, or the package's [test] extra)"
            ) from exc
        self._validators = _VALIDATORS

    def _validator(self, operation_id: str) -> Any:
        validator = self._validators.get(operation_id)
        if validator is None:
            schema = self._schemas.get(operation_id)
            if schema is None:
                return None
            if "$ref" in schema:
                schema = {"$ref": _BASE + schema["$ref"]}
            validator = self._jsonschema.Draft7Validator(
                schema,
                registry=self._registry,
                format_checker=self._jsonschema.FormatChecker(),
            )
            self._validators[operation_id] = validator
        return validator

    def problem(self, operation_id: str, body: Any) -> str | None:
        """``"<path>: <problem>"`` for the most relevant error, or None if ``body`` is valid."""
        validator = self._validator(operation_id)
        if validator is None:
            return None
        error = self._jsonschema.exceptions.best_match(validator.iter_errors(body))
        if error is None:
            return None
        path = "$" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path
        )
        return f"{path}: {error.message}"


_VALIDATORS: dict[str, Any] = {}


@functools.cache
def _compiled() -> tuple[Any, Any, dict[str, Any]]:
    """(the jsonschema module, a registry holding the tolerant spec, 200 schemas by id)."""
    jsonschema, referencing, drafts = _import_validation()
    spec = _tolerant_spec()
    registry = referencing.Registry().with_resource(
        _BASE, referencing.Resource(contents=spec, specification=drafts.DRAFT7)
    )
    schemas: dict[str, Any] = {}
    for operations in spec["paths"].values():
        for op in operations.values():
            if isinstance(op, dict) and "operationId" in op:
                content = op.get("responses", {}).get("200", {}).get("content", {})
                schema = content.get("application/json", {}).get("schema")
                if schema is not None:
                    schemas[op["operationId"]] = schema
    return jsonschema, registry, schemas
