"""SCIM 2.0 (``/api/scim/v2``): Users and Groups with their ``.search`` variants,
ServiceProviderConfig, ResourceTypes and Schemas.

Users and groups live on ``fake.org`` (``users``, ``groups``), shared with
persons-by-email and role grants (deleting a user drops its grants). Supported:
``filter`` of the form ``<attr> eq "<value>"`` (users: id, userName, externalId,
displayName, emails, emails.value; groups: id, displayName, externalId), 1-based
``startIndex`` and ``count`` (at most 100), ``attributes`` / ``excludedAttributes`` on
top-level attributes, PATCH ``add`` / ``replace`` / ``remove`` operations. A PATCH or
PUT is checked whole before anything changes. Errors use the API's Status body.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..common import not_found
from ..errors import ALREADY_EXISTS, ApiError, invalid, json_response
from ..validation import read_body
from .org_common import OrgState, org_state

if TYPE_CHECKING:
    from ..call import Call, Handler
    from ..server import FakeCloud

BASE = "/api/scim/v2"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SERVICE_PROVIDER = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
MAX_RESULTS = 100

_FILTER = re.compile(r'\s*([A-Za-z][A-Za-z0-9.]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*', re.IGNORECASE)
_MEMBER_PATH = re.compile(r'members\[\s*value\s+eq\s+"([^"]*)"\s*\]', re.IGNORECASE)
_USER_FILTERS = ("id", "username", "externalid", "displayname", "emails", "emails.value")
_GROUP_FILTERS = ("id", "displayname", "externalid")
_USER_FIELDS = ("userName", "name", "displayName", "emails", "active", "externalId")


# --- shared pieces -----------------------------------------------------------------


def _location(call: Call, kind: str, object_id: str) -> str:
    return f"{call.request.url.origin()}{BASE}/{kind}/{object_id}"


def _project(resource: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """Apply ``attributes`` / ``excludedAttributes`` (top-level names, any case)."""

    def names(raw: Any, path: str) -> set[str]:
        text = v.string(raw, path) if raw is not None else ""
        return {n.strip().split(".")[0].lower() for n in text.split(",") if n.strip()}

    keep = names(params.get("attributes"), "attributes")
    drop = names(params.get("excludedAttributes"), "excludedAttributes")
    always = {"id", "schemas"}
    return {
        k: val
        for k, val in resource.items()
        if k.lower() in always or ((not keep or k.lower() in keep) and k.lower() not in drop)
    }


def _filter(raw: Any, allowed: tuple[str, ...]) -> tuple[str, str] | None:
    if raw is None or raw == "":
        return None
    text = v.string(raw, "filter")
    match = _FILTER.fullmatch(text)
    if match is None or match.group(1).lower() not in allowed:
        raise invalid(f'filter: unsupported filter {text!r}; use <attribute> eq "<value>"')
    return match.group(1).lower(), match.group(2).replace('\\"', '"')


def _list_response(
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
        "Resources": [_project(render(item), params) for item in page],
    }


def _require_schema(body: Mapping[str, Any], urn: str, path: str = "schemas") -> None:
    if urn not in body.get("schemas", []):
        raise invalid(f"{path}: must include {urn}")


def _op_name(op: Mapping[str, Any], i: int) -> str:
    name = str(op["op"]).lower()
    if name not in ("add", "replace", "remove"):
        raise invalid(f"Operations[{i}].op: must be add, replace or remove (got {op['op']!r})")
    return name


# --- users ---------------------------------------------------------------------------


def _check_user_fields(state: OrgState, user: dict[str, Any], user_id: str | None) -> None:
    emails = user.get("emails") or []
    if not emails:
        raise invalid("emails: at least one email is required")
    user_name = user.get("userName") or ""
    if not user_name:
        raise invalid("userName: is required")
    for other in state.users.values():
        if other["id"] != user_id and other["userName"].lower() == user_name.lower():
            raise ApiError(409, ALREADY_EXISTS, f"userName {user_name!r} is already taken")


def _user_defaults(user: dict[str, Any]) -> None:
    emails = user.get("emails") or []
    if emails and not user.get("userName"):
        primary = next((e for e in emails if e.get("primary")), emails[0])
        user["userName"] = primary["value"]
    if not user.get("displayName") and user.get("name"):
        parts = [user["name"].get("givenName", ""), user["name"].get("familyName", "")]
        user["displayName"] = " ".join(p for p in parts if p)
    user.setdefault("active", True)


def _patch_user(user: dict[str, Any], ops: list[dict[str, Any]]) -> None:
    for i, op in enumerate(ops):
        name = _op_name(op, i)
        path = op.get("path")
        value = op.get("value")
        if not path:
            if name == "remove" or not isinstance(value, dict):
                raise invalid(f"Operations[{i}].value: must be an object when path is absent")
            for key, item in value.items():
                _set_user_attr(user, key, item, i)
            continue
        if name == "remove":
            _remove_user_attr(user, path, i)
        else:
            _set_user_attr(user, path, value, i)


def _set_user_attr(user: dict[str, Any], path: str, value: Any, i: int) -> None:
    where = f"Operations[{i}].value"
    lowered = path.lower()
    if lowered == "active":
        user["active"] = v.boolean(value, where)
    elif lowered in ("username", "displayname", "externalid"):
        field = {"username": "userName", "displayname": "displayName"}.get(lowered, "externalId")
        user[field] = v.string(value, where)
    elif lowered in ("name.givenname", "name.familyname"):
        field = "givenName" if lowered.endswith("givenname") else "familyName"
        user.setdefault("name", {})[field] = v.string(value, where)
    elif lowered == "name":
        user["name"] = v.body(value, {"$ref": "#/components/schemas/ScimName"})
    elif lowered == "emails":
        schema = {"type": "array", "items": {"$ref": "#/components/schemas/ScimEmail"}}
        v.body(value, schema, "emails")
        user["emails"] = value
    elif lowered.startswith("emails[") and lowered.endswith("].value"):
        email = v.string(value, where)
        emails = user.setdefault("emails", [])
        if emails:
            emails[0]["value"] = email
        else:
            emails.append({"value": email, "primary": True, "type": "work"})
    else:
        raise invalid(f"Operations[{i}].path: unsupported path {path!r}")


def _remove_user_attr(user: dict[str, Any], path: str, i: int) -> None:
    lowered = path.lower()
    fields = {"displayname": "displayName", "externalid": "externalId", "name": "name"}
    if lowered not in fields:
        raise invalid(f"Operations[{i}].path: cannot remove {path!r}")
    user.pop(fields[lowered], None)


# --- static resources ----------------------------------------------------------------


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


_RESOURCE_TYPES = (
    ("User", "/Users", USER, "User Account"),
    ("Group", "/Groups", GROUP, "Group"),
)


# --- handlers ------------------------------------------------------------------------


def handlers(fake: FakeCloud) -> dict[str, Handler]:
    state = org_state(fake)

    def user(user_id: str) -> dict[str, Any]:
        found = state.users.get(user_id)
        if found is None:
            raise not_found("user")
        return found

    def group(group_id: str) -> dict[str, Any]:
        found = state.groups.get(group_id)
        if found is None:
            raise not_found("group")
        return found

    def render_user(call: Call, found: dict[str, Any]) -> dict[str, Any]:
        groups = [
            {
                "value": g["id"],
                "display": g["displayName"],
                "ref": _location(call, "Groups", g["id"]),
                "type": "direct",
            }
            for g in state.groups.values()
            if any(m["value"] == found["id"] for m in g["members"])
        ]
        meta = {**found["meta"], "location": _location(call, "Users", found["id"])}
        return {**found, "groups": groups, "meta": meta}

    def render_group(call: Call, found: dict[str, Any]) -> dict[str, Any]:
        members = [
            {**m, "display": state.users[m["value"]].get("displayName") or m["value"]}
            for m in found["members"]
            if m["value"] in state.users
        ]
        meta = {**found["meta"], "location": _location(call, "Groups", found["id"])}
        return {**found, "members": members, "meta": meta}

    def members(raw: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        for i, member in enumerate(raw):
            value = member.get("value")
            if not value or value not in state.users:
                raise invalid(f"{path}[{i}].value: no user with id {value!r}")
            if all(m["value"] != value for m in result):
                result.append({"value": value, "type": "User"})
        return result

    def check_group_name(name: str, group_id: str | None) -> None:
        if not name.strip():
            raise invalid("displayName: must not be empty")
        for other in state.groups.values():
            if other["id"] != group_id and other["displayName"].lower() == name.lower():
                raise ApiError(409, ALREADY_EXISTS, f"a group named {name!r} already exists")

    # --- users -----------------------------------------------------------------

    def list_users(call: Call, params: Mapping[str, Any]) -> web.StreamResponse:
        wanted = _filter(params.get("filter"), _USER_FILTERS)
        found = list(state.users.values())
        if wanted is not None:
            attr, value = wanted

            def match(u: dict[str, Any]) -> bool:
                if attr in ("emails", "emails.value"):
                    return any(e["value"].lower() == value.lower() for e in u["emails"])
                field = {"username": "userName", "displayname": "displayName"}.get(attr, attr)
                field = "externalId" if attr == "externalid" else field
                got = str(u.get(field, ""))
                return (
                    got == value if attr in ("id", "externalid") else got.lower() == value.lower()
                )

            found = [u for u in found if match(u)]
        return json_response(_list_response(found, params, lambda u: render_user(call, u)))

    async def get_users(call: Call) -> web.StreamResponse:
        return list_users(call, call.request.query)

    async def search_users(call: Call) -> web.StreamResponse:
        return list_users(call, await read_body(call))

    async def create_user(call: Call) -> web.StreamResponse:
        body = await read_body(call)
        _require_schema(body, USER)
        user_id = str(uuid.uuid4())
        now = state.stamp(user_id)
        new = {k: copy.deepcopy(body[k]) for k in _USER_FIELDS if k in body}
        _user_defaults(new)
        _check_user_fields(state, new, None)
        new.update(
            id=user_id,
            schemas=[USER],
            meta={"resourceType": "User", "created": now, "lastModified": now},
        )
        state.users[user_id] = new
        state.audit.record("AUDIT_LOG_ACTION_CREATE_USER", call, payload=new["userName"])
        call.applied()
        return json_response(render_user(call, new))

    async def get_user(call: Call) -> web.StreamResponse:
        found = render_user(call, user(call.params["id"]))
        return json_response(_project(found, call.request.query))

    async def search_user(call: Call) -> web.StreamResponse:
        found = user(call.params["id"])
        params = await read_body(call)
        return json_response(_project(render_user(call, found), params))

    def save_user(call: Call, old: dict[str, Any], new: dict[str, Any]) -> web.StreamResponse:
        _check_user_fields(state, new, old["id"])
        new["meta"] = {**old["meta"], "lastModified": state.clock.stamp()}
        state.users[old["id"]] = new
        state.audit.record("AUDIT_LOG_ACTION_UPDATE_USER", call, payload=new["userName"])
        call.applied()
        return json_response(render_user(call, new))

    async def update_user(call: Call) -> web.StreamResponse:
        old = user(call.params["id"])
        body = await read_body(call)
        if "schemas" in body:  # the snapshot does not require it on PUT
            _require_schema(body, USER)
        new = {k: copy.deepcopy(body[k]) for k in _USER_FIELDS if k in body}
        new.update(id=old["id"], schemas=[USER])
        _user_defaults(new)
        return save_user(call, old, new)

    async def patch_user(call: Call) -> web.StreamResponse:
        old = user(call.params["id"])
        body = await read_body(call)
        _require_schema(body, PATCH_OP)
        new = copy.deepcopy(old)
        _patch_user(new, body["Operations"])
        return save_user(call, old, new)

    async def delete_user(call: Call) -> web.StreamResponse:
        found = user(call.params["id"])
        del state.users[found["id"]]
        for g in state.groups.values():
            g["members"] = [m for m in g["members"] if m["value"] != found["id"]]
        state.grants.pop(found["id"], None)
        state.audit.record("AUDIT_LOG_ACTION_DELETE_USER", call, payload=found["userName"])
        call.applied()
        return json_response({})

    # --- groups ----------------------------------------------------------------

    def list_groups(call: Call, params: Mapping[str, Any]) -> web.StreamResponse:
        wanted = _filter(params.get("filter"), _GROUP_FILTERS)
        found = list(state.groups.values())
        if wanted is not None:
            attr, value = wanted
            field = {"displayname": "displayName", "externalid": "externalId"}.get(attr, attr)

            def match(g: dict[str, Any]) -> bool:
                got = str(g.get(field, ""))
                return got.lower() == value.lower() if attr == "displayname" else got == value

            found = [g for g in found if match(g)]
        return json_response(_list_response(found, params, lambda g: render_group(call, g)))

    async def get_groups(call: Call) -> web.StreamResponse:
        return list_groups(call, call.request.query)

    async def search_groups(call: Call) -> web.StreamResponse:
        return list_groups(call, await read_body(call))

    async def create_group(call: Call) -> web.StreamResponse:
        body = await read_body(call)
        _require_schema(body, GROUP)
        check_group_name(body["displayName"], None)
        new_members = members(body.get("members", []), "members")
        group_id = str(uuid.uuid4())
        now = state.stamp(group_id)
        new: dict[str, Any] = {
            "id": group_id,
            "schemas": [GROUP],
            "displayName": body["displayName"],
            "members": new_members,
            "meta": {"resourceType": "Group", "created": now, "lastModified": now},
        }
        if "externalId" in body:
            new["externalId"] = body["externalId"]
        state.groups[group_id] = new
        state.audit.record("AUDIT_LOG_ACTION_CREATE_GROUP", call, payload=new["displayName"])
        call.applied()
        return json_response(render_group(call, new))

    async def get_group(call: Call) -> web.StreamResponse:
        found = render_group(call, group(call.params["id"]))
        return json_response(_project(found, call.request.query))

    async def search_group(call: Call) -> web.StreamResponse:
        found = group(call.params["id"])
        params = await read_body(call)
        return json_response(_project(render_group(call, found), params))

    def save_group(call: Call, old: dict[str, Any], new: dict[str, Any]) -> web.StreamResponse:
        check_group_name(new["displayName"], old["id"])
        new["meta"] = {**old["meta"], "lastModified": state.clock.stamp()}
        state.groups[old["id"]] = new
        state.audit.record("AUDIT_LOG_ACTION_UPDATE_GROUP", call, payload=new["displayName"])
        call.applied()
        return json_response(render_group(call, new))

    async def update_group(call: Call) -> web.StreamResponse:
        old = group(call.params["id"])
        body = await read_body(call)
        _require_schema(body, GROUP)
        new = {
            "id": old["id"],
            "schemas": [GROUP],
            "displayName": body["displayName"],
            "members": members(body.get("members", []), "members"),
        }
        if "externalId" in body:
            new["externalId"] = body["externalId"]
        return save_group(call, old, new)

    async def patch_group(call: Call) -> web.StreamResponse:
        old = group(call.params["id"])
        body = await read_body(call)
        _require_schema(body, PATCH_OP)
        new = copy.deepcopy(old)
        for i, op in enumerate(body["Operations"]):
            name = _op_name(op, i)
            path = str(op.get("path") or "")
            value = op.get("value")
            where = f"Operations[{i}].value"
            selected = _MEMBER_PATH.fullmatch(path)
            if not path:
                if name == "remove" or not isinstance(value, dict):
                    raise invalid(f"{where}: must be an object when path is absent")
                if "displayName" in value:
                    new["displayName"] = v.string(value["displayName"], f"{where}.displayName")
                if "externalId" in value:
                    new["externalId"] = v.string(value["externalId"], f"{where}.externalId")
                if "members" in value:
                    new["members"] = members(value["members"], f"{where}.members")
            elif path.lower() == "displayname" and name != "remove":
                new["displayName"] = v.string(value, where)
            elif path.lower() == "externalid":
                if name == "remove":
                    new.pop("externalId", None)
                else:
                    new["externalId"] = v.string(value, where)
            elif path.lower() == "members":
                if name == "remove" and value is None:
                    new["members"] = []
                    continue
                if not isinstance(value, list):
                    raise invalid(f"{where}: must be a list of members")
                given = members(value, where)
                if name == "replace":
                    new["members"] = given
                elif name == "add":
                    have = {m["value"] for m in new["members"]}
                    new["members"] += [m for m in given if m["value"] not in have]
                else:
                    gone = {m["value"] for m in given}
                    new["members"] = [m for m in new["members"] if m["value"] not in gone]
            elif selected is not None and name == "remove":
                new["members"] = [m for m in new["members"] if m["value"] != selected.group(1)]
            else:
                raise invalid(f"Operations[{i}].path: unsupported {op['op']} of {path!r}")
        return save_group(call, old, new)

    async def delete_group(call: Call) -> web.StreamResponse:
        found = group(call.params["id"])
        del state.groups[found["id"]]
        state.audit.record("AUDIT_LOG_ACTION_DELETE_GROUP", call, payload=found["displayName"])
        call.applied()
        return json_response({})

    # --- discovery -------------------------------------------------------------

    def resource_type(call: Call, name: str, endpoint: str, urn: str, text: str) -> dict[str, Any]:
        return {
            "schemas": [RESOURCE_TYPE],
            "id": name,
            "name": name,
            "endpoint": endpoint,
            "description": text,
            "schema": urn,
            "meta": {
                "resourceType": "ResourceType",
                "location": _location(call, "ResourceTypes", name),
            },
        }

    def schema(call: Call, found: dict[str, Any]) -> dict[str, Any]:
        meta = {"resourceType": "Schema", "location": _location(call, "Schemas", found["id"])}
        return {**found, "meta": meta}

    async def service_provider_config(call: Call) -> web.StreamResponse:
        return json_response(
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

    async def get_resource_types(call: Call) -> web.StreamResponse:
        types = [resource_type(call, *t) for t in _RESOURCE_TYPES]
        return json_response(_list_response(types, call.request.query, lambda t: t))

    async def get_resource_type(call: Call) -> web.StreamResponse:
        for t in _RESOURCE_TYPES:
            if t[0] == call.params["resourceId"]:
                return json_response(_project(resource_type(call, *t), call.request.query))
        raise not_found("resource type")

    async def get_schemas(call: Call) -> web.StreamResponse:
        found = [schema(call, s) for s in _schemas()]
        return json_response(_list_response(found, call.request.query, lambda s: s))

    async def get_schema(call: Call) -> web.StreamResponse:
        for s in _schemas():
            if s["id"] == call.params["schemaId"]:
                return json_response(_project(schema(call, s), call.request.query))
        raise not_found("schema")

    return {
        "CockroachCloud_GetUsers": get_users,
        "CockroachCloud_SearchUsers": search_users,
        "CockroachCloud_GetUsers2": search_users,
        "CockroachCloud_CreateUser": create_user,
        "CockroachCloud_GetUser": get_user,
        "CockroachCloud_SearchUser": search_user,
        "CockroachCloud_GetUser2": search_user,
        "CockroachCloud_UpdateUser": update_user,
        "CockroachCloud_PatchUser": patch_user,
        "CockroachCloud_DeleteUser": delete_user,
        "CockroachCloud_GetGroups": get_groups,
        "CockroachCloud_SearchGroups": search_groups,
        "CockroachCloud_GetGroups2": search_groups,
        "CockroachCloud_CreateGroup": create_group,
        "CockroachCloud_GetGroup": get_group,
        "CockroachCloud_SearchGroup": search_group,
        "CockroachCloud_GetGroup2": search_group,
        "CockroachCloud_UpdateGroup": update_group,
        "CockroachCloud_PatchGroup": patch_group,
        "CockroachCloud_DeleteGroup": delete_group,
        "CockroachCloud_GetServiceProviderConfig": service_provider_config,
        "CockroachCloud_GetResourceTypes": get_resource_types,
        "CockroachCloud_GetResourceType": get_resource_type,
        "CockroachCloud_GetSchemas": get_schemas,
        "CockroachCloud_GetSchema": get_schema,
    }
