"""Access: role grants, service accounts, API keys, JWT issuers and persons by email.

State lives on ``fake.org`` (:class:`~.org_common.OrgState`). Roles are stored per
user id (a person's or a service account's) as BuiltInRole objects; a service
account's ``roles`` are its grants. An API key's secret (``CCDB1_<id>_<secret>``) is
answered by CreateApiKey only, never again, and is a working bearer key for the
emulator, holding the service account's role names at creation; deleting the key or
its service account revokes it.
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..common import not_found
from ..errors import ALREADY_EXISTS, ApiError, invalid, json_response
from ..spec import enum_values
from ..validation import read_body
from .org_common import OrgState, keyset_page, org_state

if TYPE_CHECKING:
    from ..call import Call, Handler
    from ..server import FakeCloud

_RESOURCE_TYPES = enum_values("ResourceType.Type")
_ROLES = enum_values("OrganizationUserRole.Type")
_ALNUM = string.ascii_letters + string.digits


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def _check_resource(fake: FakeCloud, state: OrgState, rtype: str, rid: str, path: str) -> str:
    """The resource id a grant names (the org's id when omitted for ORGANIZATION)."""
    if rtype == "ORGANIZATION":
        if rid and rid != state.organization["id"]:
            raise not_found("organization")
        return str(state.organization["id"])
    if not rid:
        raise invalid(f"{path}: is required for {rtype} resources")
    if rtype == "CLUSTER" and fake.clusters.get(rid) is None:
        raise not_found("cluster")
    if rtype == "FOLDER" and rid not in state.folders:
        raise not_found("folder")
    return rid


def _roles(fake: FakeCloud, state: OrgState, raw: list[Any], path: str) -> list[dict[str, Any]]:
    """Normalized, de-duplicated BuiltInRoles from an already schema-checked list."""
    roles: list[dict[str, Any]] = []
    for i, role in enumerate(raw):
        resource = role["resource"]
        rid = _check_resource(
            fake, state, resource["type"], resource.get("id") or "", f"{path}[{i}].resource.id"
        )
        grant = {"name": role["name"], "resource": {"type": resource["type"], "id": rid}}
        if grant not in roles:
            roles.append(grant)
    return roles


def handlers(fake: FakeCloud) -> dict[str, Handler]:
    state = org_state(fake)

    def known_user(user_id: str) -> None:
        if not (
            user_id in state.grants or user_id in state.users or user_id in state.service_accounts
        ):
            raise not_found("user")

    def user_roles(user_id: str) -> dict[str, Any]:
        return {"roles": state.grants.get(user_id, []), "group_roles": []}

    # --- roles ---------------------------------------------------------------------

    async def list_role_grants(call: Call) -> web.StreamResponse:
        grants = [
            {"user_id": user_id, "roles": roles} for user_id, roles in state.grants.items() if roles
        ]
        page, pagination = keyset_page(
            grants,
            call.request.query,
            lambda g: ("", str(g["user_id"])),
            created=lambda g: state.created.get(g["user_id"]),  # the grantee's
        )
        return json_response({"grants": page, "user_group_grants": [], "pagination": pagination})

    async def get_roles(call: Call) -> web.StreamResponse:
        user_id = call.params["user_id"]
        known_user(user_id)
        return json_response(user_roles(user_id))

    async def set_roles(call: Call) -> web.StreamResponse:
        user_id = call.params["user_id"]
        known_user(user_id)
        body = await read_body(call)
        roles = _roles(fake, state, body["roles"], "roles")
        state.grants[user_id] = roles
        state.audit.record("AUDIT_LOG_ACTION_ASSIGN_USER_ROLE", call, payload=user_id)
        call.applied()
        return json_response(user_roles(user_id))

    def role_params(call: Call) -> dict[str, Any]:
        rtype = v.enum(call.params["resource_type"], "resource_type", _RESOURCE_TYPES)
        name = v.enum(call.params["role_name"], "role_name", _ROLES)
        rid = _check_resource(fake, state, rtype, call.params["resource_id"], "resource_id")
        return {"name": name, "resource": {"type": rtype, "id": rid}}

    async def add_role(call: Call) -> web.StreamResponse:
        user_id = call.params["user_id"]
        known_user(user_id)
        grant = role_params(call)
        roles = state.grants.setdefault(user_id, [])
        if grant not in roles:
            roles.append(grant)
            state.audit.record("AUDIT_LOG_ACTION_ADD_USER_TO_ROLE", call, payload=user_id)
            call.applied()
        return json_response(user_roles(user_id))

    async def remove_role(call: Call) -> web.StreamResponse:
        user_id = call.params["user_id"]
        known_user(user_id)
        grant = role_params(call)
        roles = state.grants.get(user_id, [])
        if grant not in roles:
            raise not_found("role grant")
        roles.remove(grant)
        state.audit.record("AUDIT_LOG_ACTION_REMOVE_USER_FROM_ROLE", call, payload=user_id)
        call.applied()
        return json_response(user_roles(user_id))

    # --- service accounts ----------------------------------------------------------

    def service_account(account_id: str) -> dict[str, Any]:
        account = state.service_accounts.get(account_id)
        if account is None:
            raise not_found("service account")
        return {**account, "roles": state.grants.get(account_id, []), "group_roles": []}

    async def create_service_account(call: Call) -> web.StreamResponse:
        body = await read_body(call)
        name = body["name"]
        if not name.strip():
            raise invalid("name: must not be empty")
        roles = _roles(fake, state, body["roles"], "roles")
        account_id = str(uuid.uuid4())
        state.service_accounts[account_id] = {
            "id": account_id,
            "name": name,
            "description": body["description"],
            "creator_name": call.request.headers.get("Cc-Username", "admin@acme.example"),
            "created_at": state.stamp(account_id),
        }
        state.grants[account_id] = roles
        state.audit.record("AUDIT_LOG_ACTION_CREATE_SERVICE_ACCOUNT", call, payload=name)
        call.applied()
        return json_response(service_account(account_id))

    async def list_service_accounts(call: Call) -> web.StreamResponse:
        accounts = [service_account(i) for i in state.service_accounts]
        page, pagination = keyset_page(accounts, call.request.query, state.order_key("id"))
        return json_response({"service_accounts": page, "pagination": pagination})

    async def get_service_account(call: Call) -> web.StreamResponse:
        return json_response(service_account(call.params["id"]))

    async def update_service_account(call: Call) -> web.StreamResponse:
        account_id = call.params["id"]
        service_account(account_id)
        body = await read_body(call)
        if "name" in body and not body["name"].strip():
            raise invalid("name: must not be empty")
        state.service_accounts[account_id].update(body)
        state.audit.record("AUDIT_LOG_ACTION_UPDATE_SERVICE_ACCOUNT", call, payload=account_id)
        call.applied()
        return json_response(service_account(account_id))

    async def delete_service_account(call: Call) -> web.StreamResponse:
        account_id = call.params["id"]
        account = service_account(account_id)
        for key_id in [
            k for k, key in state.api_keys.items() if key["service_account_id"] == account_id
        ]:
            drop_key(key_id)
        del state.service_accounts[account_id]
        state.grants.pop(account_id, None)
        state.audit.record("AUDIT_LOG_ACTION_DELETE_SERVICE_ACCOUNT", call, payload=account_id)
        call.applied()
        return json_response(account)

    # --- API keys ------------------------------------------------------------------

    def api_key(key_id: str) -> dict[str, Any]:
        key = state.api_keys.get(key_id)
        if key is None:
            raise not_found("api key")
        return key

    def drop_key(key_id: str) -> dict[str, Any]:
        key = state.api_keys.pop(key_id)
        secret = state.api_key_secrets.pop(key_id, None)
        if secret is not None:
            fake.remove_api_key(secret)
        return key

    async def create_api_key(call: Call) -> web.StreamResponse:
        body = await read_body(call)
        name = body["name"]
        if not name.strip():
            raise invalid("name: must not be empty")
        account_id = body["service_account_id"]
        if account_id not in state.service_accounts:
            raise not_found("service account")
        key_id = _random(22)
        secret = f"CCDB1_{key_id}_{_random(40)}"
        key = {
            "id": key_id,
            "service_account_id": account_id,
            "name": name,
            "created_at": state.stamp(key_id),
        }
        state.api_keys[key_id] = key
        state.api_key_secrets[key_id] = secret
        fake.add_api_key(secret, {r["name"] for r in state.grants.get(account_id, [])})
        state.audit.record("AUDIT_LOG_ACTION_CREATE_API_KEY", call, payload=name)
        call.applied()
        return json_response({"api_key": key, "secret": secret})

    async def list_api_keys(call: Call) -> web.StreamResponse:
        query = call.request.query
        account_id = query.get("service_account_id")
        keys = [
            k
            for k in state.api_keys.values()
            if not account_id or k["service_account_id"] == account_id
        ]
        page, pagination = keyset_page(keys, query, state.order_key("id"))
        return json_response({"api_keys": page, "pagination": pagination})

    async def get_api_key(call: Call) -> web.StreamResponse:
        return json_response(api_key(call.params["id"]))

    async def update_api_key(call: Call) -> web.StreamResponse:
        key = api_key(call.params["id"])
        body = await read_body(call)
        if "name" in body and not body["name"].strip():
            raise invalid("name: must not be empty")
        key.update(body)
        state.audit.record("AUDIT_LOG_ACTION_UPDATE_API_KEY", call, payload=key["id"])
        call.applied()
        return json_response(key)

    async def delete_api_key(call: Call) -> web.StreamResponse:
        key = drop_key(api_key(call.params["id"])["id"])
        state.audit.record("AUDIT_LOG_ACTION_DELETE_API_KEY", call, payload=key["id"])
        call.applied()
        return json_response(key)

    # --- JWT issuers ---------------------------------------------------------------

    def issuer(issuer_id: str) -> dict[str, Any]:
        found = state.jwt_issuers.get(issuer_id)
        if found is None:
            raise not_found("jwt issuer")
        return found

    def check_issuer(body: dict[str, Any], issuer_id: str | None) -> None:
        url = body.get("issuer_url")
        if url is not None:
            if not url.startswith(("https://", "http://")):
                raise invalid(f"issuer_url: must be an http(s) URL (got {url!r})")
            if any(
                i["issuer_url"] == url and i["id"] != issuer_id for i in state.jwt_issuers.values()
            ):
                raise ApiError(409, ALREADY_EXISTS, f"a JWT issuer for {url!r} already exists")
        if "audience" in body and not body["audience"]:
            raise invalid("audience: must not be empty")

    async def add_issuer(call: Call) -> web.StreamResponse:
        body = await read_body(call)
        check_issuer(body, None)
        issuer_id = str(uuid.uuid4())
        state.stamp(issuer_id)
        state.jwt_issuers[issuer_id] = {
            "id": issuer_id,
            "issuer_url": body["issuer_url"],
            "audience": body["audience"],
            "jwks": body.get("jwks", ""),
            "claim": body.get("claim") or "sub",
            "identity_map": body.get("identity_map", []),
        }
        state.audit.record("AUDIT_LOG_ACTION_ADD_JWT_ISSUER", call, payload=body["issuer_url"])
        call.applied()
        return json_response(state.jwt_issuers[issuer_id])

    async def list_issuers(call: Call) -> web.StreamResponse:
        page, pagination = keyset_page(
            list(state.jwt_issuers.values()), call.request.query, state.order_key("id")
        )
        return json_response({"jwt_issuers": page, "pagination": pagination})

    async def get_issuer(call: Call) -> web.StreamResponse:
        return json_response(issuer(call.params["id"]))

    async def update_issuer(call: Call) -> web.StreamResponse:
        found = issuer(call.params["id"])
        body = await read_body(call)
        check_issuer(body, found["id"])
        found.update(body)
        state.audit.record("AUDIT_LOG_ACTION_UPDATE_JWT_ISSUER", call, payload=found["id"])
        call.applied()
        return json_response(found)

    async def delete_issuer(call: Call) -> web.StreamResponse:
        found = issuer(call.params["id"])
        del state.jwt_issuers[found["id"]]
        state.audit.record("AUDIT_LOG_ACTION_DELETE_JWT_ISSUER", call, payload=found["id"])
        call.applied()
        return json_response(found)

    # --- persons -------------------------------------------------------------------

    async def persons_by_email(call: Call) -> web.StreamResponse:
        email = call.request.query.get("email")
        if not email:
            raise invalid("email: is required")
        for user in state.users.values():
            emails = [e.get("value", "").lower() for e in user.get("emails", [])]
            if email.lower() in emails or user.get("userName", "").lower() == email.lower():
                return json_response({"user": {"id": user["id"], "email": email.lower()}})
        raise not_found("user")

    return {
        "CockroachCloud_ListRoleGrants": list_role_grants,
        "CockroachCloud_GetAllRolesForUser": get_roles,
        "CockroachCloud_SetRolesForUser": set_roles,
        "CockroachCloud_AddUserToRole": add_role,
        "CockroachCloud_RemoveUserFromRole": remove_role,
        "CockroachCloud_CreateServiceAccount": create_service_account,
        "CockroachCloud_ListServiceAccounts": list_service_accounts,
        "CockroachCloud_GetServiceAccount": get_service_account,
        "CockroachCloud_UpdateServiceAccount": update_service_account,
        "CockroachCloud_DeleteServiceAccount": delete_service_account,
        "CockroachCloud_CreateApiKey": create_api_key,
        "CockroachCloud_ListApiKeys": list_api_keys,
        "CockroachCloud_GetApiKey": get_api_key,
        "CockroachCloud_UpdateApiKey": update_api_key,
        "CockroachCloud_DeleteApiKey": delete_api_key,
        "CockroachCloud_AddJWTIssuer": add_issuer,
        "CockroachCloud_ListJWTIssuers": list_issuers,
        "CockroachCloud_GetJWTIssuer": get_issuer,
        "CockroachCloud_UpdateJWTIssuer": update_issuer,
        "CockroachCloud_DeleteJWTIssuer": delete_issuer,
        "CockroachCloud_GetPersonUsersByEmail": persons_by_email,
    }
