"""Shared state and helpers for the organization-level areas (``org_*`` and ``scim``).

Not an area itself (it defines no ``handlers``). :func:`org_state` gives every area of
one FakeCloud the same :class:`OrgState`: the organization, a strictly increasing
clock, the people (SCIM users and groups), service accounts, role grants, folders and
the audit log, so that e.g. deleting a SCIM user also drops its role grants and every
mutation lands in the audit log.

:func:`check_body` validates a request body against the snapshot's request schema
(unknown fields, JSON types, required fields, enum values) and answers 400 code 3
naming the field. It is private to these areas until a shared schema-walking validator
lands in ``testing/validation.py``.

Keyset pagination reuses the page-token format of ``testing/clusters.py`` (its
``_encode_page`` / ``_decode_page``), keyed on (creation time, id) with sort_by
``CREATED_AT``; only ``pagination.sort_order`` is a parameter of these lists.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .. import validation as v
from ..audit_log import AuditLog
from ..call import Call
from ..clusters import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, _decode_page, _encode_page
from ..errors import NOT_FOUND, ApiError, invalid
from ..spec import load_spec

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = [
    "AuditLog",
    "Clock",
    "OrgState",
    "check_body",
    "keyset_page",
    "not_found",
    "org_state",
    "parse_time",
    "read_body",
    "timestamp",
]

_SORT_ORDER = ("ASC", "DESC")


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with fixed-width microseconds and Z, so strings sort in time order."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})"
)


def parse_time(value: str, path: str) -> datetime:
    """An RFC 3339 date-time (any fraction, Z or offset); 400 naming ``path`` otherwise."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise invalid(f"{path}: must be an RFC 3339 date-time (got {value!r})")
    date, clock, fraction, zone = match.groups()
    micros = (fraction or "0")[:6].ljust(6, "0")
    offset = "+00:00" if zone in ("Z", "z") else zone
    try:
        return datetime.fromisoformat(f"{date}T{clock}.{micros}{offset}").astimezone(timezone.utc)
    except ValueError:
        raise invalid(f"{path}: must be an RFC 3339 date-time (got {value!r})") from None


class Clock:
    """Strictly increasing UTC timestamps, so creation order is time order."""

    def __init__(self) -> None:
        self.last = datetime.now(timezone.utc)

    def now(self) -> str:
        now = datetime.now(timezone.utc)
        self.last = max(now, self.last + timedelta(microseconds=1))
        return timestamp(self.last)


def not_found(what: str) -> ApiError:
    return ApiError(404, NOT_FOUND, f"{what} not found")


# --- request bodies -----------------------------------------------------------------


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = load_spec()["components"]["schemas"][name]
    return schema


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _check(value: Any, schema: Mapping[str, Any], path: str) -> None:
    schema = _resolve(schema)
    kind = schema.get("type")
    where = path or "request body"
    if "enum" in schema:
        v.enum(value, where, schema["enum"])
        return
    if kind == "object" or "properties" in schema:
        if not isinstance(value, dict):
            raise invalid(f"{where}: must be a JSON object")
        props: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            sub = _join(path, name)
            if name in props:
                if item is not None:
                    _check(item, props[name], sub)
            elif isinstance(extra, dict):
                if item is not None:
                    _check(item, extra, sub)
            elif extra is not True:
                raise invalid(f"{sub}: unknown field")
        for name in schema.get("required", ()):
            # Only fields the schema declares: some required lists name others.
            if name in props and value.get(name) is None:
                raise invalid(f"{_join(path, name)}: is required")
    elif kind == "array":
        if not isinstance(value, list):
            raise invalid(f"{where}: must be a JSON array")
        for i, item in enumerate(value):
            _check(item, schema.get("items", {}), f"{path}[{i}]")
    elif kind == "string":
        if schema.get("format") == "int64":
            v.int64(value, where)
        elif schema.get("format") == "date-time":
            parse_time(v.string(value, where), where)
        else:
            v.string(value, where)
    elif kind == "integer":
        if schema.get("format") == "int64":
            v.int64(value, where)
        else:
            v.int32(value, where)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid(f"{where}: must be a number")
    elif kind == "boolean":
        v.boolean(value, where)
    # No type: any JSON value.


def check_body(value: Any, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``value`` against ``schema``; returns its fields, nulls dropped."""
    _check(value, schema, "")
    return {k: item for k, item in value.items() if item is not None}


def request_schema(call: Call) -> Mapping[str, Any]:
    operation = load_spec()["paths"][call.route.template][call.route.method.lower()]
    schema: Mapping[str, Any] = operation["requestBody"]["content"]["application/json"]["schema"]
    return schema


async def read_body(call: Call) -> dict[str, Any]:
    """The request body, validated against the operation's request schema in the snapshot."""
    return check_body(await call.json(), request_schema(call))


# --- keyset pagination ------------------------------------------------------------


def keyset_page(
    items: list[dict[str, Any]],
    query: Mapping[str, str],
    key: Callable[[dict[str, Any]], tuple[str, str]],
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """One page of ``items`` ordered by ``key`` and ``pagination.sort_order``."""
    limit = DEFAULT_PAGE_SIZE
    if "pagination.limit" in query:
        limit = v.int32(query["pagination.limit"], "pagination.limit", minimum=0)
        limit = min(limit or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if "pagination.as_of_time" in query:
        parse_time(query["pagination.as_of_time"], "pagination.as_of_time")
    order = v.enum(query.get("pagination.sort_order", "ASC"), "pagination.sort_order", _SORT_ORDER)
    ordered = sorted(items, key=key, reverse=order == "DESC")
    if query.get("pagination.page"):
        after = _decode_page(query["pagination.page"], "CREATED_AT", order)
        if order == "ASC":
            ordered = [item for item in ordered if key(item) > after]
        else:
            ordered = [item for item in ordered if key(item) < after]
    page = ordered[:limit]
    pagination: dict[str, str] = {}
    if len(ordered) > limit:
        pagination["next_page"] = _encode_page(key(page[-1]), "CREATED_AT", order)
    return page, pagination


# --- the audit log ------------------------------------------------------------------


# --- the organization's state -------------------------------------------------------


@dataclass
class OrgState:
    clock: Clock = field(default_factory=Clock)
    organization: dict[str, Any] = field(default_factory=dict)
    audit: AuditLog = field(default_factory=AuditLog)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # SCIM users by id
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # SCIM groups by id
    service_accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    api_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    api_key_secrets: dict[str, str] = field(default_factory=dict)  # key id -> bearer secret
    jwt_issuers: dict[str, dict[str, Any]] = field(default_factory=dict)
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    grants: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # user id -> roles
    created: dict[str, str] = field(default_factory=dict)  # object id -> creation time

    def __post_init__(self) -> None:
        org_id = str(uuid.uuid4())
        self.organization = {
            "id": org_id,
            "label": "acme-corp",
            "name": "Acme Corp",
            "created_at": timestamp(datetime.now(timezone.utc) - timedelta(days=412)),
            "cockroach_cloud_service_principals": {
                "aws": {"user_arn": "arn:aws:iam::541263489771:role/crl-org-" + org_id[:8]},
                "gcp": {
                    "service_account_email": (
                        f"crl-org-{org_id[:8]}@crl-prod-sa.iam.gserviceaccount.com"
                    )
                },
                "azure": {
                    "app_registration_client_id": str(uuid.uuid5(uuid.NAMESPACE_OID, org_id)),
                    "app_registration_name": f"crl-org-{org_id[:8]}",
                },
            },
        }

    def stamp(self, object_id: str) -> str:
        """Record and return the creation time of a new object."""
        self.created[object_id] = now = self.clock.now()
        return now

    def order_key(self, id_field: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
        return lambda item: (self.created.get(item[id_field], ""), item[id_field])


def org_state(fake: FakeCloud) -> OrgState:
    """The FakeCloud's organization state, created on first use (``fake.org``)."""
    state = getattr(fake, "org", None)
    if not isinstance(state, OrgState):
        state = OrgState(audit=fake.audit)
        fake.org = state  # type: ignore[attr-defined]
    return state
