"""What the SCIM 2.0 areas (``scim_users``, ``scim_groups``, ``scim_discovery``) share.

SCIM (``/api/scim/v2``) has its own list shape (1-based ``startIndex`` and ``count``, at
most 100, in a ListResponse), its own attribute projection (``attributes`` /
``excludedAttributes`` on top-level attributes) and filters of the form
``<attr> eq "<value>"``; errors still use the API's Status body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .. import validation as v
from ..call import Call
from ..errors import invalid

__all__ = [
    "BASE",
    "GROUP",
    "LIST",
    "MAX_RESULTS",
    "PATCH_OP",
    "RESOURCE_TYPE",
    "SERVICE_PROVIDER",
    "USER",
    "list_response",
    "location",
    "op_name",
    "parse_filter",
    "project",
    "require_schema",
]

BASE = "/api/scim/v2"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SERVICE_PROVIDER = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
MAX_RESULTS = 100

_FILTER_RE = re.compile(r'\s*([A-Za-z][A-Za-z0-9.]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*', re.IGNORECASE)


def location(call: Call, kind: str, object_id: str) -> str:
    return f"{call.request.url.origin()}{BASE}/{kind}/{object_id}"


def project(
    resource: dict[str, Any], params: Mapping[str, Any], required: Iterable[str] = ()
) -> dict[str, Any]:
    """Apply ``attributes`` / ``excludedAttributes`` (top-level names, any case).

    ``id``, ``schemas`` and the attributes the resource's schema requires (``required``)
    are always returned, as SCIM has it.
    """

    def names(raw: Any, path: str) -> set[str]:
        text = v.string(raw, path) if raw is not None else ""
        return {n.strip().split(".")[0].lower() for n in text.split(",") if n.strip()}

    keep = names(params.get("attributes"), "attributes")
    drop = names(params.get("excludedAttributes"), "excludedAttributes")
    always = {"id", "schemas", *(name.lower() for name in required)}
    return {
        k: val
        for k, val in resource.items()
        if k.lower() in always or ((not keep or k.lower() in keep) and k.lower() not in drop)
    }


def parse_filter(raw: Any, allowed: tuple[str, ...]) -> tuple[str, str] | None:
    if raw is None or raw == "":
        return None
    text = v.string(raw, "filter")
    match = _FILTER_RE.fullmatch(text)
    if match is None or match.group(1).lower() not in allowed:
        raise invalid(f'filter: unsupported filter {text!r}; use <attribute> eq "<value>"')
    return match.group(1).lower(), match.group(2).replace('\\"', '"')


def list_response(
    items: list[dict[str, Any]], params: Mapping[str, Any], render: Callable[[Any], Any]
) -> dict[str, Any]:
    start = 1
    if params.get("startIndex") is not None:
        start = max(1, v.int32(params["startIndex"], "startIndex"))
    count = MAX_RESULTS
    if params.get("count") is not None:
        count = min(max(0, v.int32(params["count"], "count")), MAX_RESULTS)
    page = items[start - 1 : start - 1 + count]
    return {
        "schemas": [LIST],
        "totalResults": len(items),
        "itemsPerPage": len(page),
        "startIndex": start,
        "Resources": [project(render(item), params) for item in page],
    }


def require_schema(body: Mapping[str, Any], urn: str, path: str = "schemas") -> None:
    if urn not in body.get("schemas", []):
        raise invalid(f"{path}: must include {urn}")


def op_name(op: Mapping[str, Any], i: int) -> str:
    name = str(op["op"]).lower()
    if name not in ("add", "replace", "remove"):
        raise invalid(f"Operations[{i}].op: must be add, replace or remove (got {op['op']!r})")
    return name
