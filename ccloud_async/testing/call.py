"""What an operation handler receives: the request, its path parameters, the caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from aiohttp import web

from .auth import Principal
from .errors import invalid
from .spec import Route

__all__ = ["Call", "Handler"]


@dataclass
class Call:
    request: web.Request
    route: Route
    params: dict[str, str]
    principal: Principal
    version: str  # the Cc-Version in effect
    on_applied: Callable[[str], None]
    was_applied: bool = False

    async def json(self) -> Any:
        raw = await self.request.read()
        if not raw.strip():
            # An empty body decodes as an empty message, as the gateway does.
            return {}
        try:
            return msgspec.json.decode(raw)
        except msgspec.DecodeError as exc:
            raise invalid(f"request body: invalid JSON ({exc})") from None

    def applied(self) -> None:
        """Record that this call changed state (``fake.stats.applied``)."""
        self.was_applied = True
        self.on_applied(self.route.operation_id)


Handler = Callable[[Call], Awaitable[web.StreamResponse]]
