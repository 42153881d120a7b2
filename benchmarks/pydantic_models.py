"""Pydantic v2 models of ``ListClustersResponse``, as a user would write them by hand.

The same schema as ``ccloud_async.models``: nested config, regions and usage limits,
enums as plain ``str``, datetimes parsed, int64 values (sent as JSON strings) as
``int``, unknown fields ignored (pydantic's default).
"""

from __future__ import annotations

import datetime

from pydantic import BaseModel, Field


class DedicatedHardwareConfig(BaseModel):
    disk_iops: int = 0
    machine_type: str = ""
    memory_gib: float = 0.0
    num_virtual_cpus: int = 0
    storage_gib: int = 0


class UsageLimits(BaseModel):
    provisioned_virtual_cpus: int | None = None
    request_unit_limit: int | None = None
    storage_mib_limit: int | None = None


class ServerlessClusterConfig(BaseModel):
    routing_id: str = ""
    upgrade_type: str | None = None
    usage_limits: UsageLimits | None = None


class ClusterConfig(BaseModel):
    dedicated: DedicatedHardwareConfig | None = None
    serverless: ServerlessClusterConfig | None = None


class AwsCustomerCloudAccount(BaseModel):
    arn: str = ""


class AzureCustomerCloudAccount(BaseModel):
    subscription_id: str = ""
    tenant_id: str = ""


class GcpCustomerCloudAccount(BaseModel):
    service_account_email: str = ""


class CustomerCloudAccount(BaseModel):
    aws: AwsCustomerCloudAccount | None = None
    azure: AzureCustomerCloudAccount | None = None
    gcp: GcpCustomerCloudAccount | None = None


class Region(BaseModel):
    internal_dns: str = ""
    name: str = ""
    node_count: int = 0
    primary: bool | None = None
    private_endpoint_dns: str = ""
    s3_vpc_endpoint_id: str | None = None
    sql_dns: str = ""
    ui_dns: str = ""


class Cluster(BaseModel):
    account_id: str | None = None
    azure_cluster_identity_client_id: str | None = None
    cidr_range: str = ""
    cloud_provider: str | None = None
    cockroach_version: str = ""
    config: ClusterConfig | None = None
    created_at: datetime.datetime | None = None
    creator_id: str = ""
    customer_cloud_account: CustomerCloudAccount | None = None
    delete_protection: str | None = None
    deleted_at: datetime.datetime | None = None
    egress_traffic_policy: str | None = None
    id: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    name: str = ""
    network_visibility: str | None = None
    operation_status: str | None = None
    parent_id: str | None = None
    plan: str | None = None
    regions: list[Region] = Field(default_factory=list)
    sql_dns: str | None = None
    state: str | None = None
    updated_at: datetime.datetime | None = None
    upgrade_status: str | None = None


class KeysetPaginationResponse(BaseModel):
    next_page: str | None = None
    previous_page: str | None = None


class ListClustersResponse(BaseModel):
    clusters: list[Cluster] = Field(default_factory=list)
    pagination: KeysetPaginationResponse | None = None
