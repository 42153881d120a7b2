"""Who is calling, may they call this operation, and which API version they asked for."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from .errors import INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED, ApiError
from .spec import Route, enum_values, load_spec, role_names

__all__ = [
    "ALL_ROLES",
    "LATEST_VERSION",
    "SUPPORTED_VERSIONS",
    "KeyRing",
    "Principal",
    "check_role",
    "check_version",
]

ALL_ROLES: frozenset[str] = role_names(load_spec())
# Roles a key may hold: those gating operations plus any the role enum adds (BILLING_VIEWER).
_KNOWN_ROLES = ALL_ROLES | frozenset(enum_values("OrganizationUserRole.Type"))

LATEST_VERSION = "2024-09-16"
# A small set of past release dates, enough to test that clients may pin one.
SUPPORTED_VERSIONS: frozenset[str] = frozenset({"2022-09-20", "2023-04-10", LATEST_VERSION})


@dataclass(frozen=True)
class Principal:
    key: str  # the bearer secret; also the rate-limit bucket
    roles: frozenset[str]
    user_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    vanity_name: str | None = None  # set for JWT principals

    def __repr__(self) -> str:  # never show the secret
        return f"Principal(user_id={self.user_id!r}, roles={sorted(self.roles)!r})"


def _role_set(roles: Iterable[str] | str) -> frozenset[str]:
    # A bare string is one role, not an iterable of letters.
    result = frozenset([roles] if isinstance(roles, str) else roles)
    unknown = result - _KNOWN_ROLES
    if unknown:
        raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
    return result


class KeyRing:
    """API keys and JWTs the emulator accepts."""

    def __init__(
        self,
        api_keys: Mapping[str, Iterable[str]] | None = None,
        jwts: Mapping[str, tuple[str, Iterable[str]]] | None = None,
    ) -> None:
        self._keys: dict[str, Principal] = {}
        self._jwts: dict[str, Principal] = {}
        for key, roles in (api_keys or {}).items():
            self.add_api_key(key, roles)
        for token, (vanity, roles) in (jwts or {}).items():
            self.add_jwt(token, vanity, roles)

    def add_api_key(self, key: str, roles: Iterable[str] | str) -> Principal:
        if not key:
            raise ValueError("an API key must be a non-empty string")
        self._keys[key] = Principal(key, _role_set(roles))
        return self._keys[key]

    def remove_api_key(self, key: str) -> None:
        self._keys.pop(key, None)

    def api_keys(self) -> list[str]:
        """The API keys accepted, in the order they were added."""
        return list(self._keys)

    def add_jwt(self, token: str, vanity_name: str, roles: Iterable[str] | str) -> Principal:
        if not token or not vanity_name:
            raise ValueError("a JWT needs a token and a vanity name")
        self._jwts[token] = Principal(token, _role_set(roles), vanity_name=vanity_name)
        return self._jwts[token]

    def authenticate(self, request: web.BaseRequest) -> Principal:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            if token in self._keys:
                return self._keys[token]
            jwt = self._jwts.get(token)
            # A JWT only identifies a user together with its organization's vanity name.
            if jwt is not None and request.headers.get("Cc-Vanity-Name") == jwt.vanity_name:
                return jwt
        raise ApiError(401, UNAUTHENTICATED, "unauthenticated")


def check_version(request: web.BaseRequest) -> str:
    version = request.headers.get("Cc-Version")
    if version is None:
        return LATEST_VERSION
    if version not in SUPPORTED_VERSIONS:
        raise ApiError(400, INVALID_ARGUMENT, "invalid Cc-Version")
    return version


def check_role(principal: Principal, route: Route) -> None:
    # x-roles: ["*"] = any organization member; [] = the spec names no role, so only
    # ORG_ADMIN; otherwise the caller needs one of the listed roles (no implied ones).
    if "*" in route.roles:
        return
    allowed = set(route.roles) or {"ORG_ADMIN"}
    if principal.roles & allowed:
        return
    raise ApiError(
        403,
        PERMISSION_DENIED,
        f"permission denied: {route.operation_id} requires one of {', '.join(sorted(allowed))}",
    )
