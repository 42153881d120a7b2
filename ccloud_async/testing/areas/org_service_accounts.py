"""Service accounts and their API keys.

A service account's ``roles`` are its grants in ``fake.org.grants`` (see
``org_roles.py``). An API key's secret (``CCDB1_<id>_<secret>``) is answered by
CreateApiKey only, never again, and is a working bearer key for the emulator, holding
the service account's role names at creation; deleting the key or its service account
revokes it.
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import new_id, not_found, ok
from ._base import handles
from .org_common import OrgArea, keyset_page
from .org_roles import checked_roles

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["ApiKeys", "ServiceAccounts"]

_ALNUM = string.ascii_letters + string.digits


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def _drop_key(fake: FakeCloud, key_id: str) -> dict[str, Any]:
    """Forget an API key and revoke its secret."""
    key = fake.org.api_keys.pop(key_id)
    secret = fake.org.api_key_secrets.pop(key_id, None)
    if secret is not None:
        fake.remove_api_key(secret)
    return key


class ServiceAccounts(OrgArea):
    def _account(self, account_id: str) -> dict[str, Any]:
        account = self.org.service_accounts.get(account_id)
        if account is None:
            raise not_found("service account")
        return {**account, "roles": self.org.grants.get(account_id, []), "group_roles": []}

    @handles("CockroachCloud_CreateServiceAccount", audit="CREATE_SERVICE_ACCOUNT")
    async def create(self, call: Call) -> web.StreamResponse:
        body = await call.body()
        name = v.non_empty(body["name"], "name", strip=True)
        roles = checked_roles(self.fake, body["roles"], "roles")
        account_id = new_id()
        self.org.service_accounts[account_id] = {
            "id": account_id,
            "name": name,
            "description": body["description"],
            "creator_name": call.request.headers.get("Cc-Username", "admin@acme.example"),
            "created_at": self.org.stamp(account_id),
        }
        self.org.grants[account_id] = roles
        call.applied(payload=name)
        return ok(self._account(account_id))

    @handles("CockroachCloud_ListServiceAccounts")
    async def list_accounts(self, call: Call) -> web.StreamResponse:
        accounts = [self._account(i) for i in self.org.service_accounts]
        page, pagination = keyset_page(accounts, call.request.query, self.org.order_key("id"))
        return ok({"service_accounts": page, "pagination": pagination})

    @handles("CockroachCloud_GetServiceAccount")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self._account(call.params["id"]))

    @handles("CockroachCloud_UpdateServiceAccount", audit="UPDATE_SERVICE_ACCOUNT")
    async def update(self, call: Call) -> web.StreamResponse:
        account_id = call.params["id"]
        self._account(account_id)
        body = await call.body()
        if "name" in body:
            v.non_empty(body["name"], "name", strip=True)
        self.org.service_accounts[account_id].update(body)
        call.applied(payload=account_id)
        return ok(self._account(account_id))

    @handles("CockroachCloud_DeleteServiceAccount", audit="DELETE_SERVICE_ACCOUNT")
    async def delete(self, call: Call) -> web.StreamResponse:
        account_id = call.params["id"]
        account = self._account(account_id)
        keys = self.org.api_keys
        for key_id in [k for k, key in keys.items() if key["service_account_id"] == account_id]:
            _drop_key(self.fake, key_id)
        del self.org.service_accounts[account_id]
        self.org.grants.pop(account_id, None)
        call.applied(payload=account_id)
        return ok(account)


class ApiKeys(OrgArea):
    def _key(self, key_id: str) -> dict[str, Any]:
        key = self.org.api_keys.get(key_id)
        if key is None:
            raise not_found("api key")
        return key

    @handles("CockroachCloud_CreateApiKey", audit="CREATE_API_KEY")
    async def create(self, call: Call) -> web.StreamResponse:
        body = await call.body()
        name = v.non_empty(body["name"], "name", strip=True)
        account_id = body["service_account_id"]
        if account_id not in self.org.service_accounts:
            raise not_found("service account")
        key_id = _random(22)
        secret = f"CCDB1_{key_id}_{_random(40)}"
        key = {
            "id": key_id,
            "service_account_id": account_id,
            "name": name,
            "created_at": self.org.stamp(key_id),
        }
        self.org.api_keys[key_id] = key
        self.org.api_key_secrets[key_id] = secret
        self.fake.add_api_key(secret, {r["name"] for r in self.org.grants.get(account_id, [])})
        call.applied(payload=name)
        return ok({"api_key": key, "secret": secret})

    @handles("CockroachCloud_ListApiKeys")
    async def list_keys(self, call: Call) -> web.StreamResponse:
        query = call.request.query
        account_id = query.get("service_account_id")
        keys = [
            k
            for k in self.org.api_keys.values()
            if not account_id or k["service_account_id"] == account_id
        ]
        page, pagination = keyset_page(keys, query, self.org.order_key("id"))
        return ok({"api_keys": page, "pagination": pagination})

    @handles("CockroachCloud_GetApiKey")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self._key(call.params["id"]))

    @handles("CockroachCloud_UpdateApiKey", audit="UPDATE_API_KEY")
    async def update(self, call: Call) -> web.StreamResponse:
        key = self._key(call.params["id"])
        body = await call.body()
        if "name" in body:
            v.non_empty(body["name"], "name", strip=True)
        key.update(body)
        call.applied(payload=key["id"])
        return ok(key)

    @handles("CockroachCloud_DeleteApiKey", audit="DELETE_API_KEY")
    async def delete(self, call: Call) -> web.StreamResponse:
        key = _drop_key(self.fake, self._key(call.params["id"])["id"])
        call.applied(payload=key["id"])
        return ok(key)
