"""Validators for the snapshot's 200 response schemas, keyed by operationId.

Shared by the emulator tests that check wire shapes against ``openapi.json``.
"""

from __future__ import annotations

from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from ccloud_async.testing.spec import load_spec

__all__ = ["VALIDATORS", "response_validators"]


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
