"""Role grants, and persons looked up by email.

Roles are stored per user id (a person's or a service account's) in
``fake.org.grants`` as BuiltInRole objects; a service account's ``roles`` are its
grants (``org_service_accounts.py`` uses :func:`checked_roles` for them too). A grant on
a cluster or folder names one that exists; an ORGANIZATION grant names the
organization, or nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import not_found, ok
from ..errors import invalid
from ..spec import enum_values
from ._base import handles
from .org_common import OrgArea, keyset_page

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["Persons", "RoleGrants", "checked_roles"]

_RESOURCE_TYPES = enum_values("ResourceType.Type")
_ROLES = enum_values("OrganizationUserRole.Type")


def _resource_id(fake: FakeCloud, rtype: str, rid: str, path: str) -> str:
    """The resource id a grant names (the org's id when omitted for ORGANIZATION)."""
    org = fake.org
    if rtype == "ORGANIZATION":
        if rid and rid != org.organization["id"]:
            raise not_found("organization")
        return str(org.organization["id"])
    if not rid:
        raise invalid(f"{path}: is required for {rtype} resources")
    if rtype == "CLUSTER" and fake.clusters.get(rid) is None:
        raise not_found("cluster")
    if rtype == "FOLDER" and rid not in org.folders:
        raise not_found("folder")
    return rid


def checked_roles(fake: FakeCloud, raw: list[Any], path: str) -> list[dict[str, Any]]:
    """Normalized, de-duplicated BuiltInRoles from an already schema-checked list."""
    roles: list[dict[str, Any]] = []
    for i, role in enumerate(raw):
        resource = role["resource"]
        rid = _resource_id(
            fake, resource["type"], resource.get("id") or "", f"{path}[{i}].resource.id"
        )
        grant = {"name": role["name"], "resource": {"type": resource["type"], "id": rid}}
        if grant not in roles:
            roles.append(grant)
    return roles


class RoleGrants(OrgArea):
    def _known_user(self, user_id: str) -> None:
        org = self.org
        if not (user_id in org.grants or user_id in org.users or user_id in org.service_accounts):
            raise not_found("user")

    def _user_roles(self, user_id: str) -> dict[str, Any]:
        return {"roles": self.org.grants.get(user_id, []), "group_roles": []}

    def _grant_in_path(self, call: Call) -> dict[str, Any]:
        rtype = v.enum(call.params["resource_type"], "resource_type", _RESOURCE_TYPES)
        name = v.enum(call.params["role_name"], "role_name", _ROLES)
        rid = _resource_id(self.fake, rtype, call.params["resource_id"], "resource_id")
        return {"name": name, "resource": {"type": rtype, "id": rid}}

    @handles("CockroachCloud_ListRoleGrants")
    async def list_grants(self, call: Call) -> web.StreamResponse:
        grants = [
            {"user_id": user_id, "roles": roles}
            for user_id, roles in self.org.grants.items()
            if roles
        ]
        page, pagination = keyset_page(
            grants,
            call.request.query,
            lambda g: ("", str(g["user_id"])),
            created=lambda g: self.org.created.get(g["user_id"]),  # the grantee's
        )
        return ok({"grants": page, "user_group_grants": [], "pagination": pagination})

    @handles("CockroachCloud_GetAllRolesForUser")
    async def get_roles(self, call: Call) -> web.StreamResponse:
        user_id = call.params["user_id"]
        self._known_user(user_id)
        return ok(self._user_roles(user_id))

    @handles("CockroachCloud_SetRolesForUser", audit="ASSIGN_USER_ROLE")
    async def set_roles(self, call: Call) -> web.StreamResponse:
        user_id = call.params["user_id"]
        self._known_user(user_id)
        body = await call.body()
        self.org.grants[user_id] = checked_roles(self.fake, body["roles"], "roles")
        call.applied(payload=user_id)
        return ok(self._user_roles(user_id))

    @handles("CockroachCloud_AddUserToRole", audit="ADD_USER_TO_ROLE")
    async def add_role(self, call: Call) -> web.StreamResponse:
        user_id = call.params["user_id"]
        self._known_user(user_id)
        grant = self._grant_in_path(call)
        roles = self.org.grants.setdefault(user_id, [])
        if grant not in roles:
            roles.append(grant)
            call.applied(payload=user_id)
        return ok(self._user_roles(user_id))

    @handles("CockroachCloud_RemoveUserFromRole", audit="REMOVE_USER_FROM_ROLE")
    async def remove_role(self, call: Call) -> web.StreamResponse:
        user_id = call.params["user_id"]
        self._known_user(user_id)
        grant = self._grant_in_path(call)
        roles = self.org.grants.get(user_id, [])
        if grant not in roles:
            raise not_found("role grant")
        roles.remove(grant)
        call.applied(payload=user_id)
        return ok(self._user_roles(user_id))


class Persons(OrgArea):
    """A person (a SCIM user) found by email or user name."""

    @handles("CockroachCloud_GetPersonUsersByEmail")
    async def by_email(self, call: Call) -> web.StreamResponse:
        email = call.request.query.get("email")
        if not email:
            raise invalid("email: is required")
        for user in self.org.users.values():
            emails = [e.get("value", "").lower() for e in user.get("emails", [])]
            if email.lower() in emails or user.get("userName", "").lower() == email.lower():
                return ok({"user": {"id": user["id"], "email": email.lower()}})
        raise not_found("user")
