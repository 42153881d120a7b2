"""SCIM Users (``/api/scim/v2/Users``), with their ``.search`` variants.

Users live in ``fake.org.users``, shared with persons-by-email and role grants
(deleting a user drops its grants and its group memberships). Filters: ``id``,
``userName``, ``externalId``, ``displayName``, ``emails`` / ``emails.value`` with
``eq``. A PATCH (``add`` / ``replace`` / ``remove``) or PUT is checked whole before
anything changes; ``userName`` is unique, case-insensitively (409).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import already_exists, new_id, not_found, ok
from ..errors import invalid
from ._base import handles
from .org_common import OrgArea, OrgState
from .scim_common import (
    PATCH_OP,
    USER,
    list_response,
    location,
    op_name,
    parse_filter,
    project,
    require_schema,
)

__all__ = ["ScimUsers"]

_USER_FILTERS = ("id", "username", "externalid", "displayname", "emails", "emails.value")
_USER_FIELDS = ("userName", "name", "displayName", "emails", "active", "externalId")


def _check_user_fields(org: OrgState, user: dict[str, Any], user_id: str | None) -> None:
    emails = user.get("emails") or []
    if not emails:
        raise invalid("emails: at least one email is required")
    user_name = user.get("userName") or ""
    if not user_name:
        raise invalid("userName: is required")
    for other in org.users.values():
        if other["id"] != user_id and other["userName"].lower() == user_name.lower():
            raise already_exists(f"userName {user_name!r} is already taken")


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
        name = op_name(op, i)
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


class ScimUsers(OrgArea):
    def _user(self, user_id: str) -> dict[str, Any]:
        found = self.org.users.get(user_id)
        if found is None:
            raise not_found("user")
        return found

    def _render(self, call: Call, found: dict[str, Any]) -> dict[str, Any]:
        groups = [
            {
                "value": g["id"],
                "display": g["displayName"],
                "ref": location(call, "Groups", g["id"]),
                "type": "direct",
            }
            for g in self.org.groups.values()
            if any(m["value"] == found["id"] for m in g["members"])
        ]
        meta = {**found["meta"], "location": location(call, "Users", found["id"])}
        return {**found, "groups": groups, "meta": meta}

    def _list(self, call: Call, params: Mapping[str, Any]) -> web.StreamResponse:
        wanted = parse_filter(params.get("filter"), _USER_FILTERS)
        found = list(self.org.users.values())
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
        return ok(list_response(found, params, lambda u: self._render(call, u)))

    def _save(self, call: Call, old: dict[str, Any], new: dict[str, Any]) -> web.StreamResponse:
        _check_user_fields(self.org, new, old["id"])
        new["meta"] = {**old["meta"], "lastModified": self.timeline.stamp()}
        self.org.users[old["id"]] = new
        call.applied(payload=new["userName"])
        return ok(self._render(call, new))

    @handles("CockroachCloud_GetUsers")
    async def list_users(self, call: Call) -> web.StreamResponse:
        return self._list(call, call.request.query)

    @handles("CockroachCloud_SearchUsers")
    @handles("CockroachCloud_GetUsers2")
    async def search_users(self, call: Call) -> web.StreamResponse:
        return self._list(call, await call.body())

    @handles("CockroachCloud_CreateUser", audit="CREATE_USER")
    async def create(self, call: Call) -> web.StreamResponse:
        body = await call.body()
        require_schema(body, USER)
        user_id = new_id()
        now = self.org.stamp(user_id)
        new = {k: copy.deepcopy(body[k]) for k in _USER_FIELDS if k in body}
        _user_defaults(new)
        _check_user_fields(self.org, new, None)
        new.update(
            id=user_id,
            schemas=[USER],
            meta={"resourceType": "User", "created": now, "lastModified": now},
        )
        self.org.users[user_id] = new
        call.applied(payload=new["userName"])
        return ok(self._render(call, new))

    @handles("CockroachCloud_GetUser")
    async def get(self, call: Call) -> web.StreamResponse:
        found = self._render(call, self._user(call.params["id"]))
        return ok(project(found, call.request.query))

    @handles("CockroachCloud_SearchUser")
    @handles("CockroachCloud_GetUser2")
    async def search_user(self, call: Call) -> web.StreamResponse:
        found = self._user(call.params["id"])
        params = await call.body()
        return ok(project(self._render(call, found), params))

    @handles("CockroachCloud_UpdateUser", audit="UPDATE_USER")
    async def update(self, call: Call) -> web.StreamResponse:
        old = self._user(call.params["id"])
        body = await call.body()
        if "schemas" in body:  # the snapshot does not require it on PUT
            require_schema(body, USER)
        new = {k: copy.deepcopy(body[k]) for k in _USER_FIELDS if k in body}
        new.update(id=old["id"], schemas=[USER])
        _user_defaults(new)
        return self._save(call, old, new)

    @handles("CockroachCloud_PatchUser", audit="UPDATE_USER")
    async def patch(self, call: Call) -> web.StreamResponse:
        old = self._user(call.params["id"])
        body = await call.body()
        require_schema(body, PATCH_OP)
        new = copy.deepcopy(old)
        _patch_user(new, body["Operations"])
        return self._save(call, old, new)

    @handles("CockroachCloud_DeleteUser", audit="DELETE_USER")
    async def delete(self, call: Call) -> web.StreamResponse:
        found = self._user(call.params["id"])
        del self.org.users[found["id"]]
        for g in self.org.groups.values():
            g["members"] = [m for m in g["members"] if m["value"] != found["id"]]
        self.org.grants.pop(found["id"], None)
        call.applied(payload=found["userName"])
        return ok({})
