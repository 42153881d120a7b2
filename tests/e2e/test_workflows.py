"""The Cloud API guide's workflows, end to end through the SDK client and the emulator."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from ccloud_async import BadRequestError, CockroachCloud, NotFoundError
from ccloud_async.models import Cluster
from ccloud_async.testing import FakeCloud

from ..conftest import SERVERLESS, STANDARD

ADVANCED: dict[str, Any] = {
    "dedicated": {
        "region_nodes": {"us-central1": 3},
        "hardware": {"machine_spec": {"num_virtual_cpus": 4}, "storage_gib": 15},
    }
}


def _key(uri: str) -> dict[str, Any]:
    return {
        "region": "us-central1",
        "key_spec": {
            "type": "GCP_CLOUD_KMS",
            "uri": uri,
            "auth_principal": "crl-kms@example.iam.gserviceaccount.com",
        },
    }


async def _advanced(client: CockroachCloud, name: str = "advanced-one") -> Cluster:
    return await client.clusters.create(name=name, provider="GCP", spec=ADVANCED)


async def test_create_basic_standard_and_advanced(client: CockroachCloud, fake: FakeCloud) -> None:
    basic = await client.clusters.create(name="basic-one", provider="GCP", spec=SERVERLESS)
    standard = await client.clusters.create(name="standard-one", provider="AWS", spec=STANDARD)
    advanced = await _advanced(client)
    assert (basic.plan, standard.plan, advanced.plan) == ("BASIC", "STANDARD", "ADVANCED")
    assert (basic.state, standard.state, advanced.state) == ("CREATED",) * 3
    assert standard.cloud_provider == "AWS"
    assert basic.config.serverless is not None and advanced.config.dedicated is not None
    hardware = advanced.config.dedicated
    assert hardware.num_virtual_cpus == 4 and hardware.storage_gib == 15
    assert [(r.name, r.node_count) for r in advanced.regions] == [("us-central1", 3)]
    limits = standard.config.serverless.usage_limits
    assert limits.provisioned_virtual_cpus == 2
    assert fake.stats.applied["CockroachCloud_CreateCluster"] == 3
    assert len({basic.id, standard.id, advanced.id}) == 3


async def test_get_cluster_and_its_nodes(client: CockroachCloud) -> None:
    created = await _advanced(client)
    fetched = await client.clusters.get(created.id)
    assert (fetched.id, fetched.name, fetched.plan) == (created.id, "advanced-one", "ADVANCED")
    nodes = [n async for n in client.clusters.list_nodes(created.id)]
    assert len(nodes) == 3
    assert {n.region_name for n in nodes} == {"us-central1"}
    assert len({n.name for n in nodes}) == 3
    with pytest.raises(NotFoundError):
        await client.clusters.get("6b9d6f2e-0000-4000-8000-000000000000")


async def test_basic_usage_limits(client: CockroachCloud, fake: FakeCloud) -> None:
    basic = await client.clusters.create(name="basic-limits", provider="GCP", spec=SERVERLESS)
    big = 2**40  # beyond int32: the value travels as a string and comes back an int
    set_ = await client.clusters.update(
        basic.id,
        serverless={"usage_limits": {"request_unit_limit": 1000, "storage_mib_limit": 2048}},
    )
    limits = set_.config.serverless.usage_limits
    assert (limits.request_unit_limit, limits.storage_mib_limit) == (1000, 2048)
    assert isinstance(limits.request_unit_limit, int) and isinstance(limits.storage_mib_limit, int)
    raised = await client.clusters.update(
        basic.id,
        serverless={"usage_limits": {"request_unit_limit": big, "storage_mib_limit": 4096}},
    )
    assert raised.config.serverless.usage_limits.request_unit_limit == big
    again = (await client.clusters.get(basic.id)).config.serverless.usage_limits
    assert (again.request_unit_limit, again.storage_mib_limit) == (big, 4096)
    assert again.provisioned_virtual_cpus is None
    assert (await client.clusters.get(basic.id)).plan == "BASIC"
    assert fake.stats.applied["CockroachCloud_UpdateCluster"] == 2


async def test_standard_vcpu_change(client: CockroachCloud) -> None:
    standard = await client.clusters.create(name="standard-cpu", provider="GCP", spec=STANDARD)
    updated = await client.clusters.update(
        standard.id, serverless={"usage_limits": {"provisioned_virtual_cpus": 8}}
    )
    assert updated.config.serverless.usage_limits.provisioned_virtual_cpus == 8
    fetched = await client.clusters.get(standard.id)
    assert fetched.config.serverless.usage_limits.provisioned_virtual_cpus == 8
    assert fetched.plan == "STANDARD"


async def test_advanced_hardware_and_node_count_change(client: CockroachCloud) -> None:
    advanced = await _advanced(client)
    scaled = await client.clusters.update(
        advanced.id, dedicated={"hardware": {"machine_spec": {"num_virtual_cpus": 8}}}
    )
    assert scaled.config.dedicated.num_virtual_cpus == 8
    assert scaled.config.dedicated.machine_type == "n2-standard-8"
    assert scaled.config.dedicated.storage_gib == 15  # unchanged
    grown = await client.clusters.update(
        advanced.id, dedicated={"region_nodes": {"us-central1": 5, "us-east1": 3}}
    )
    assert sorted((r.name, r.node_count) for r in grown.regions) == [
        ("us-central1", 5),
        ("us-east1", 3),
    ]
    nodes = [n async for n in client.clusters.list_nodes(advanced.id)]
    assert len(nodes) == 8
    east = [n async for n in client.clusters.list_nodes(advanced.id, region_name="us-east1")]
    assert len(east) == 3
    with pytest.raises(BadRequestError, match="region_nodes"):
        await client.clusters.update(advanced.id, dedicated={"region_nodes": {"us-central1": 2}})
    assert (await client.clusters.get(advanced.id)).config.dedicated.num_virtual_cpus == 8


async def test_cmek_enable_status_rotate_modify_revoke(client: CockroachCloud) -> None:
    advanced = await _advanced(client)
    with pytest.raises(NotFoundError):
        await client.cmek.get(advanced.id)
    enabled = await client.cmek.enable(advanced.id, region_specs=[_key("projects/p/keys/k1")])
    assert enabled.status == "ENABLED"
    status = await client.cmek.get(advanced.id)
    assert status.status == "ENABLED"
    [region] = status.region_infos
    assert region.region == "us-central1" and region.status == "ENABLED"
    assert [k.spec.uri for k in region.key_infos] == ["projects/p/keys/k1"]

    # Rotate: a new key for the region; the old one is disabled, the new one enabled.
    rotated = await client.cmek.update_spec(advanced.id, region_specs=[_key("projects/p/keys/k2")])
    keys = rotated.region_infos[0].key_infos
    assert [(k.spec.uri, k.status) for k in keys] == [
        ("projects/p/keys/k1", "DISABLED"),
        ("projects/p/keys/k2", "ENABLED"),
    ]
    # Modify: the whole spec given as a body.
    modified = await client.cmek.update_spec(
        advanced.id, body={"region_specs": [_key("projects/p/keys/k3")]}
    )
    assert modified.region_infos[0].key_infos[-1].spec.uri == "projects/p/keys/k3"

    revoked = await client.cmek.update_status(advanced.id, action="REVOKE")
    assert revoked.status == "REVOKED"
    after = await client.cmek.get(advanced.id)
    assert after.status == "REVOKED" and after.region_infos[0].status == "REVOKED"
    assert "ENABLED" not in {k.status for k in after.region_infos[0].key_infos}


async def test_cmek_needs_an_advanced_cluster(client: CockroachCloud, fake: FakeCloud) -> None:
    basic = await client.clusters.create(name="basic-cmek", provider="GCP", spec=SERVERLESS)
    with pytest.raises(BadRequestError, match="ADVANCED"):
        await client.cmek.enable(basic.id, region_specs=[_key("projects/p/keys/k1")])
    assert fake.stats.applied["CockroachCloud_EnableCMEKSpec"] == 0


async def test_backup_configuration_and_restores(client: CockroachCloud) -> None:
    cluster = await _advanced(client)
    config = await client.backups.get_config(cluster.id)
    assert (config.enabled, config.frequency_minutes, config.retention_days) == (True, 60, 30)
    updated = await client.backups.update_config(
        cluster.id, frequency_minutes=240, retention_days=7
    )
    assert (updated.enabled, updated.frequency_minutes, updated.retention_days) == (True, 240, 7)
    again = await client.backups.get_config(cluster.id)
    assert (again.frequency_minutes, again.retention_days) == (240, 7)
    with pytest.raises(BadRequestError, match="frequency_minutes"):
        await client.backups.update_config(cluster.id, frequency_minutes=7)
    assert (await client.backups.get_config(cluster.id)).frequency_minutes == 240

    backups = [b async for b in client.backups.list(cluster.id)]
    assert backups, "a new cluster with backups enabled has its first backup"
    assert [r async for r in client.restores.list(cluster.id)] == []
    restore = await client.restores.create(cluster.id, type="CLUSTER", backup_id=backups[-1].id)
    assert restore.backup_id == backups[-1].id and restore.type == "CLUSTER"
    assert restore.status in ("PENDING", "SUCCESS")
    listed = [r async for r in client.restores.list(cluster.id)]
    assert [r.id for r in listed] == [restore.id]
    fetched = await client.restores.get(cluster.id, restore.id)
    assert fetched.id == restore.id and fetched.destination_cluster_name == "advanced-one"
    with pytest.raises(NotFoundError):
        await client.restores.get(cluster.id, "6b9d6f2e-0000-4000-8000-000000000000")


async def test_change_plan_basic_to_standard_and_back(client: CockroachCloud) -> None:
    basic = await client.clusters.create(name="plan-change", provider="GCP", spec=SERVERLESS)
    standard = await client.clusters.update(
        basic.id, plan="STANDARD", serverless={"usage_limits": {"provisioned_virtual_cpus": 2}}
    )
    assert standard.plan == "STANDARD"
    assert standard.config.serverless.usage_limits.provisioned_virtual_cpus == 2
    # A BASIC cluster has no provisioned vCPUs: going back while keeping them is refused.
    with pytest.raises(BadRequestError, match="provisioned_virtual_cpus"):
        await client.clusters.update(basic.id, plan="BASIC")
    assert (await client.clusters.get(basic.id)).plan == "STANDARD"
    back = await client.clusters.update(basic.id, plan="BASIC", serverless={"usage_limits": {}})
    assert back.plan == "BASIC"
    assert (await client.clusters.get(basic.id)).plan == "BASIC"


async def test_delete_keeps_the_cluster_readable(client: CockroachCloud, fake: FakeCloud) -> None:
    keep = await client.clusters.create(name="keep-me", provider="GCP", spec=SERVERLESS)
    gone = await client.clusters.create(name="delete-me", provider="GCP", spec=SERVERLESS)
    deleted = await client.clusters.delete(gone.id)
    assert deleted.state == "DELETED" and deleted.id == gone.id
    fetched = await client.clusters.get(gone.id)
    assert fetched.state == "DELETED" and fetched.name == "delete-me"
    assert [c.id async for c in client.clusters.list()] == [keep.id]
    everything = {c.id: c.state async for c in client.clusters.list(show_inactive=True)}
    assert everything == {keep.id: "CREATED", gone.id: "DELETED"}
    with pytest.raises(BadRequestError, match="deleted"):
        await client.clusters.delete(gone.id)
    assert fake.stats.applied["CockroachCloud_DeleteCluster"] == 1


async def test_audit_log_page_shows_mutations(client: CockroachCloud) -> None:
    before = await client.audit_logs.list_page()
    seen = {e.id for e in before.entries or []}
    folder = await client.folders.create(name="audited-folder")
    page = await client.audit_logs.list_page()
    new = [e for e in page.entries if e.id not in seen]
    assert [e.action for e in new] == ["AUDIT_LOG_ACTION_CREATE_FOLDER"]
    assert new[0].payload == "audited-folder"
    await client.folders.delete(folder.resource_id)
    newest = await client.audit_logs.list_page(sort_order="DESC", limit=1)
    assert newest.entries[0].action == "AUDIT_LOG_ACTION_DELETE_FOLDER"


async def test_invoices_list_and_get(client: CockroachCloud) -> None:
    listed = await client.invoices.list().to_list()
    assert listed, "the emulator seeds invoices"
    first = listed[0]
    one = await client.invoices.get(first.invoice_id)
    assert one.invoice_id == first.invoice_id
    assert one.period_start == first.period_start and one.status == first.status
    with pytest.raises(NotFoundError):
        await client.invoices.get("no-such-invoice")


async def test_list_clusters_with_and_without_inactive(client: CockroachCloud) -> None:
    names = ["list-alpha", "list-bravo", "list-charlie"]
    ids = [
        (await client.clusters.create(name=n, provider="GCP", spec=SERVERLESS)).id for n in names
    ]
    await client.clusters.delete(ids[1])
    active = [c.name async for c in client.clusters.list()]
    assert active == ["list-alpha", "list-charlie"]
    everything = [c.name async for c in client.clusters.list(show_inactive=True)]
    assert everything == names
    paged = [c.name async for c in client.clusters.list(show_inactive=True, limit=1)]
    assert paged == names


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("GCP", {"us-central1", "us-east1", "europe-west1", "asia-southeast1"}),
        ("AWS", {"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"}),
        ("AZURE", {"eastus", "westeurope"}),
    ],
)
async def test_available_regions_per_provider(
    client: CockroachCloud, provider: str, expected: set[str]
) -> None:
    regions = [r async for r in client.clusters.list_available_regions(provider=provider)]
    assert {r.name for r in regions} == expected
    assert {r.provider for r in regions} == {provider}
    serverless = [
        r.name
        async for r in client.clusters.list_available_regions(provider=provider, serverless=True)
    ]
    assert serverless and set(serverless) <= expected
    assert all(r.serverless for r in regions if r.name in serverless)


async def test_sql_users(client: CockroachCloud, fake: FakeCloud) -> None:
    cluster = await client.clusters.create(name="sql-users", provider="GCP", spec=SERVERLESS)
    before = [u.name async for u in client.sql_users.list(cluster.id)]
    created = await client.sql_users.create(cluster.id, name="app_user", password="s3cret-pass")
    assert created.name == "app_user"
    after = [u.name async for u in client.sql_users.list(cluster.id)]
    assert sorted(after) == sorted([*before, "app_user"])
    changed = await client.sql_users.update_password(cluster.id, "app_user", password="n3w-pass")
    assert changed.name == "app_user"
    assert fake.stats.applied["CockroachCloud_UpdateSQLUserPassword"] == 1
    with pytest.raises(NotFoundError):
        await client.sql_users.update_password(cluster.id, "nobody", password="whatever-1")
    dropped = await client.sql_users.delete(cluster.id, "app_user")
    assert dropped.name == "app_user"
    assert [u.name async for u in client.sql_users.list(cluster.id)] == before
    with pytest.raises(NotFoundError):
        await client.sql_users.delete(cluster.id, "app_user")


async def test_maintenance_window(client: CockroachCloud, fake: FakeCloud) -> None:
    cluster = await _advanced(client)
    with pytest.raises(NotFoundError):
        await client.maintenance_windows.get(cluster.id)
    window = await client.maintenance_windows.set(
        cluster.id, offset_duration="172800s", window_duration="21700s"
    )
    assert (window.offset_duration, window.window_duration) == ("172800s", "21700s")
    fetched = await client.maintenance_windows.get(cluster.id)
    assert (fetched.offset_duration, fetched.window_duration) == ("172800s", "21700s")
    for bad in ("21600s", "3600s", "604800s"):  # exactly 6 h, 1 h, exactly a week
        with pytest.raises(BadRequestError, match="window_duration"):
            await client.maintenance_windows.set(
                cluster.id, offset_duration="0s", window_duration=bad
            )
    assert (await client.maintenance_windows.get(cluster.id)).window_duration == "21700s"
    assert fake.stats.applied["CockroachCloud_SetMaintenanceWindow"] == 1
    removed = await client.maintenance_windows.delete(cluster.id)
    assert removed.window_duration == "21700s"
    with pytest.raises(NotFoundError):
        await client.maintenance_windows.get(cluster.id)


async def test_version_deferral(client: CockroachCloud) -> None:
    cluster = await _advanced(client)
    assert (await client.version_deferral.get(cluster.id)).deferral_policy == "NOT_DEFERRED"
    set_ = await client.version_deferral.set(cluster.id, deferral_policy="DEFERRAL_60_DAYS")
    assert set_.deferral_policy == "DEFERRAL_60_DAYS"
    assert (await client.version_deferral.get(cluster.id)).deferral_policy == "DEFERRAL_60_DAYS"
    until = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    fixed = await client.version_deferral.set(
        cluster.id, deferral_policy="FIXED_DEFERRAL", deferred_until=until
    )
    assert fixed.deferral_policy == "FIXED_DEFERRAL" and fixed.deferred_until == until
    fetched = await client.version_deferral.get(cluster.id)
    assert fetched.deferred_until == until
