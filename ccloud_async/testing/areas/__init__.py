"""The emulator's operations, by area: each area is a class (``_base.py``) whose methods
handle operations, named with ``@handles("<operationId>")``.

:data:`AREAS` lists every area class; :class:`Areas` makes one of each for a FakeCloud
and the operationId -> handler table the server dispatches on. An operationId claimed
twice, or one the snapshot does not have, fails when the FakeCloud is made; an
operation no area claims answers 501.

Adding an operation: write the method on the area it belongs to (a new area: a class
in a new module, added to :data:`AREAS`), decorate it with ``@handles``, naming the
audit action if it changes state, read the body with ``await call.body()`` and call
``call.applied(...)`` once it changed something.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from ._base import Area
from .catalogue import Catalogue
from .cluster_allowlist import Allowlist
from .cluster_backups import Backups
from .cluster_client_ca import ClientCaCerts
from .cluster_cmek import Cmek
from .cluster_egress import EgressPrivateEndpoints, EgressRules
from .cluster_exports import LogExport, MetricExports
from .cluster_maintenance import BlackoutWindows, Disruption, MaintenanceWindows, VersionDeferral
from .cluster_private_endpoints import PrivateEndpoints, TrustedOwners
from .cluster_replication import ReplicationStreams
from .cluster_sql import Databases, SqlConnection, SqlUsers
from .clusters import Clusters
from .org_audit import AuditLogs
from .org_billing import Billing
from .org_folders import Folders
from .org_info import Organization
from .org_jwt_issuers import JwtIssuers
from .org_roles import Persons, RoleGrants
from .org_service_accounts import ApiKeys, ServiceAccounts
from .scim_discovery import ScimDiscovery
from .scim_groups import ScimGroups
from .scim_users import ScimUsers

if TYPE_CHECKING:
    from ..call import Handler
    from ..server import FakeCloud

__all__ = ["AREAS", "Area", "Areas"]

AREAS: tuple[type[Area], ...] = (
    # Clusters and what hangs off them.
    Clusters,
    SqlUsers,
    Databases,
    SqlConnection,
    Backups,
    Cmek,
    Allowlist,
    ClientCaCerts,
    PrivateEndpoints,
    TrustedOwners,
    EgressPrivateEndpoints,
    EgressRules,
    LogExport,
    MetricExports,
    MaintenanceWindows,
    BlackoutWindows,
    VersionDeferral,
    Disruption,
    ReplicationStreams,
    Catalogue,
    # The organization.
    Organization,
    AuditLogs,
    Billing,
    Folders,
    RoleGrants,
    Persons,
    ServiceAccounts,
    ApiKeys,
    JwtIssuers,
    ScimUsers,
    ScimGroups,
    ScimDiscovery,
)

A = TypeVar("A", bound=Area)


class Areas:
    """One instance of every area of :data:`AREAS` for ``fake``, and their operations."""

    def __init__(self, fake: FakeCloud) -> None:
        self._areas: dict[type[Area], Area] = {kind: kind(fake) for kind in AREAS}
        known = {route.operation_id for route in fake.routes.routes}
        self.handlers: dict[str, Handler] = {}
        # operationId -> the AuditLogAction an applied call files (server.py files it).
        self.audit_actions: dict[str, str] = {}
        for area in self._areas.values():
            for declared, handler in area.handlers():
                operation_id = declared.operation_id
                if operation_id not in known:
                    raise RuntimeError(f"{type(area).__name__}: no operation {operation_id}")
                if operation_id in self.handlers:
                    raise RuntimeError(f"two emulator handlers for {operation_id}")
                self.handlers[operation_id] = handler
                if declared.audit is not None:
                    self.audit_actions[operation_id] = declared.audit

    def __getitem__(self, kind: type[A]) -> A:
        """The FakeCloud's instance of the area class ``kind``."""
        area = self._areas[kind]
        if not isinstance(area, kind):  # cannot happen: the dict is keyed by class
            raise TypeError(kind)
        return area
