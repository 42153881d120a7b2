"""The generated models against JSON shaped like what the API sends and expects."""

from __future__ import annotations

import datetime
import gc
import json
from typing import Any

import msgspec
import pytest

from ccloud_async.models import (
    AddEgressRuleResponse,
    Cluster,
    ClusterState,
    CreateApiKeyResponse,
    CreateSQLUserRequest,
    Database,
    DeleteEgressRuleResponse,
    EditEgressRuleResponse,
    GetEgressRuleResponse,
    Plan,
    ScimUser,
    ServerlessClusterUpdateSpecification,
    Status,
    UnsetType,
    UpdateClusterSpecification,
    UpdateSQLUserPasswordRequest,
    UsageLimits,
    convert,
    decode,
    encode,
)

SERVERLESS_CLUSTER: dict[str, Any] = {
    "id": "0b9a1c3e-7f4d-4b0a-9a55-1c2d3e4f5a6b",
    "name": "orders-prod",
    "cockroach_version": "v24.3.1",
    "plan": "STANDARD",
    "cloud_provider": "GCP",
    "account_id": "",
    "state": "CREATED",
    "creator_id": "7c1e2d3f-0000-4a4a-8b8b-123456789abc",
    "operation_status": "CLUSTER_STATUS_UNSPECIFIED",
    "config": {
        "serverless": {
            "upgrade_type": "AUTOMATIC",
            "usage_limits": {
                "provisioned_virtual_cpus": "2",
                "request_unit_limit": "9007199254740993",
            },
            "routing_id": "orders-prod-4321",
        }
    },
    "regions": [
        {
            "name": "us-central1",
            "sql_dns": "orders-prod-4321.g8z.gcp-us-central1.cockroachlabs.cloud",
            "ui_dns": "",
            "internal_dns": "",
            "node_count": 0,
            "primary": True,
        }
    ],
    "created_at": "2024-05-01T12:00:00.123456789Z",
    "updated_at": "2024-05-02T08:30:00Z",
    "deleted_at": None,
    "upgrade_status": "FINALIZED",
    "network_visibility": "PUBLIC",
    "parent_id": "root",
    "delete_protection": "DISABLED",
    "labels": {"team": "payments"},
    "egress_traffic_policy": "ALLOW_ALL",
    # Not in the spec: a future field the SDK must ignore.
    "hibernation": {"enabled": True},
}

DEDICATED_CLUSTER: dict[str, Any] = {
    "id": "3f1d2c4b-5a6e-4f70-8a9b-0c1d2e3f4a5b",
    "name": "ledger",
    "cockroach_version": "v24.1.8",
    "plan": "ADVANCED",
    "cloud_provider": "AWS",
    "state": "CREATED",
    "creator_id": "",
    "operation_status": "CLUSTER_STATUS_UNSPECIFIED",
    "config": {
        "dedicated": {
            "machine_type": "m6i.xlarge",
            "num_virtual_cpus": 4,
            "storage_gib": 150,
            "memory_gib": 16.0,
            "disk_iops": 450,
        }
    },
    "regions": [
        {"name": "us-east-1", "sql_dns": "a.aws", "ui_dns": "b.aws", "node_count": 3},
        {"name": "eu-west-1", "sql_dns": "c.aws", "ui_dns": "d.aws", "node_count": 3},
    ],
    "upgrade_status": "UPGRADE_AVAILABLE",
    "cidr_range": "172.28.0.0/14",
    "is_customer_cloud_account": False,
}


def _bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


def _wire(obj: Any) -> Any:
    return json.loads(encode(obj))


def test_serverless_cluster_decodes_with_int64_as_int() -> None:
    cluster = decode(Cluster, _bytes(SERVERLESS_CLUSTER))
    assert cluster.name == "orders-prod"
    assert cluster.state is ClusterState.CREATED
    assert cluster.plan is Plan.STANDARD
    assert cluster.config is not None
    assert isinstance(cluster.config.serverless, msgspec.Struct)
    limits = cluster.config.serverless.usage_limits
    assert isinstance(limits, UsageLimits)
    assert limits.provisioned_virtual_cpus == 2
    assert isinstance(limits.provisioned_virtual_cpus, int)
    assert limits.request_unit_limit == 2**53 + 1  # beyond float precision: kept exact
    assert limits.storage_mib_limit is None
    assert cluster.config.dedicated is None
    assert cluster.regions[0].primary is True
    assert cluster.labels == {"team": "payments"}
    assert cluster.deleted_at is None
    assert cluster.created_at == datetime.datetime(
        2024, 5, 1, 12, 0, 0, 123457, tzinfo=datetime.timezone.utc
    )


def test_models_are_not_tracked_by_the_garbage_collector() -> None:
    cluster = decode(Cluster, _bytes(SERVERLESS_CLUSTER))
    assert cluster.config is not None
    assert not gc.is_tracked(cluster) and not gc.is_tracked(cluster.config)
    assert not gc.is_tracked(cluster.regions[0])


def test_dedicated_cluster_decodes() -> None:
    cluster = decode(Cluster, _bytes(DEDICATED_CLUSTER))
    assert cluster.config is not None and cluster.config.serverless is None
    hardware = cluster.config.dedicated
    assert not isinstance(hardware, UnsetType) and hardware is not None
    assert (hardware.machine_type, hardware.num_virtual_cpus, hardware.memory_gib) == (
        "m6i.xlarge",
        4,
        16.0,
    )
    assert [r.node_count for r in cluster.regions] == [3, 3]
    assert cluster.regions[0].private_endpoint_dns == ""  # required, omitted: zero value
    assert cluster.sql_dns is None  # optional, omitted


def test_cluster_without_is_customer_cloud_account_decodes() -> None:
    # The spec requires is_customer_cloud_account, yet declares no such property.
    assert "is_customer_cloud_account" not in SERVERLESS_CLUSTER
    assert decode(Cluster, _bytes(SERVERLESS_CLUSTER)).id == SERVERLESS_CLUSTER["id"]
    assert not hasattr(Cluster, "is_customer_cloud_account")


def test_unknown_fields_are_ignored() -> None:
    cluster = decode(Cluster, _bytes(SERVERLESS_CLUSTER))
    assert "hibernation" not in _wire(cluster)
    assert decode(Database, b'{"name": "db", "owner": "x", "table_count": "7"}') == Database(
        name="db", table_count=7
    )


def test_int64_reencodes_as_string_and_round_trips() -> None:
    cluster = decode(Cluster, _bytes(SERVERLESS_CLUSTER))
    raw = encode(cluster)
    assert b'"provisioned_virtual_cpus":"2"' in raw
    assert b'"request_unit_limit":"9007199254740993"' in raw
    assert decode(Cluster, raw) == cluster
    wire = json.loads(raw)
    assert wire["config"] == SERVERLESS_CLUSTER["config"]
    assert wire["state"] == "CREATED" and wire["labels"] == {"team": "payments"}


def test_unknown_enum_value_is_kept() -> None:
    data = dict(SERVERLESS_CLUSTER, state="HIBERNATING")
    cluster = decode(Cluster, _bytes(data))
    state = cluster.state
    assert isinstance(state, ClusterState)
    assert state.value == "HIBERNATING" and str(state) == "HIBERNATING"
    assert state.is_known is False
    assert ClusterState.CREATED.is_known is True
    assert state != ClusterState.CREATED
    assert _wire(cluster)["state"] == "HIBERNATING"


def test_wrong_int64_text_is_rejected() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.table_count"):
        decode(Database, b'{"name": "db", "table_count": "seven"}')


@pytest.mark.parametrize(
    "cls", [AddEgressRuleResponse, EditEgressRuleResponse, DeleteEgressRuleResponse]
)
@pytest.mark.parametrize("key", ["Rule", "rule"])
def test_egress_rule_responses_accept_either_spelling(cls: Any, key: str) -> None:
    # Their schemas declare a property "Rule" but require "rule".
    rule = {"id": "r-1", "name": "allow-kafka", "destination": "kafka.example.com", "type": "FQDN"}
    response = decode(cls, _bytes({key: rule}))
    assert response.rule is not None
    assert (response.rule.id, response.rule.destination) == ("r-1", "kafka.example.com")
    wire = _wire(response)
    assert list(wire) == ["Rule"]  # one spelling out, the spec's property name
    assert wire["Rule"]["id"] == "r-1"
    assert "rule_" not in repr(response)


def test_egress_rule_response_missing_rule() -> None:
    assert decode(AddEgressRuleResponse, b"{}").rule is None
    assert decode(GetEgressRuleResponse, b'{"rule": {"id": "r-2"}}').rule is not None


def test_request_struct_leaves_unset_fields_out() -> None:
    spec = UpdateClusterSpecification(
        serverless=ServerlessClusterUpdateSpecification(
            usage_limits=UsageLimits(request_unit_limit=5_000_000)
        )
    )
    assert encode(spec) == b'{"serverless":{"usage_limits":{"request_unit_limit":"5000000"}}}'
    assert encode(UpdateClusterSpecification()) == b"{}"


def test_explicit_none_encodes_as_null() -> None:
    spec = UpdateClusterSpecification(parent_id=None, labels={"env": "dev"})
    assert encode(spec) == b'{"labels":{"env":"dev"},"parent_id":null}'


def test_required_request_fields_must_be_passed() -> None:
    with pytest.raises(TypeError, match="password"):
        CreateSQLUserRequest(name="u")  # type: ignore[call-arg]
    assert _wire(CreateSQLUserRequest(name="u", password="p")) == {"name": "u", "password": "p"}


def test_secrets_are_masked_in_repr() -> None:
    request = CreateSQLUserRequest(name="u", password="hunter2")
    assert "hunter2" not in repr(request)
    assert repr(request) == "CreateSQLUserRequest(name='u', password='***')"
    assert "hunter2" not in repr(UpdateSQLUserPasswordRequest(password="hunter2"))
    assert "hunter2" not in repr([request])  # nested too
    assert b"hunter2" in encode(request)  # but it is sent

    body = b'{"api_key": {"id": "k1", "name": "ci"}, "secret": "CCDB1_Zt8sEcReT"}'
    created = decode(CreateApiKeyResponse, body)
    assert created.secret == "CCDB1_Zt8sEcReT"
    assert "CCDB1_Zt8sEcReT" not in repr(created)
    assert "k1" in repr(created)


def test_convert_turns_ints_into_int64_strings() -> None:
    spec = convert(
        UpdateClusterSpecification,
        {"serverless": {"usage_limits": {"provisioned_virtual_cpus": 4}}},
    )
    assert isinstance(spec, UpdateClusterSpecification)
    assert b'"provisioned_virtual_cpus":"4"' in encode(spec)
    # Strings work too, as the server sends them.
    spec = convert(
        UpdateClusterSpecification,
        {"serverless": {"usage_limits": {"storage_mib_limit": "1024"}}},
    )
    assert b'"storage_mib_limit":"1024"' in encode(spec)


def test_convert_rejects_wrong_types_naming_the_path() -> None:
    with pytest.raises(msgspec.ValidationError) as info:
        convert(
            UpdateClusterSpecification,
            {"serverless": {"usage_limits": {"provisioned_virtual_cpus": [4]}}},
        )
    assert "$.serverless.usage_limits.provisioned_virtual_cpus" in str(info.value)
    with pytest.raises(msgspec.ValidationError, match=r"\$\.serverless\.regions\[0\]"):
        convert(UpdateClusterSpecification, {"serverless": {"regions": [1]}})


def test_scim_camel_case_fields() -> None:
    user = decode(
        ScimUser,
        b'{"userName": "ada@example.com", "externalId": "okta-1", "active": true,'
        b' "name": {"givenName": "Ada", "familyName": "Lovelace"}}',
    )
    assert (user.user_name, user.external_id, user.active) == ("ada@example.com", "okta-1", True)
    assert user.name is not None
    wire = _wire(user)
    assert wire["userName"] == "ada@example.com"
    assert wire["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    assert "user_name" not in wire


def test_status_details_keep_any_payload() -> None:
    body = {
        "code": 9,
        "message": "cluster is locked",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "LOCKED"},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retry_delay": "30s"},
            {},
        ],
    }
    status = decode(Status, _bytes(body))
    assert status.code == 9
    assert status.details == body["details"]
