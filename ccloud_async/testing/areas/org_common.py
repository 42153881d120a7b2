"""Shared state for the organization-level areas (``org_*`` and ``scim``).

Not an area itself (it defines no ``handlers``). :func:`org_state` gives every area of
one FakeCloud the same :class:`OrgState`: the organization, a strictly increasing
clock, the people (SCIM users and groups), service accounts, role grants, folders and
the audit log, so that e.g. deleting a SCIM user also drops its role grants and every
mutation lands in the audit log.

Request bodies are checked by ``validation.read_body``; time, errors and ids come from
``testing/common.py``. Lists use the keyset pagination of ``testing/paging.py``, keyed
on (creation time, id) with sort_by ``CREATED_AT`` (:func:`keyset_page`); objects
without a ``created_at`` field have their creation time recorded in
:attr:`OrgState.created`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .. import paging
from ..audit_log import AuditLog
from ..common import Timeline, timestamp

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["OrgState", "keyset_page", "org_state"]


def keyset_page(
    items: Iterable[dict[str, Any]],
    query: Mapping[str, str],
    key: Callable[[dict[str, Any]], tuple[str, str]],
    created: Callable[[dict[str, Any]], str | None] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """One page of ``items`` in ``key`` order: (creation time, id) unless told otherwise.

    ``created`` gives an item's creation time for ``pagination.as_of_time``; by default
    the first half of its key.
    """
    if created is None:
        created = lambda item: key(item)[0] or None  # noqa: E731
    return paging.keyset_page(items, query, key, "CREATED_AT", created=created)


# --- the organization's state -------------------------------------------------------


@dataclass
class OrgState:
    clock: Timeline = field(default_factory=Timeline)
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
            "created_at": timestamp(self.clock.current() - timedelta(days=412)),
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
        self.created[object_id] = now = self.clock.stamp()
        return now

    def order_key(self, id_field: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
        return lambda item: (self.created.get(item[id_field], ""), item[id_field])


def org_state(fake: FakeCloud) -> OrgState:
    """The FakeCloud's organization state, created on first use (``fake.org``)."""
    state = getattr(fake, "org", None)
    if not isinstance(state, OrgState):
        state = OrgState(clock=fake.timeline, audit=fake.audit)
        fake.org = state  # type: ignore[attr-defined]
    return state
