"""JWT issuers the organization trusts for API access: one per issuer URL (409 for a
second), with an audience, optional JWKS, the identity claim (``sub`` by default) and
an identity map. They are recorded only: the emulator's JWT keys are ``FakeCloud(jwts=)``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import already_exists, new_id, not_found, ok
from ..errors import invalid
from ._base import handles
from .org_common import OrgArea, keyset_page

__all__ = ["JwtIssuers"]


class JwtIssuers(OrgArea):
    def _issuer(self, issuer_id: str) -> dict[str, Any]:
        found = self.org.jwt_issuers.get(issuer_id)
        if found is None:
            raise not_found("jwt issuer")
        return found

    def _check(self, body: dict[str, Any], issuer_id: str | None) -> None:
        url = body.get("issuer_url")
        if url is not None:
            if not url.startswith(("https://", "http://")):
                raise invalid(f"issuer_url: must be an http(s) URL (got {url!r})")
            if any(
                i["issuer_url"] == url and i["id"] != issuer_id
                for i in self.org.jwt_issuers.values()
            ):
                raise already_exists(f"a JWT issuer for {url!r} already exists")
        if "audience" in body:
            v.non_empty(body["audience"], "audience")

    @handles("CockroachCloud_AddJWTIssuer", audit="ADD_JWT_ISSUER")
    async def add(self, call: Call) -> web.StreamResponse:
        body = await call.body()
        self._check(body, None)
        issuer_id = new_id()
        self.org.stamp(issuer_id)
        issuer = self.org.jwt_issuers[issuer_id] = {
            "id": issuer_id,
            "issuer_url": body["issuer_url"],
            "audience": body["audience"],
            "jwks": body.get("jwks", ""),
            "claim": body.get("claim") or "sub",
            "identity_map": body.get("identity_map", []),
        }
        call.applied(payload=body["issuer_url"])
        return ok(issuer)

    @handles("CockroachCloud_ListJWTIssuers")
    async def list_issuers(self, call: Call) -> web.StreamResponse:
        page, pagination = keyset_page(
            list(self.org.jwt_issuers.values()), call.request.query, self.org.order_key("id")
        )
        return ok({"jwt_issuers": page, "pagination": pagination})

    @handles("CockroachCloud_GetJWTIssuer")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self._issuer(call.params["id"]))

    @handles("CockroachCloud_UpdateJWTIssuer", audit="UPDATE_JWT_ISSUER")
    async def update(self, call: Call) -> web.StreamResponse:
        found = self._issuer(call.params["id"])
        body = await call.body()
        self._check(body, found["id"])
        found.update(body)
        call.applied(payload=found["id"])
        return ok(found)

    @handles("CockroachCloud_DeleteJWTIssuer", audit="DELETE_JWT_ISSUER")
    async def delete(self, call: Call) -> web.StreamResponse:
        found = self._issuer(call.params["id"])
        del self.org.jwt_issuers[found["id"]]
        call.applied(payload=found["id"])
        return ok(found)
