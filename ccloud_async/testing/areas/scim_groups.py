"""SCIM Groups (``/api/scim/v2/Groups``), with their ``.search`` variants.

Groups live in ``fake.org.groups``; members are SCIM users (``fake.org.users``), shown
with their display names, and a deleted user leaves every group. Filters: ``id``,
``displayName``, ``externalId`` with ``eq``. PATCH supports ``add`` / ``replace`` /
``remove`` of ``displayName``, ``externalId`` and ``members`` (also
``members[value eq "<id>"]``), checked whole before anything changes; ``displayName``
is unique, case-insensitively (409).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import already_exists, new_id, not_found, ok
from ..errors import invalid
from ._base import handles
from .org_common import OrgArea
from .scim_common import (
    GROUP,
    PATCH_OP,
    list_response,
    location,
    op_name,
    parse_filter,
    project,
    require_schema,
)

__all__ = ["ScimGroups"]

_MEMBER_PATH = re.compile(r'members\[\s*value\s+eq\s+"([^"]*)"\s*\]', re.IGNORECASE)
_GROUP_FILTERS = ("id", "displayname", "externalid")


GROUP_REQUIRED = ("displayName",)  # besides id and schemas, always returned


class ScimGroups(OrgArea):
    def _group(self, group_id: str) -> dict[str, Any]:
        found = self.org.groups.get(group_id)
        if found is None:
            raise not_found("group")
        return found

    def _render(self, call: Call, found: dict[str, Any]) -> dict[str, Any]:
        users = self.org.users
        members = [
            {**m, "display": users[m["value"]].get("displayName") or m["value"]}
            for m in found["members"]
            if m["value"] in users
        ]
        meta = {**found["meta"], "location": location(call, "Groups", found["id"])}
        return {**found, "members": members, "meta": meta}

    def _members(self, raw: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        for i, member in enumerate(raw):
            value = member.get("value")
            if not value or value not in self.org.users:
                raise invalid(f"{path}[{i}].value: no user with id {value!r}")
            if all(m["value"] != value for m in result):
                result.append({"value": value, "type": "User"})
        return result

    def _check_name(self, name: str, group_id: str | None) -> None:
        v.non_empty(name, "displayName", strip=True)
        for other in self.org.groups.values():
            if other["id"] != group_id and other["displayName"].lower() == name.lower():
                raise already_exists(f"a group named {name!r} already exists")

    def _list(self, call: Call, params: Mapping[str, Any]) -> web.StreamResponse:
        wanted = parse_filter(params.get("filter"), _GROUP_FILTERS)
        found = list(self.org.groups.values())
        if wanted is not None:
            attr, value = wanted
            field = {"displayname": "displayName", "externalid": "externalId"}.get(attr, attr)

            def match(g: dict[str, Any]) -> bool:
                got = str(g.get(field, ""))
                return got.lower() == value.lower() if attr == "displayname" else got == value

            found = [g for g in found if match(g)]
        return ok(list_response(found, params, lambda g: self._render(call, g)))

    def _save(self, call: Call, old: dict[str, Any], new: dict[str, Any]) -> web.StreamResponse:
        self._check_name(new["displayName"], old["id"])
        new["meta"] = {**old["meta"], "lastModified": self.timeline.stamp()}
        self.org.groups[old["id"]] = new
        call.applied(payload=new["displayName"])
        return ok(self._render(call, new))

    @handles("CockroachCloud_GetGroups")
    async def list_groups(self, call: Call) -> web.StreamResponse:
        return self._list(call, call.request.query)

    @handles("CockroachCloud_SearchGroups")
    @handles("CockroachCloud_GetGroups2")
    async def search_groups(self, call: Call) -> web.StreamResponse:
        return self._list(call, await call.body())

    @handles("CockroachCloud_CreateGroup", audit="CREATE_GROUP")
    async def create(self, call: Call) -> web.StreamResponse:
        body = await call.body()
        require_schema(body, GROUP)
        self._check_name(body["displayName"], None)
        new_members = self._members(body.get("members", []), "members")
        group_id = new_id()
        now = self.org.stamp(group_id)
        new: dict[str, Any] = {
            "id": group_id,
            "schemas": [GROUP],
            "displayName": body["displayName"],
            "members": new_members,
            "meta": {"resourceType": "Group", "created": now, "lastModified": now},
        }
        if "externalId" in body:
            new["externalId"] = body["externalId"]
        self.org.groups[group_id] = new
        call.applied(payload=new["displayName"])
        return ok(self._render(call, new))

    @handles("CockroachCloud_GetGroup")
    async def get(self, call: Call) -> web.StreamResponse:
        found = self._render(call, self._group(call.params["id"]))
        return ok(project(found, call.request.query, GROUP_REQUIRED))

    @handles("CockroachCloud_SearchGroup")
    @handles("CockroachCloud_GetGroup2")
    async def search_group(self, call: Call) -> web.StreamResponse:
        found = self._group(call.params["id"])
        params = await call.body()
        return ok(project(self._render(call, found), params, GROUP_REQUIRED))

    @handles("CockroachCloud_UpdateGroup", audit="UPDATE_GROUP")
    async def update(self, call: Call) -> web.StreamResponse:
        old = self._group(call.params["id"])
        body = await call.body()
        require_schema(body, GROUP)
        new = {
            "id": old["id"],
            "schemas": [GROUP],
            "displayName": body["displayName"],
            "members": self._members(body.get("members", []), "members"),
        }
        if "externalId" in body:
            new["externalId"] = body["externalId"]
        return self._save(call, old, new)

    @handles("CockroachCloud_PatchGroup", audit="UPDATE_GROUP")
    async def patch(self, call: Call) -> web.StreamResponse:
        old = self._group(call.params["id"])
        body = await call.body()
        require_schema(body, PATCH_OP)
        new = copy.deepcopy(old)
        for i, op in enumerate(body["Operations"]):
            self._apply(new, op, i)
        return self._save(call, old, new)

    def _apply(self, new: dict[str, Any], op: dict[str, Any], i: int) -> None:
        """One PATCH operation, on ``new`` (a copy: nothing is saved until all pass)."""
        name = op_name(op, i)
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
                new["members"] = self._members(value["members"], f"{where}.members")
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
                return
            if not isinstance(value, list):
                raise invalid(f"{where}: must be a list of members")
            given = self._members(value, where)
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

    @handles("CockroachCloud_DeleteGroup", audit="DELETE_GROUP")
    async def delete(self, call: Call) -> web.StreamResponse:
        found = self._group(call.params["id"])
        del self.org.groups[found["id"]]
        call.applied(payload=found["displayName"])
        return ok({})
