"""Every operation of the API, sent through its SDK method against the emulator.

One small scenario per operationId in :data:`ccloud_async.OPERATIONS`, calling the
client method named by ``Operation.method`` with realistic arguments and asserting on
the decoded result. The emulator checks each of its 200 responses against the spec
snapshot (``validate_responses=True``), and every scenario must end with no invalid
response and with its operation actually sent. A new operation without a scenario
fails :func:`test_every_operation_has_a_scenario`.
"""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from ccloud_async import OPERATIONS, CockroachCloud
from ccloud_async.testing import FakeCloud

from ..conftest import make_client

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"
KMS_KEY = {
    "type": "AWS_KMS",
    "uri": "arn:aws:kms:us-east-1:123456789012:key/k1",
    "auth_principal": "arn:aws:iam::123456789012:role/cmek",
}
T = TypeVar("T")


@dataclass
class Ctx:
    """What a scenario gets: a client on a fresh emulator, and setup helpers."""

    cloud: CockroachCloud
    fake: FakeCloud

    async def advanced(self, name: str = "adv-cluster") -> str:
        cluster = await self.cloud.clusters.create(
            name=name,
            provider="AWS",
            spec={
                "dedicated": {
                    "region_nodes": {"us-east-1": 3},
                    "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 150},
                }
            },
        )
        return cluster.id

    async def standard(self, name: str = "std-cluster") -> str:
        cluster = await self.cloud.clusters.create(
            name=name,
            provider="GCP",
            spec={
                "plan": "STANDARD",
                "serverless": {
                    "regions": ["us-central1"],
                    "usage_limits": {"provisioned_virtual_cpus": 2},
                },
            },
        )
        return cluster.id

    async def sql_user(self, cluster_id: str, name: str = "app_user") -> str:
        user = await self.cloud.sql_users.create(cluster_id, name=name, password="s3cret-pass-1")
        return user.name

    async def service_account(self, name: str = "ci-deployer") -> str:
        account = await self.cloud.service_accounts.create(
            name=name,
            description="deploys from CI",
            roles=[{"name": "ORG_ADMIN", "resource": {"type": "ORGANIZATION"}}],
        )
        return account.id

    async def scim_user(self, email: str = "ada@acme.example") -> str:
        user = await self.cloud.scim.create_user(
            schemas=[USER_URN],
            user_name=email,
            name={"givenName": "Ada", "familyName": "Lovelace"},
            emails=[{"value": email, "primary": True, "type": "work"}],
            external_id="ext-ada",
        )
        return user.id

    async def scim_group(self, member: str | None = None) -> str:
        members = [] if member is None else [{"value": member}]
        group = await self.cloud.scim.create_group(
            schemas=[GROUP_URN], display_name="dbas", members=members
        )
        return group.id

    async def folder(self, name: str = "team-a") -> str:
        folder = await self.cloud.folders.create(name=name, labels={"env": "prod"})
        return folder.resource_id

    async def stream(self) -> str:
        primary = await self.advanced("primary-1")
        standby = await self.advanced("standby-1")
        stream = await self.cloud.replication.create_stream(
            primary_cluster_id=primary, standby_cluster_id=standby
        )
        return stream.id


Scenario = Callable[[Ctx], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {}


def covers(operation_id: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        if operation_id in SCENARIOS:
            raise RuntimeError(f"two scenarios for {operation_id}")
        SCENARIOS[operation_id] = fn
        return fn

    return register


async def collect(pager: AsyncIterable[T]) -> list[T]:
    return [item async for item in pager]


# --- clusters ---------------------------------------------------------------------------


@covers("CockroachCloud_CreateCluster")
async def _create_cluster(c: Ctx) -> None:
    cluster = await c.cloud.clusters.create(
        name="new-basic", provider="GCP", spec={"serverless": {"regions": ["us-central1"]}}
    )
    assert cluster.name == "new-basic" and cluster.plan == "BASIC"
    assert cluster.cloud_provider == "GCP"


@covers("CockroachCloud_GetCluster")
async def _get_cluster(c: Ctx) -> None:
    cid = await c.advanced()
    cluster = await c.cloud.clusters.get(cid)
    assert cluster.id == cid and cluster.plan == "ADVANCED"


@covers("CockroachCloud_ListClusters")
async def _list_clusters(c: Ctx) -> None:
    await c.advanced()
    await c.standard()
    names = sorted(x.name for x in await collect(c.cloud.clusters.list(limit=1)))
    assert names == ["adv-cluster", "std-cluster"]


@covers("CockroachCloud_UpdateCluster")
async def _update_cluster(c: Ctx) -> None:
    cid = await c.standard()
    cluster = await c.cloud.clusters.update(
        cid, serverless={"usage_limits": {"provisioned_virtual_cpus": 4}}
    )
    assert cluster.config.serverless.usage_limits.provisioned_virtual_cpus == 4  # type: ignore[union-attr]


@covers("CockroachCloud_DeleteCluster")
async def _delete_cluster(c: Ctx) -> None:
    cid = await c.standard()
    deleted = await c.cloud.clusters.delete(cid)
    assert deleted.id == cid
    assert [x.id for x in await collect(c.cloud.clusters.list())] == []


@covers("CockroachCloud_GetConnectionString")
async def _connection_string(c: Ctx) -> None:
    cid = await c.advanced()
    user = await c.sql_user(cid)
    conn = await c.cloud.clusters.get_connection_string(cid, sql_user=user, database="defaultdb")
    assert conn.connection_string.startswith(f"postgresql://{user}@")


@covers("CockroachCloud_ListAvailableRegions")
async def _available_regions(c: Ctx) -> None:
    regions = await collect(c.cloud.clusters.list_available_regions(provider="GCP"))
    assert regions and {r.provider for r in regions} == {"GCP"}


@covers("CockroachCloud_ListMajorClusterVersions")
async def _major_versions(c: Ctx) -> None:
    versions = await collect(c.cloud.clusters.list_major_versions())
    assert "v24.3" in [v.version for v in versions]


@covers("CockroachCloud_ListClusterNodes")
async def _list_nodes(c: Ctx) -> None:
    cid = await c.advanced()
    nodes = await collect(c.cloud.clusters.list_nodes(cid, region_name="us-east-1"))
    assert len(nodes) == 3 and {n.region_name for n in nodes} == {"us-east-1"}


# --- backups and restores ---------------------------------------------------------------


@covers("CockroachCloud_GetBackupConfiguration")
async def _get_backup_config(c: Ctx) -> None:
    config = await c.cloud.backups.get_config(await c.advanced())
    assert config.enabled is True and config.frequency_minutes == 60


@covers("CockroachCloud_UpdateBackupConfiguration")
async def _update_backup_config(c: Ctx) -> None:
    cid = await c.advanced()
    config = await c.cloud.backups.update_config(cid, retention_days=7)
    assert config.retention_days == 7
    assert (await c.cloud.backups.get_config(cid)).retention_days == 7


@covers("CockroachCloud_ListBackups")
async def _list_backups(c: Ctx) -> None:
    backups = await collect(c.cloud.backups.list(await c.advanced()))
    assert len(backups) == 1 and backups[0].id


@covers("CockroachCloud_CreateRestore")
async def _create_restore(c: Ctx) -> None:
    cid = await c.advanced()
    restore = await c.cloud.restores.create(
        cid, type="DATABASE", objects=[{"database": "defaultdb"}]
    )
    assert restore.type == "DATABASE" and restore.status == "SUCCESS"


@covers("CockroachCloud_GetRestore")
async def _get_restore(c: Ctx) -> None:
    cid = await c.advanced()
    made = await c.cloud.restores.create(cid, type="DATABASE", objects=[{"database": "defaultdb"}])
    assert await c.cloud.restores.get(cid, made.id) == made


@covers("CockroachCloud_ListRestores")
async def _list_restores(c: Ctx) -> None:
    cid = await c.advanced()
    made = await c.cloud.restores.create(cid, type="DATABASE", objects=[{"database": "defaultdb"}])
    assert [r.id for r in await collect(c.cloud.restores.list(cid))] == [made.id]


# --- CMEK -------------------------------------------------------------------------------


@covers("CockroachCloud_EnableCMEKSpec")
async def _enable_cmek(c: Ctx) -> None:
    cid = await c.advanced()
    info = await c.cloud.cmek.enable(
        cid, region_specs=[{"region": "us-east-1", "key_spec": KMS_KEY}]
    )
    assert info.status == "ENABLED"


@covers("CockroachCloud_GetCMEKClusterInfo")
async def _get_cmek(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.cmek.enable(cid, region_specs=[{"region": "us-east-1", "key_spec": KMS_KEY}])
    info = await c.cloud.cmek.get(cid)
    assert info.status == "ENABLED" and info.region_infos[0].region == "us-east-1"  # type: ignore[index]


@covers("CockroachCloud_UpdateCMEKSpec")
async def _update_cmek_spec(c: Ctx) -> None:
    cid = await c.advanced()
    spec = [{"region": "us-east-1", "key_spec": KMS_KEY}]
    await c.cloud.cmek.enable(cid, region_specs=spec)
    rotated = await c.cloud.cmek.update_spec(cid, region_specs=spec)
    keys = rotated.region_infos[0].key_infos  # type: ignore[index]
    assert [k.status for k in keys] == ["DISABLED", "ENABLED"]  # type: ignore[union-attr]


@covers("CockroachCloud_UpdateCMEKStatus")
async def _update_cmek_status(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.cmek.enable(cid, region_specs=[{"region": "us-east-1", "key_spec": KMS_KEY}])
    assert (await c.cloud.cmek.update_status(cid, action="REVOKE")).status == "REVOKED"


# --- SQL users and databases ------------------------------------------------------------


@covers("CockroachCloud_CreateSQLUser")
async def _create_sql_user(c: Ctx) -> None:
    user = await c.cloud.sql_users.create(await c.advanced(), name="alice", password="pa55-word")
    assert user.name == "alice"


@covers("CockroachCloud_ListSQLUsers")
async def _list_sql_users(c: Ctx) -> None:
    cid = await c.advanced()
    await c.sql_user(cid, "alice")
    await c.sql_user(cid, "bob")
    users = await collect(c.cloud.sql_users.list(cid, limit=1))
    assert [u.name for u in users] == ["alice", "bob"]


@covers("CockroachCloud_UpdateSQLUserPassword")
async def _sql_user_password(c: Ctx) -> None:
    cid = await c.advanced()
    name = await c.sql_user(cid)
    user = await c.cloud.sql_users.update_password(cid, name, password="rotated-pass-2")
    assert user.name == name


@covers("CockroachCloud_DeleteSQLUser")
async def _delete_sql_user(c: Ctx) -> None:
    cid = await c.advanced()
    name = await c.sql_user(cid)
    assert (await c.cloud.sql_users.delete(cid, name)).name == name
    assert await collect(c.cloud.sql_users.list(cid)) == []


@covers("CockroachCloud_CreateDatabase")
async def _create_database(c: Ctx) -> None:
    db = await c.cloud.databases.create(await c.advanced(), name="shop")
    assert db.name == "shop" and db.table_count == 0


@covers("CockroachCloud_ListDatabases")
async def _list_databases(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.databases.create(cid, name="shop")
    names = [d.name for d in await collect(c.cloud.databases.list(cid))]
    assert names == ["defaultdb", "postgres", "shop"]


@covers("CockroachCloud_EditDatabase")
async def _rename_database(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.databases.create(cid, name="shop")
    assert (await c.cloud.databases.rename(cid, "shop", new_name="store")).name == "store"


@covers("CockroachCloud_EditDatabase2")
async def _rename_database_via_body(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.databases.create(cid, name="shop")
    db = await c.cloud.databases.rename_via_body(cid, name="shop", new_name="outlet")
    assert db.name == "outlet"


@covers("CockroachCloud_DeleteDatabase")
async def _delete_database(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.databases.create(cid, name="shop")
    assert (await c.cloud.databases.delete(cid, "shop")).name == "shop"


# --- networking -------------------------------------------------------------------------


@covers("CockroachCloud_AddAllowlistEntry")
async def _add_allowlist(c: Ctx) -> None:
    cid = await c.advanced()
    entry = await c.cloud.allowlist.add(
        cid, cidr_ip="10.0.0.0", cidr_mask=8, ui=True, sql=False, name="office"
    )
    assert (entry.cidr_ip, entry.cidr_mask, entry.name) == ("10.0.0.0", 8, "office")


@covers("CockroachCloud_AddAllowlistEntry2")
async def _set_allowlist(c: Ctx) -> None:
    cid = await c.advanced()
    entry = await c.cloud.allowlist.set(cid, "192.168.1.0", 24, ui=False, sql=True)
    assert entry.cidr_ip == "192.168.1.0" and entry.sql is True


@covers("CockroachCloud_ListAllowlistEntries")
async def _list_allowlist(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.allowlist.add(cid, cidr_ip="10.0.0.0", cidr_mask=8, ui=True, sql=True)
    entries = await collect(c.cloud.allowlist.list(cid))
    assert [(e.cidr_ip, e.cidr_mask) for e in entries] == [("10.0.0.0", 8)]


@covers("CockroachCloud_UpdateAllowlistEntry")
async def _update_allowlist(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.allowlist.add(cid, cidr_ip="10.0.0.0", cidr_mask=8, ui=True, sql=False)
    entry = await c.cloud.allowlist.update(cid, "10.0.0.0", 8, ui=False, sql=True)
    assert entry.sql is True and entry.ui is False


@covers("CockroachCloud_DeleteAllowlistEntry")
async def _delete_allowlist(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.allowlist.add(cid, cidr_ip="10.0.0.0", cidr_mask=8, ui=True, sql=True)
    assert (await c.cloud.allowlist.delete(cid, "10.0.0.0", 8)).cidr_ip == "10.0.0.0"
    assert await collect(c.cloud.allowlist.list(cid)) == []


async def _with_endpoint(c: Ctx) -> str:
    cid = await c.advanced()
    await c.cloud.private_endpoints.create_services(cid)
    await c.cloud.private_endpoints.add_connection(cid, endpoint_id="vpce-1")
    return cid


@covers("CockroachCloud_CreatePrivateEndpointServices")
async def _create_pe_services(c: Ctx) -> None:
    services = await c.cloud.private_endpoints.create_services(await c.advanced())
    assert [s.region_name for s in services.services] == ["us-east-1"]


@covers("CockroachCloud_ListPrivateEndpointServices")
async def _list_pe_services(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.private_endpoints.create_services(cid)
    services = await collect(c.cloud.private_endpoints.list_services(cid))
    assert [s.region_name for s in services] == ["us-east-1"]


@covers("CockroachCloud_AddPrivateEndpointConnection")
async def _add_pe_connection(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.private_endpoints.create_services(cid)
    conn = await c.cloud.private_endpoints.add_connection(cid, endpoint_id="vpce-1")
    assert conn.endpoint_id == "vpce-1"


@covers("CockroachCloud_ListPrivateEndpointConnections")
async def _list_pe_connections(c: Ctx) -> None:
    cid = await _with_endpoint(c)
    conns = await collect(c.cloud.private_endpoints.list_connections(cid))
    assert [x.endpoint_id for x in conns] == ["vpce-1"]


@covers("CockroachCloud_ListAwsEndpointConnections")
async def _list_aws_connections(c: Ctx) -> None:
    cid = await _with_endpoint(c)
    conns = await collect(c.cloud.private_endpoints.list_aws_connections(cid))
    assert [(x.endpoint_id, x.status) for x in conns] == [("vpce-1", "AVAILABLE")]


@covers("CockroachCloud_SetAwsEndpointConnectionState")
async def _set_aws_connection(c: Ctx) -> None:
    cid = await _with_endpoint(c)
    conn = await c.cloud.private_endpoints.set_aws_connection_state(
        cid, "vpce-1", status="REJECTED"
    )
    assert conn.endpoint_id == "vpce-1" and conn.status == "REJECTED"


@covers("CockroachCloud_DeletePrivateEndpointConnection")
async def _delete_pe_connection(c: Ctx) -> None:
    cid = await _with_endpoint(c)
    assert await c.cloud.private_endpoints.delete_connection(cid, "vpce-1") == {}
    assert await collect(c.cloud.private_endpoints.list_connections(cid)) == []


async def _with_owner(c: Ctx) -> tuple[str, str]:
    cid = await c.advanced()
    added = await c.cloud.private_endpoints.add_trusted_owner(
        cid, type="AWS_ACCOUNT_ID", external_owner_id="123456789012"
    )
    return cid, added.trusted_owner.id  # type: ignore[union-attr]


@covers("CockroachCloud_AddPrivateEndpointTrustedOwner")
async def _add_trusted_owner(c: Ctx) -> None:
    cid = await c.advanced()
    added = await c.cloud.private_endpoints.add_trusted_owner(
        cid, type="AWS_ACCOUNT_ID", external_owner_id="123456789012"
    )
    assert added.trusted_owner.external_owner_id == "123456789012"  # type: ignore[union-attr]


@covers("CockroachCloud_GetPrivateEndpointTrustedOwner")
async def _get_trusted_owner(c: Ctx) -> None:
    cid, oid = await _with_owner(c)
    got = await c.cloud.private_endpoints.get_trusted_owner(cid, oid)
    assert got.trusted_owner.id == oid  # type: ignore[union-attr]


@covers("CockroachCloud_ListPrivateEndpointTrustedOwners")
async def _list_trusted_owners(c: Ctx) -> None:
    cid, oid = await _with_owner(c)
    owners = await collect(c.cloud.private_endpoints.list_trusted_owners(cid))
    assert [o.id for o in owners] == [oid]


@covers("CockroachCloud_RemovePrivateEndpointTrustedOwner")
async def _remove_trusted_owner(c: Ctx) -> None:
    cid, oid = await _with_owner(c)
    removed = await c.cloud.private_endpoints.remove_trusted_owner(cid, oid)
    assert removed.trusted_owner.id == oid  # type: ignore[union-attr]


EGRESS_RULE: dict[str, Any] = {
    "name": "kafka",
    "type": "FQDN",
    "destination": "kafka.example.com",
    "description": "sink",
    "ports": [9092],
}


async def _with_rule(c: Ctx) -> tuple[str, str]:
    cid = await c.advanced()
    added = await c.cloud.egress_rules.add(cid, **EGRESS_RULE)
    return cid, added.rule.id  # type: ignore[union-attr]


@covers("CockroachCloud_SetEgressTrafficPolicy")
async def _egress_policy(c: Ctx) -> None:
    cid = await c.advanced()
    assert await c.cloud.egress_rules.set_traffic_policy(cid, allow_all=False) == {}
    assert (await c.cloud.clusters.get(cid)).egress_traffic_policy == "DEFAULT_DENY"


@covers("CockroachCloud_AddEgressRule")
async def _add_egress_rule(c: Ctx) -> None:
    added = await c.cloud.egress_rules.add(await c.advanced(), **EGRESS_RULE)
    assert added.rule.name == "kafka" and added.rule.ports == [9092]  # type: ignore[union-attr]


@covers("CockroachCloud_GetEgressRule")
async def _get_egress_rule(c: Ctx) -> None:
    cid, rid = await _with_rule(c)
    got = await c.cloud.egress_rules.get(cid, rid)
    assert got.rule.id == rid  # type: ignore[union-attr]


@covers("CockroachCloud_ListEgressRules")
async def _list_egress_rules(c: Ctx) -> None:
    cid, rid = await _with_rule(c)
    assert [r.id for r in await collect(c.cloud.egress_rules.list(cid))] == [rid]


@covers("CockroachCloud_EditEgressRule")
async def _edit_egress_rule(c: Ctx) -> None:
    cid, rid = await _with_rule(c)
    edited = await c.cloud.egress_rules.update(cid, rid, ports=[9093])
    assert edited.rule.ports == [9093]  # type: ignore[union-attr]


@covers("CockroachCloud_DeleteEgressRule")
async def _delete_egress_rule(c: Ctx) -> None:
    cid, rid = await _with_rule(c)
    deleted = await c.cloud.egress_rules.delete(cid, rid)
    assert deleted.rule.id == rid  # type: ignore[union-attr]


async def _with_egress_endpoint(c: Ctx) -> tuple[str, str]:
    cid = await c.advanced()
    ep = await c.cloud.egress_private_endpoints.create(
        cid,
        region="us-east-1",
        target_service_identifier="com.amazonaws.vpce.svc-1",
        target_service_type="PRIVATE_SERVICE",
    )
    return cid, ep.id


@covers("CockroachCloud_CreateEgressPrivateEndpoint")
async def _create_egress_endpoint(c: Ctx) -> None:
    cid, eid = await _with_egress_endpoint(c)
    ep = await c.cloud.egress_private_endpoints.get(cid, eid)
    assert ep.target_service_identifier == "com.amazonaws.vpce.svc-1"


@covers("CockroachCloud_GetEgressPrivateEndpoint")
async def _get_egress_endpoint(c: Ctx) -> None:
    cid, eid = await _with_egress_endpoint(c)
    ep = await c.cloud.egress_private_endpoints.get(cid, eid)
    assert ep.id == eid and ep.region == "us-east-1"


@covers("CockroachCloud_ListEgressPrivateEndpoints")
async def _list_egress_endpoints(c: Ctx) -> None:
    cid, eid = await _with_egress_endpoint(c)
    assert [e.id for e in await collect(c.cloud.egress_private_endpoints.list(cid))] == [eid]


@covers("CockroachCloud_UpdateEgressPrivateEndpoint")
async def _update_egress_endpoint(c: Ctx) -> None:
    cid, eid = await _with_egress_endpoint(c)
    ep = await c.cloud.egress_private_endpoints.update(cid, eid, domain_names=["db.example.com"])
    assert ep.domain_names == ["db.example.com"] and ep.domain_names_state == "AVAILABLE"


@covers("CockroachCloud_UpdateEgressPrivateEndpointDomainNames")
async def _update_egress_domain_names(c: Ctx) -> None:
    cid, eid = await _with_egress_endpoint(c)
    with pytest.warns(DeprecationWarning):
        got = await c.cloud.egress_private_endpoints.update_domain_names(
            cid, eid, domain_names=["db.example.com"]
        )
    assert got == {}
    ep = await c.cloud.egress_private_endpoints.get(cid, eid)
    assert ep.domain_names == ["db.example.com"]


@covers("CockroachCloud_DeleteEgressPrivateEndpoint")
async def _delete_egress_endpoint(c: Ctx) -> None:
    cid, eid = await _with_egress_endpoint(c)
    assert await c.cloud.egress_private_endpoints.delete(cid, eid) == {}
    assert await collect(c.cloud.egress_private_endpoints.list(cid)) == []


# --- exports ----------------------------------------------------------------------------


async def _with_log_export(c: Ctx) -> str:
    cid = await c.advanced()
    await c.cloud.log_export.enable(
        cid, type="AWS_CLOUDWATCH", log_name="crdb", auth_principal="arn:aws:iam::1:role/r"
    )
    return cid


@covers("CockroachCloud_EnableLogExport")
async def _enable_log_export(c: Ctx) -> None:
    info = await c.cloud.log_export.enable(
        await c.advanced(),
        type="AWS_CLOUDWATCH",
        log_name="crdb",
        auth_principal="arn:aws:iam::1:role/r",
    )
    assert info.status == "ENABLED" and info.spec.log_name == "crdb"  # type: ignore[union-attr]


@covers("CockroachCloud_GetLogExportInfo")
async def _get_log_export(c: Ctx) -> None:
    cid = await _with_log_export(c)
    info = await c.cloud.log_export.get(cid)
    assert info.cluster_id == cid and info.status == "ENABLED"


@covers("CockroachCloud_DeleteLogExport")
async def _disable_log_export(c: Ctx) -> None:
    cid = await _with_log_export(c)
    assert (await c.cloud.log_export.disable(cid)).status == "DISABLED"


@covers("CockroachCloud_EnableDatadogMetricExport")
async def _enable_datadog(c: Ctx) -> None:
    info = await c.cloud.metric_export.enable_datadog(
        await c.advanced(), site="US1", api_key="abcdef123456"
    )
    assert info.site == "US1" and info.api_key.endswith("3456")  # type: ignore[union-attr]
    assert "abcdef" not in info.api_key  # type: ignore[operator]


@covers("CockroachCloud_GetDatadogMetricExportInfo")
async def _get_datadog(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.metric_export.enable_datadog(cid, site="US1", api_key="abcdef123456")
    assert (await c.cloud.metric_export.get_datadog(cid)).site == "US1"


@covers("CockroachCloud_DeleteDatadogMetricExport")
async def _disable_datadog(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.metric_export.enable_datadog(cid, site="US1", api_key="abcdef123456")
    deleted = await c.cloud.metric_export.disable_datadog(cid)
    assert deleted.cluster_id == cid and deleted.status == "NOT_DEPLOYED"


ROLE_ARN = "arn:aws:iam::123456789012:role/metrics"


@covers("CockroachCloud_EnableCloudWatchMetricExport")
async def _enable_cloudwatch(c: Ctx) -> None:
    info = await c.cloud.metric_export.enable_cloudwatch(await c.advanced(), role_arn=ROLE_ARN)
    assert info.role_arn == ROLE_ARN


@covers("CockroachCloud_GetCloudWatchMetricExportInfo")
async def _get_cloudwatch(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.metric_export.enable_cloudwatch(cid, role_arn=ROLE_ARN)
    info = await c.cloud.metric_export.get_cloudwatch(cid)
    assert info.role_arn == ROLE_ARN and info.status == "ENABLED"


@covers("CockroachCloud_DeleteCloudWatchMetricExport")
async def _disable_cloudwatch(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.metric_export.enable_cloudwatch(cid, role_arn=ROLE_ARN)
    assert (await c.cloud.metric_export.disable_cloudwatch(cid)).status == "NOT_DEPLOYED"


@covers("CockroachCloud_EnablePrometheusMetricExport")
async def _enable_prometheus(c: Ctx) -> None:
    info = await c.cloud.metric_export.enable_prometheus(await c.advanced())
    assert set(info.targets) == {"us-east-1"}  # type: ignore[arg-type]


@covers("CockroachCloud_GetPrometheusMetricExportInfo")
async def _get_prometheus(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.metric_export.enable_prometheus(cid)
    assert set((await c.cloud.metric_export.get_prometheus(cid)).targets) == {"us-east-1"}  # type: ignore[arg-type]


@covers("CockroachCloud_DeletePrometheusMetricExport")
async def _disable_prometheus(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.metric_export.enable_prometheus(cid)
    assert (await c.cloud.metric_export.disable_prometheus(cid)).status == "NOT_DEPLOYED"


# --- maintenance, blackout windows, version deferral, disruption, client CA ---------------


WINDOW: dict[str, Any] = {"offset_duration": "3600s", "window_duration": "28800s"}
JAN_1 = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)


@covers("CockroachCloud_SetMaintenanceWindow")
async def _set_maintenance(c: Ctx) -> None:
    window = await c.cloud.maintenance_windows.set(await c.advanced(), **WINDOW)
    assert window.window_duration == "28800s"


@covers("CockroachCloud_GetMaintenanceWindow")
async def _get_maintenance(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.maintenance_windows.set(cid, **WINDOW)
    window = await c.cloud.maintenance_windows.get(cid)
    assert window.offset_duration == "3600s"


@covers("CockroachCloud_DeleteMaintenanceWindow")
async def _delete_maintenance(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.maintenance_windows.set(cid, **WINDOW)
    window = await c.cloud.maintenance_windows.delete(cid)
    assert window.window_duration == "28800s"


async def _with_blackout(c: Ctx) -> tuple[str, str]:
    cid = await c.advanced()
    made = await c.cloud.blackout_windows.create(
        cid, start_time=JAN_1, end_time=JAN_1 + datetime.timedelta(days=2)
    )
    return cid, made.id


@covers("CockroachCloud_CreateBlackoutWindow")
async def _create_blackout(c: Ctx) -> None:
    cid = await c.advanced()
    made = await c.cloud.blackout_windows.create(
        cid, start_time=JAN_1, end_time=JAN_1 + datetime.timedelta(days=2)
    )
    assert made.cluster_id == cid and made.start_time == JAN_1


@covers("CockroachCloud_GetBlackoutWindow")
async def _get_blackout(c: Ctx) -> None:
    cid, bid = await _with_blackout(c)
    assert (await c.cloud.blackout_windows.get(cid, bid)).id == bid


@covers("CockroachCloud_ListBlackoutWindows")
async def _list_blackouts(c: Ctx) -> None:
    cid, bid = await _with_blackout(c)
    assert [w.id for w in await collect(c.cloud.blackout_windows.list(cid))] == [bid]


@covers("CockroachCloud_UpdateBlackoutWindow")
async def _update_blackout(c: Ctx) -> None:
    cid, bid = await _with_blackout(c)
    end = JAN_1 + datetime.timedelta(days=4)
    assert (await c.cloud.blackout_windows.update(cid, bid, end_time=end)).end_time == end


@covers("CockroachCloud_DeleteBlackoutWindow")
async def _delete_blackout(c: Ctx) -> None:
    cid, bid = await _with_blackout(c)
    assert (await c.cloud.blackout_windows.delete(cid, bid)).id == bid
    assert await collect(c.cloud.blackout_windows.list(cid)) == []


@covers("CockroachCloud_GetClusterVersionDeferral")
async def _get_deferral(c: Ctx) -> None:
    deferral = await c.cloud.version_deferral.get(await c.advanced())
    assert deferral.deferral_policy == "NOT_DEFERRED"


@covers("CockroachCloud_SetClusterVersionDeferral")
async def _set_deferral(c: Ctx) -> None:
    cid = await c.advanced()
    deferral = await c.cloud.version_deferral.set(cid, deferral_policy="DEFERRAL_30_DAYS")
    assert deferral.deferral_policy == "DEFERRAL_30_DAYS"


DISRUPTION = [{"region_code": "us-east-1", "is_whole_region": True}]


@covers("CockroachCloud_UpdateClusterDisruption")
async def _update_disruption(c: Ctx) -> None:
    info = await c.cloud.disruption.update(
        await c.advanced(), regional_disruptor_specifications=DISRUPTION
    )
    assert info.regional_disruptor_specifications[0].region_code == "us-east-1"


@covers("CockroachCloud_GetClusterDisruptionInfo")
async def _get_disruption(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.disruption.update(cid, regional_disruptor_specifications=DISRUPTION)
    info = await c.cloud.disruption.get(cid)
    assert info.regional_disruptor_specifications[0].is_whole_region is True


@covers("CockroachCloud_GetClientCACert")
async def _get_client_ca(c: Ctx) -> None:
    assert (await c.cloud.client_ca_certs.get(await c.advanced())).status == "NOT_SET"


@covers("CockroachCloud_SetClientCACert")
async def _set_client_ca(c: Ctx) -> None:
    info = await c.cloud.client_ca_certs.set(await c.advanced(), x509_pem_cert=PEM)
    assert info.status == "IS_SET"


@covers("CockroachCloud_UpdateClientCACert")
async def _update_client_ca(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.client_ca_certs.set(cid, x509_pem_cert=PEM)
    assert (await c.cloud.client_ca_certs.update(cid, x509_pem_cert=PEM)).status == "IS_SET"


@covers("CockroachCloud_DeleteClientCACert")
async def _delete_client_ca(c: Ctx) -> None:
    cid = await c.advanced()
    await c.cloud.client_ca_certs.set(cid, x509_pem_cert=PEM)
    assert (await c.cloud.client_ca_certs.delete(cid)).status == "NOT_SET"


# --- physical replication ---------------------------------------------------------------


@covers("CockroachCloud_CreatePhysicalReplicationStream")
async def _create_stream(c: Ctx) -> None:
    primary = await c.advanced("primary-1")
    standby = await c.advanced("standby-1")
    stream = await c.cloud.replication.create_stream(
        primary_cluster_id=primary, standby_cluster_id=standby
    )
    assert stream.status == "STARTING" and stream.primary_cluster_id == primary


@covers("CockroachCloud_GetPhysicalReplicationStream")
async def _get_stream(c: Ctx) -> None:
    sid = await c.stream()
    stream = await c.cloud.replication.get_stream(sid)
    assert stream.id == sid and stream.status == "REPLICATING"


@covers("CockroachCloud_ListPhysicalReplicationStreams")
async def _list_streams(c: Ctx) -> None:
    sid = await c.stream()
    assert [s.id for s in await collect(c.cloud.replication.list_streams())] == [sid]


@covers("CockroachCloud_UpdatePhysicalReplicationStream")
async def _update_stream(c: Ctx) -> None:
    sid = await c.stream()
    stream = await c.cloud.replication.update_stream(sid, status="CANCELED")
    assert stream.status == "CANCELED"


# --- organization, folders, invoices, audit logs ----------------------------------------


@covers("CockroachCloud_GetOrganizationInfo")
async def _organization(c: Ctx) -> None:
    org = await c.cloud.organization.get()
    assert org.id and org.name


@covers("CockroachCloud_CreateFolder")
async def _create_folder(c: Ctx) -> None:
    folder = await c.cloud.folders.create(name="prod", labels={"env": "prod"})
    assert folder.name == "prod" and folder.labels == {"env": "prod"}


@covers("CockroachCloud_GetFolder")
async def _get_folder(c: Ctx) -> None:
    fid = await c.folder()
    assert (await c.cloud.folders.get(fid)).name == "team-a"


@covers("CockroachCloud_ListFolders")
async def _list_folders(c: Ctx) -> None:
    fid = await c.folder()
    assert [f.resource_id for f in await collect(c.cloud.folders.list())] == [fid]


@covers("CockroachCloud_ListFolderContents")
async def _folder_contents(c: Ctx) -> None:
    parent = await c.folder("apps")
    child = await c.cloud.folders.create(name="eu", parent_id=parent)
    contents = await collect(c.cloud.folders.list_contents(parent))
    assert [r.resource_id for r in contents] == [child.resource_id]


@covers("CockroachCloud_UpdateFolder")
async def _update_folder(c: Ctx) -> None:
    fid = await c.folder()
    folder = await c.cloud.folders.update(fid, name="team-b")
    assert folder.name == "team-b" and folder.labels == {"env": "prod"}


@covers("CockroachCloud_DeleteFolder")
async def _delete_folder(c: Ctx) -> None:
    fid = await c.folder()
    assert await c.cloud.folders.delete(fid) == {}
    assert await collect(c.cloud.folders.list()) == []


@covers("CockroachCloud_ListInvoices")
async def _list_invoices(c: Ctx) -> None:
    invoices = await collect(c.cloud.invoices.list())
    assert invoices and all(i.invoice_id for i in invoices)


@covers("CockroachCloud_GetInvoice")
async def _get_invoice(c: Ctx) -> None:
    first = (await collect(c.cloud.invoices.list()))[0]
    assert await c.cloud.invoices.get(first.invoice_id) == first


@covers("CockroachCloud_ListAuditLogs")
async def _audit_logs(c: Ctx) -> None:
    await c.folder()
    page = await c.cloud.audit_logs.list_page(limit=10)
    assert isinstance(page.entries, list) and page.entries


# --- roles, service accounts, API keys, JWT issuers -------------------------------------


@covers("CockroachCloud_CreateServiceAccount")
async def _create_service_account(c: Ctx) -> None:
    account = await c.cloud.service_accounts.create(
        name="ci",
        description="CI",
        roles=[{"name": "ORG_MEMBER", "resource": {"type": "ORGANIZATION"}}],
    )
    assert account.name == "ci" and account.roles[0].name == "ORG_MEMBER"


@covers("CockroachCloud_GetServiceAccount")
async def _get_service_account(c: Ctx) -> None:
    sid = await c.service_account()
    assert (await c.cloud.service_accounts.get(sid)).name == "ci-deployer"


@covers("CockroachCloud_ListServiceAccounts")
async def _list_service_accounts(c: Ctx) -> None:
    sid = await c.service_account()
    assert [a.id for a in await collect(c.cloud.service_accounts.list())] == [sid]


@covers("CockroachCloud_UpdateServiceAccount")
async def _update_service_account(c: Ctx) -> None:
    sid = await c.service_account()
    assert (await c.cloud.service_accounts.update(sid, name="ci-bot")).name == "ci-bot"


@covers("CockroachCloud_DeleteServiceAccount")
async def _delete_service_account(c: Ctx) -> None:
    sid = await c.service_account()
    assert (await c.cloud.service_accounts.delete(sid)).id == sid


async def _with_api_key(c: Ctx) -> tuple[str, str]:
    sid = await c.service_account()
    made = await c.cloud.api_keys.create(name="laptop", service_account_id=sid)
    return sid, made.api_key.id  # type: ignore[union-attr]


@covers("CockroachCloud_CreateApiKey")
async def _create_api_key(c: Ctx) -> None:
    sid = await c.service_account()
    made = await c.cloud.api_keys.create(name="laptop", service_account_id=sid)
    assert made.secret and made.api_key.name == "laptop"  # type: ignore[union-attr]


@covers("CockroachCloud_GetApiKey")
async def _get_api_key(c: Ctx) -> None:
    sid, kid = await _with_api_key(c)
    key = await c.cloud.api_keys.get(kid)
    assert key.id == kid and key.service_account_id == sid


@covers("CockroachCloud_ListApiKeys")
async def _list_api_keys(c: Ctx) -> None:
    sid, kid = await _with_api_key(c)
    assert [k.id for k in await collect(c.cloud.api_keys.list(service_account_id=sid))] == [kid]


@covers("CockroachCloud_UpdateApiKey")
async def _update_api_key(c: Ctx) -> None:
    _, kid = await _with_api_key(c)
    assert (await c.cloud.api_keys.update(kid, name="desktop")).name == "desktop"


@covers("CockroachCloud_DeleteApiKey")
async def _delete_api_key(c: Ctx) -> None:
    _, kid = await _with_api_key(c)
    assert (await c.cloud.api_keys.delete(kid)).id == kid


ISSUER: dict[str, Any] = {
    "issuer_url": "https://idp.example.com",
    "audience": "ccloud",
    "identity_map": [{"token_identity": "/(.*)@example.com/", "cc_identity": "\\1"}],
}


@covers("CockroachCloud_AddJWTIssuer")
async def _add_issuer(c: Ctx) -> None:
    issuer = await c.cloud.jwt_issuers.add(**ISSUER)
    assert issuer.issuer_url == "https://idp.example.com" and issuer.claim == "sub"


@covers("CockroachCloud_GetJWTIssuer")
async def _get_issuer(c: Ctx) -> None:
    made = await c.cloud.jwt_issuers.add(**ISSUER)
    assert await c.cloud.jwt_issuers.get(made.id) == made


@covers("CockroachCloud_ListJWTIssuers")
async def _list_issuers(c: Ctx) -> None:
    made = await c.cloud.jwt_issuers.add(**ISSUER)
    assert [i.id for i in await collect(c.cloud.jwt_issuers.list())] == [made.id]


@covers("CockroachCloud_UpdateJWTIssuer")
async def _update_issuer(c: Ctx) -> None:
    made = await c.cloud.jwt_issuers.add(**ISSUER)
    issuer = await c.cloud.jwt_issuers.update(made.id, audience="other", claim="email")
    assert (issuer.audience, issuer.claim) == ("other", "email")


@covers("CockroachCloud_DeleteJWTIssuer")
async def _delete_issuer(c: Ctx) -> None:
    made = await c.cloud.jwt_issuers.add(**ISSUER)
    assert (await c.cloud.jwt_issuers.delete(made.id)).id == made.id


ORG_MEMBER = {"name": "ORG_MEMBER", "resource": {"type": "ORGANIZATION"}}


@covers("CockroachCloud_GetAllRolesForUser")
async def _roles_for_user(c: Ctx) -> None:
    sid = await c.service_account()
    roles = await c.cloud.roles.list_for_user(sid)
    assert [r.name for r in roles.roles] == ["ORG_ADMIN"]  # type: ignore[union-attr]


@covers("CockroachCloud_SetRolesForUser")
async def _set_roles(c: Ctx) -> None:
    sid = await c.service_account()
    roles = await c.cloud.roles.set_for_user(sid, roles=[ORG_MEMBER])
    assert [r.name for r in roles.roles] == ["ORG_MEMBER"]  # type: ignore[union-attr]


@covers("CockroachCloud_AddUserToRole")
async def _add_role(c: Ctx) -> None:
    sid = await c.service_account()
    fid = await c.folder()
    roles = await c.cloud.roles.add_user(sid, "FOLDER", fid, "FOLDER_ADMIN")
    assert "FOLDER_ADMIN" in [r.name for r in roles.roles]  # type: ignore[union-attr]


@covers("CockroachCloud_RemoveUserFromRole")
async def _remove_role(c: Ctx) -> None:
    sid = await c.service_account()
    fid = await c.folder()
    await c.cloud.roles.add_user(sid, "FOLDER", fid, "FOLDER_ADMIN")
    roles = await c.cloud.roles.remove_user(sid, "FOLDER", fid, "FOLDER_ADMIN")
    assert "FOLDER_ADMIN" not in [r.name for r in roles.roles]  # type: ignore[union-attr]


@covers("CockroachCloud_ListRoleGrants")
async def _list_grants(c: Ctx) -> None:
    sid = await c.service_account()
    grants = await collect(c.cloud.roles.list_grants())
    assert sid in [g.user_id for g in grants]


@covers("CockroachCloud_GetPersonUsersByEmail")
async def _persons_by_email(c: Ctx) -> None:
    uid = await c.scim_user("ada@acme.example")
    found = await c.cloud.roles.find_users_by_email(email="ada@acme.example")
    assert found.user.id == uid  # type: ignore[union-attr]


# --- SCIM -------------------------------------------------------------------------------


@covers("CockroachCloud_CreateUser")
async def _scim_create_user(c: Ctx) -> None:
    user = await c.cloud.scim.create_user(
        schemas=[USER_URN],
        user_name="grace@acme.example",
        emails=[{"value": "grace@acme.example", "primary": True}],
    )
    assert user.id and user.user_name == "grace@acme.example"


@covers("CockroachCloud_GetUser")
async def _scim_get_user(c: Ctx) -> None:
    uid = await c.scim_user()
    assert (await c.cloud.scim.get_user(uid)).user_name == "ada@acme.example"


@covers("CockroachCloud_GetUsers")
async def _scim_list_users(c: Ctx) -> None:
    uid = await c.scim_user()
    listing = await collect(c.cloud.scim.list_users(filter='userName eq "ada@acme.example"'))
    assert [u.id for u in listing] == [uid]


@covers("CockroachCloud_SearchUsers")
async def _scim_search_users(c: Ctx) -> None:
    uid = await c.scim_user()
    found = await c.cloud.scim.search_users(filter='userName eq "ada@acme.example"')
    assert [u.id for u in found.resources] == [uid]  # type: ignore[union-attr]


@covers("CockroachCloud_GetUsers2")
async def _scim_search_users_put(c: Ctx) -> None:
    uid = await c.scim_user()
    with pytest.warns(DeprecationWarning):
        found = await c.cloud.scim.search_users_with_put(count=10)
    assert [u.id for u in found.resources] == [uid]  # type: ignore[union-attr]


@covers("CockroachCloud_SearchUser")
async def _scim_search_user(c: Ctx) -> None:
    uid = await c.scim_user()
    user = await c.cloud.scim.search_user(uid, attributes="userName")
    assert user.id == uid and user.user_name == "ada@acme.example"


@covers("CockroachCloud_GetUser2")
async def _scim_search_user_put(c: Ctx) -> None:
    uid = await c.scim_user()
    with pytest.warns(DeprecationWarning):
        user = await c.cloud.scim.search_user_with_put(uid, attributes="userName")
    assert user.id == uid and user.user_name == "ada@acme.example"


@covers("CockroachCloud_PatchUser")
async def _scim_patch_user(c: Ctx) -> None:
    uid = await c.scim_user()
    user = await c.cloud.scim.patch_user(
        uid,
        schemas=[PATCH_URN],
        operations=[
            {"op": "replace", "path": "active", "value": False},
            {"op": "replace", "value": {"displayName": "Countess"}},
        ],
    )
    assert user.active is False and user.display_name == "Countess"


@covers("CockroachCloud_UpdateUser")
async def _scim_replace_user(c: Ctx) -> None:
    uid = await c.scim_user()
    user = await c.cloud.scim.replace_user(
        uid,
        schemas=[USER_URN],
        user_name="ada@new.example",
        emails=[{"value": "ada@new.example", "primary": True}],
        active=True,
    )
    assert user.id == uid and user.user_name == "ada@new.example"


@covers("CockroachCloud_DeleteUser")
async def _scim_delete_user(c: Ctx) -> None:
    uid = await c.scim_user()
    assert await c.cloud.scim.delete_user(uid) == {}
    assert await collect(c.cloud.scim.list_users()) == []


@covers("CockroachCloud_CreateGroup")
async def _scim_create_group(c: Ctx) -> None:
    uid = await c.scim_user()
    group = await c.cloud.scim.create_group(
        schemas=[GROUP_URN], display_name="dbas", members=[{"value": uid}]
    )
    assert group.display_name == "dbas" and [m.value for m in group.members] == [uid]  # type: ignore[union-attr]


@covers("CockroachCloud_GetGroup")
async def _scim_get_group(c: Ctx) -> None:
    gid = await c.scim_group()
    assert (await c.cloud.scim.get_group(gid)).display_name == "dbas"


@covers("CockroachCloud_GetGroups")
async def _scim_list_groups(c: Ctx) -> None:
    gid = await c.scim_group()
    listing = await collect(c.cloud.scim.list_groups(filter='displayName eq "dbas"'))
    assert [g.id for g in listing] == [gid]


@covers("CockroachCloud_SearchGroups")
async def _scim_search_groups(c: Ctx) -> None:
    gid = await c.scim_group()
    found = await c.cloud.scim.search_groups(filter='displayName eq "dbas"')
    assert [g.id for g in found.resources] == [gid]  # type: ignore[union-attr]


@covers("CockroachCloud_GetGroups2")
async def _scim_search_groups_put(c: Ctx) -> None:
    await c.scim_group()
    with pytest.warns(DeprecationWarning):
        found = await c.cloud.scim.search_groups_with_put(count=0)
    assert found.total_results == 1


@covers("CockroachCloud_SearchGroup")
async def _scim_search_group(c: Ctx) -> None:
    gid = await c.scim_group()
    group = await c.cloud.scim.search_group(gid, excluded_attributes="members")
    assert group.id == gid and group.display_name == "dbas"


@covers("CockroachCloud_GetGroup2")
async def _scim_search_group_put(c: Ctx) -> None:
    gid = await c.scim_group()
    with pytest.warns(DeprecationWarning):
        group = await c.cloud.scim.search_group_with_put(gid, excluded_attributes="members")
    assert group.id == gid and group.display_name == "dbas"


@covers("CockroachCloud_PatchGroup")
async def _scim_patch_group(c: Ctx) -> None:
    uid = await c.scim_user()
    gid = await c.scim_group()
    group = await c.cloud.scim.patch_group(
        gid,
        schemas=[PATCH_URN],
        operations=[{"op": "add", "path": "members", "value": [{"value": uid}]}],
    )
    assert [m.value for m in group.members] == [uid]  # type: ignore[union-attr]


@covers("CockroachCloud_UpdateGroup")
async def _scim_replace_group(c: Ctx) -> None:
    gid = await c.scim_group()
    group = await c.cloud.scim.replace_group(
        gid, schemas=[GROUP_URN], display_name="admins", members=[]
    )
    assert group.id == gid and group.display_name == "admins"


@covers("CockroachCloud_DeleteGroup")
async def _scim_delete_group(c: Ctx) -> None:
    gid = await c.scim_group()
    assert await c.cloud.scim.delete_group(gid) == {}
    assert await collect(c.cloud.scim.list_groups()) == []


@covers("CockroachCloud_GetServiceProviderConfig")
async def _scim_config(c: Ctx) -> None:
    config = await c.cloud.scim.get_service_provider_config()
    assert config.filter.supported is True  # type: ignore[union-attr]


@covers("CockroachCloud_GetResourceTypes")
async def _scim_resource_types(c: Ctx) -> None:
    types = await collect(c.cloud.scim.list_resource_types())
    assert sorted(t.schema for t in types) == sorted([USER_URN, GROUP_URN])


@covers("CockroachCloud_GetResourceType")
async def _scim_resource_type(c: Ctx) -> None:
    assert (await c.cloud.scim.get_resource_type("User")).schema == USER_URN


@covers("CockroachCloud_GetSchemas")
async def _scim_schemas(c: Ctx) -> None:
    schemas = await collect(c.cloud.scim.list_schemas())
    assert USER_URN in [s.id for s in schemas]


@covers("CockroachCloud_GetSchema")
async def _scim_schema(c: Ctx) -> None:
    schema = await c.cloud.scim.get_schema(USER_URN)
    assert schema.id == USER_URN and schema.attributes


# --- the tests --------------------------------------------------------------------------


def test_every_operation_has_a_scenario() -> None:
    assert len(OPERATIONS) == 144
    assert set(SCENARIOS) == set(OPERATIONS)


@pytest.fixture
async def ctx() -> AsyncIterator[Ctx]:
    async with FakeCloud(rate_limit=None, validate_responses=True) as fake:
        async with make_client(fake, limiter=None) as cloud:
            yield Ctx(cloud, fake)


@pytest.mark.parametrize("operation_id", sorted(SCENARIOS))
async def test_operation(ctx: Ctx, operation_id: str) -> None:
    op = OPERATIONS[operation_id]
    await SCENARIOS[operation_id](ctx)
    assert ctx.fake.stats.by_route[(op.http_method, op.path)] >= 1, f"{op.method} was not sent"
    assert ctx.fake.stats.invalid_responses == 0
