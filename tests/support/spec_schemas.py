"""Validators for the snapshot's 200 response schemas, keyed by operationId.

Shared by the emulator tests that check wire shapes against ``openapi.json``.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from ccloud_async.testing.spec import load_spec

__all__ = ["VALIDATORS", "check_component", "response_validators"]


def response_validators() -> dict[str, jsonschema.Draft7Validator]:
    spec = load_spec()
    registry: Registry[Any] = Registry().with_resource(
        "urn:spec", Resource(contents=spec, specification=DRAFT7)
    )
    out = {}
    for operations in spec["paths"].values():
        for op in operations.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            if "$ref" in schema:
                schema = {"$ref": "urn:spec" + schema["$ref"]}
            out[op["operationId"]] = jsonschema.Draft7Validator(
                schema,
                registry=registry,
                format_checker=jsonschema.FormatChecker(),
            )
    return out


VALIDATORS = response_validators()


def _lenient_spec() -> dict[str, Any]:
    # Some required lists name fields that are not properties (GetPersonUsersByEmailResponse
    # requires "users" but declares "user"); the server sends what the properties say.
    spec = copy.deepcopy(load_spec())
    for schema in spec["components"]["schemas"].values():
        if "required" in schema:
            schema["required"] = [
                n for n in schema["required"] if n in schema.get("properties", {})
            ]
    return spec


_LENIENT: Registry[Any] = Registry().with_resource(
    "urn:spec", Resource(contents=_lenient_spec(), specification=DRAFT7)
)


def check_component(name: str, body: Any) -> Any:
    """Validate ``body`` against the snapshot's component schema ``name``; return it.

    Required fields that the schema does not declare as properties are not required.
    """
    ref = {"$ref": f"urn:spec#/components/schemas/{name}"}
    jsonschema.Draft7Validator(ref, registry=_LENIENT).validate(body)
    return body
