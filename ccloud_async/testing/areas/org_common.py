"""What the organization-level areas (``org_*`` and ``scim_*``) share (no operations).

:class:`OrgState` is the organization's state, one per FakeCloud (``fake.org``): the
organization, the people (SCIM users and groups), service accounts, API keys, JWT
issuers, role grants and folders. It is shared rather than split by area because the
areas reach into each other's objects: deleting a SCIM user drops its role grants,
grants name folders, persons-by-email searches SCIM users. :class:`OrgArea` is the base
of those areas (``self.org``).

Lists use the keyset pagination of ``testing/paging.py``, keyed on (creation time, id)
with sort_by ``CREATED_AT`` (:func:`keyset_page`); objects without a ``created_at``
field have their creation time recorded in :attr:`OrgState.created`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .. import paging
from ..common import Timeline, new_id, timestamp
from ._base import Area

__all__ = ["OrgArea", "OrgState", "keyset_page"]


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
    clock: Timeline  # the FakeCloud's
    organization: dict[str, Any] = field(default_factory=dict)
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
        org_id = new_id()
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


class OrgArea(Area):
    """An area of the organization's resources, over ``fake.org``."""

    @property
    def org(self) -> OrgState:
        return self.fake.org
