"""SCIM discovery: ServiceProviderConfig, ResourceTypes and Schemas, as an identity
provider reads them before provisioning. Fixed documents; only ``meta.location``
follows the URL the emulator is reached at.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..call import Call
from ..common import not_found, ok
from ._base import Area, handles
from .scim_common import (
    BASE,
    GROUP,
    MAX_RESULTS,
    RESOURCE_TYPE,
    SERVICE_PROVIDER,
    USER,
    list_response,
    location,
    project,
)

__all__ = ["ScimDiscovery"]


def _attr(
    name: str,
    kind: str = "string",
    *,
    required: bool = False,
    multi: bool = False,
    mutability: str = "readWrite",
    uniqueness: str = "none",
    sub: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    attr: dict[str, Any] = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": f"The {name} attribute.",
        "required": required,
        "caseExact": False,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": uniqueness,
    }
    if sub is not None:
        attr["subAttributes"] = sub
    return attr


def _schemas() -> list[dict[str, Any]]:
    email_sub = [_attr("value", required=True), _attr("type"), _attr("primary", "boolean")]
    user_attrs = [
        _attr("userName", required=True, uniqueness="server"),
        _attr("name", "complex", sub=[_attr("givenName"), _attr("familyName")]),
        _attr("displayName"),
        _attr("active", "boolean"),
        _attr("externalId"),
        _attr("emails", "complex", required=True, multi=True, sub=email_sub),
        _attr(
            "groups",
            "complex",
            multi=True,
            mutability="readOnly",
            sub=[_attr("value", mutability="readOnly"), _attr("display", mutability="readOnly")],
        ),
    ]
    group_attrs = [
        _attr("displayName", required=True, uniqueness="server"),
        _attr("externalId"),
        _attr("members", "complex", multi=True, sub=[_attr("value"), _attr("display")]),
    ]
    return [
        {"id": USER, "name": "User", "description": "User Account", "attributes": user_attrs},
        {"id": GROUP, "name": "Group", "description": "Group", "attributes": group_attrs},
    ]


# Built once; handlers answer copies (``_schema``) and never change these.
_SCHEMAS: tuple[dict[str, Any], ...] = tuple(_schemas())

_RESOURCE_TYPES = (
    ("User", "/Users", USER, "User Account"),
    ("Group", "/Groups", GROUP, "Group"),
)


def _resource_type(call: Call, name: str, endpoint: str, urn: str, text: str) -> dict[str, Any]:
    return {
        "schemas": [RESOURCE_TYPE],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": text,
        "schema": urn,
        "meta": {
            "resourceType": "ResourceType",
            "location": location(call, "ResourceTypes", name),
        },
    }


def _schema(call: Call, found: dict[str, Any]) -> dict[str, Any]:
    meta = {"resourceType": "Schema", "location": location(call, "Schemas", found["id"])}
    return {**found, "meta": meta}


class ScimDiscovery(Area):
    @handles("CockroachCloud_GetServiceProviderConfig")
    async def service_provider_config(self, call: Call) -> web.StreamResponse:
        return ok(
            {
                "schemas": [SERVICE_PROVIDER],
                "documentationUri": "https://www.cockroachlabs.com/docs/cockroachcloud/configure-scim-provisioning",
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": MAX_RESULTS},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {
                        "type": "oauthbearertoken",
                        "name": "OAuth Bearer Token",
                        "description": "Authentication with a CockroachDB Cloud API key",
                        "specUri": "https://www.rfc-editor.org/info/rfc6750",
                        "primary": True,
                    }
                ],
                "meta": {
                    "resourceType": "ServiceProviderConfig",
                    "location": f"{call.request.url.origin()}{BASE}/ServiceProviderConfig",
                },
            }
        )

    @handles("CockroachCloud_GetResourceTypes")
    async def resource_types(self, call: Call) -> web.StreamResponse:
        types = [_resource_type(call, *t) for t in _RESOURCE_TYPES]
        return ok(list_response(types, call.request.query, lambda t: t))

    @handles("CockroachCloud_GetResourceType")
    async def resource_type(self, call: Call) -> web.StreamResponse:
        for t in _RESOURCE_TYPES:
            if t[0] == call.params["resourceId"]:
                return ok(
                    project(
                        _resource_type(call, *t), call.request.query, ("name", "endpoint", "schema")
                    )
                )
        raise not_found("resource type")

    @handles("CockroachCloud_GetSchemas")
    async def schemas(self, call: Call) -> web.StreamResponse:
        found = [_schema(call, s) for s in _SCHEMAS]
        return ok(list_response(found, call.request.query, lambda s: s))

    @handles("CockroachCloud_GetSchema")
    async def schema(self, call: Call) -> web.StreamResponse:
        for s in _SCHEMAS:
            if s["id"] == call.params["schemaId"]:
                return ok(project(_schema(call, s), call.request.query))
        raise not_found("schema")
