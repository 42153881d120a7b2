"""What the emulator reads from the packaged spec snapshot: routes, roles, field names.

Reading these from ``_spec/openapi.json`` (rather than restating them) keeps the
emulator's routing, role checks and unknown-field checks in step with the snapshot.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

__all__ = ["Route", "RouteMatch", "RouteTable", "load_spec", "role_names"]

SPEC_PATH = Path(__file__).resolve().parent.parent / "_spec" / "openapi.json"
_METHODS = ("get", "put", "post", "delete", "patch")
_PARAM = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        spec: dict[str, Any] = json.load(f)
    return spec


@dataclass(frozen=True)
class Route:
    method: str  # upper case
    template: str  # as written in the spec, e.g. /api/v1/clusters/{cluster_id}
    operation_id: str
    roles: tuple[str, ...]  # x-roles: ("*",) = any member, () = ORG_ADMIN only
    segments: tuple[str | None, ...]  # literal segment, or None for a parameter
    params: tuple[str, ...]

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        values = []
        for part, literal in zip(parts, self.segments, strict=True):
            if literal is None:
                if not part:
                    return None
                values.append(part)
            elif part != literal:
                return None
        return dict(zip(self.params, values, strict=True))

    @property
    def specificity(self) -> tuple[bool, ...]:
        # Literal segments beat parameters, position by position, the way
        # gateways resolve /clusters/available-regions against /clusters/{id}.
        return tuple(s is None for s in self.segments)


@dataclass(frozen=True)
class RouteMatch:
    route: Route | None
    params: dict[str, str]
    allowed: tuple[str, ...]  # methods the path supports; empty = unknown path


class RouteTable:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.routes: list[Route] = []
        for template, operations in spec["paths"].items():
            raw = template.strip("/").split("/")
            segments = tuple(None if _PARAM.match(s) else s for s in raw)
            params = tuple(m.group(1) for s in raw if (m := _PARAM.match(s)))
            for method in _METHODS:
                op = operations.get(method)
                if op is None:
                    continue
                self.routes.append(
                    Route(
                        method=method.upper(),
                        template=template,
                        operation_id=op["operationId"],
                        roles=tuple(op.get("x-roles", ())),
                        segments=segments,
                        params=params,
                    )
                )
        self.routes.sort(key=lambda r: r.specificity)
        self.by_operation = {r.operation_id: r for r in self.routes}

    def resolve(self, method: str, path: str) -> RouteMatch:
        """Match a raw (still percent-encoded) path: split first, then decode each segment."""
        parts = [unquote(part) for part in path.strip("/").split("/")]
        allowed: list[str] = []
        for route in self.routes:  # most specific first
            params = route.match(parts)
            if params is None:
                continue
            if route.method == method:
                return RouteMatch(route, params, ())
            if route.method not in allowed:
                allowed.append(route.method)
        return RouteMatch(None, {}, tuple(allowed))


def role_names(spec: dict[str, Any]) -> frozenset[str]:
    """Every role the snapshot names in x-roles, plus ORG_MEMBER (implied by "*")."""
    roles = {"ORG_MEMBER"}
    for operations in spec["paths"].values():
        for method in _METHODS:
            if method in operations:
                roles.update(operations[method].get("x-roles", ()))
    roles.discard("*")
    return frozenset(roles)


def enum_values(name: str) -> tuple[str, ...]:
    return tuple(load_spec()["components"]["schemas"][name]["enum"])
