"""The organization: ``GET /api/v1/organization`` (``fake.org.organization``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ..errors import json_response
from .org_common import org_state

if TYPE_CHECKING:
    from ..call import Call, Handler
    from ..server import FakeCloud


def handlers(fake: FakeCloud) -> dict[str, Handler]:
    state = org_state(fake)

    async def get_organization(call: Call) -> web.StreamResponse:
        return json_response(state.organization)

    return {"CockroachCloud_GetOrganizationInfo": get_organization}
