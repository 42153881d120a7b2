"""The organization: ``GET /api/v1/organization`` (``fake.org.organization``)."""

from __future__ import annotations

from aiohttp import web

from ..call import Call
from ..common import ok
from ._base import handles
from .org_common import OrgArea

__all__ = ["Organization"]


class Organization(OrgArea):
    @handles("CockroachCloud_GetOrganizationInfo")
    async def get(self, call: Call) -> web.StreamResponse:
        return ok(self.org.organization)
