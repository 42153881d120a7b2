"""Curated names of the client methods: operationId -> (``namespace.method``, summary).

The summaries are our own one-line descriptions (the spec's prose is not copied). The
generator (``tools/generate.py``) fails when an operation of the snapshot has no entry
here, or when an entry names an operation the snapshot lacks.
"""

from __future__ import annotations

# namespace -> (class name, module docstring)
NAMESPACES: dict[str, tuple[str, str]] = {
    "clusters": ("ClustersResource", "Clusters: create, read, update, delete and list them."),
    "backups": ("BackupsResource", "Managed backups of a cluster and their configuration."),
    "restores": ("RestoresResource", "Restores of backups into a cluster."),
    "cmek": ("CMEKResource", "Customer-managed encryption keys (CMEK) of a cluster."),
    "sql_users": ("SQLUsersResource", "SQL users of a cluster."),
    "databases": ("DatabasesResource", "Databases of a cluster."),
    "allowlist": ("AllowlistResource", "IP allowlist entries of a cluster."),
    "private_endpoints": (
        "PrivateEndpointsResource",
        "Private endpoint services, connections and trusted owners of a cluster.",
    ),
    "egress_private_endpoints": (
        "EgressPrivateEndpointsResource",
        "Egress private endpoints of a cluster.",
    ),
    "egress_rules": ("EgressRulesResource", "Egress rules and the egress traffic policy."),
    "log_export": ("LogExportResource", "Export of a cluster's logs to a cloud service."),
    "metric_export": (
        "MetricExportResource",
        "Export of a cluster's metrics to CloudWatch, Datadog or Prometheus.",
    ),
    "audit_logs": ("AuditLogsResource", "The organization's audit log."),
    "invoices": ("InvoicesResource", "Invoices of the organization."),
    "folders": ("FoldersResource", "Folders that group clusters."),
    "roles": ("RolesResource", "Role grants of users and service accounts."),
    "service_accounts": ("ServiceAccountsResource", "Service accounts of the organization."),
    "api_keys": ("ApiKeysResource", "API keys of service accounts."),
    "jwt_issuers": ("JWTIssuersResource", "Trusted JWT issuers for API authentication."),
    "replication": ("ReplicationResource", "Physical cluster replication streams."),
    "maintenance_windows": ("MaintenanceWindowsResource", "The maintenance window of a cluster."),
    "blackout_windows": ("BlackoutWindowsResource", "Blackout windows of a cluster."),
    "version_deferral": ("VersionDeferralResource", "Deferral of major version upgrades."),
    "disruption": ("DisruptionResource", "Simulated disruption of a cluster's nodes or regions."),
    "client_ca_certs": ("ClientCACertsResource", "The client CA certificate of a cluster."),
    "organization": ("OrganizationResource", "The organization the credentials belong to."),
    "scim": ("SCIMResource", "SCIM 2.0 provisioning of users and groups."),
}

# Namespaces with hand-written additions: the class in ``ccloud_async/resources/<ns>.py``
# that subclasses the generated one (waiters, the audit-log stream). The client binds it
# instead of the generated class.
EXTENDED: dict[str, str] = {
    "audit_logs": "AuditLogs",
    "client_ca_certs": "ClientCACerts",
    "clusters": "Clusters",
    "cmek": "CMEK",
    "egress_rules": "EgressRules",
    "log_export": "LogExport",
    "metric_export": "MetricExport",
    "private_endpoints": "PrivateEndpoints",
    "replication": "Replication",
    "restores": "Restores",
}

# The list field a keyset pager walks, where a response has more than one list.
PAGER_ITEMS: dict[str, str] = {
    "CockroachCloud_ListRoleGrants": "grants",
}

_P = "CockroachCloud_"

# Lists the API sends whole (no pagination parameters): their methods still return an
# AsyncPager (of a single page), like the paginated ones. The list field is the
# response's only list, its ``Resources`` (SCIM) or the PAGER_ITEMS entry.
SINGLE_PAGE_LISTS: frozenset[str] = frozenset(
    {
        _P + "ListInvoices",
        _P + "ListPrivateEndpointServices",
        _P + "ListPrivateEndpointConnections",
        _P + "ListPrivateEndpointTrustedOwners",
        _P + "ListAwsEndpointConnections",
        _P + "GetResourceTypes",
        _P + "GetSchemas",
    }
)

# Deprecated operations -> the method to use instead (named in the DeprecationWarning).
REPLACEMENTS: dict[str, str] = {
    _P + "GetGroups2": "scim.search_groups",
    _P + "GetGroup2": "scim.search_group",
    _P + "GetUsers2": "scim.search_users",
    _P + "GetUser2": "scim.search_user",
    _P + "UpdateEgressPrivateEndpointDomainNames": "egress_private_endpoints.update",
}

NAMES: dict[str, tuple[str, str]] = {
    # clusters
    _P + "ListClusters": ("clusters.list", "Every cluster, page by page."),
    _P + "CreateCluster": ("clusters.create", "Create a cluster (serverless or dedicated)."),
    _P + "GetCluster": ("clusters.get", "One cluster, deleted ones included."),
    _P + "UpdateCluster": ("clusters.update", "Scale, edit or upgrade a cluster."),
    _P + "DeleteCluster": ("clusters.delete", "Delete a cluster and all of its data."),
    _P + "ListClusterNodes": ("clusters.list_nodes", "The nodes of a cluster, page by page."),
    _P + "ListAvailableRegions": (
        "clusters.list_available_regions",
        "Regions where clusters can be placed, page by page.",
    ),
    _P + "ListMajorClusterVersions": (
        "clusters.list_major_versions",
        "Major CockroachDB versions on offer, page by page.",
    ),
    _P + "GetConnectionString": (
        "clusters.get_connection_string",
        "A connection string and its parts for a cluster.",
    ),
    # backups and restores
    _P + "ListBackups": ("backups.list", "Backups of a cluster, page by page."),
    _P + "GetBackupConfiguration": ("backups.get_config", "How a cluster is backed up."),
    _P + "UpdateBackupConfiguration": (
        "backups.update_config",
        "Change how a cluster is backed up.",
    ),
    _P + "ListRestores": ("restores.list", "Restores into a cluster, page by page."),
    _P + "GetRestore": ("restores.get", "One restore and its progress."),
    _P + "CreateRestore": ("restores.create", "Start restoring a backup into a cluster."),
    # blackout windows
    _P + "ListBlackoutWindows": ("blackout_windows.list", "Blackout windows, page by page."),
    _P + "CreateBlackoutWindow": ("blackout_windows.create", "Add a blackout window."),
    _P + "GetBlackoutWindow": ("blackout_windows.get", "One blackout window."),
    _P + "UpdateBlackoutWindow": ("blackout_windows.update", "Change a blackout window."),
    _P + "DeleteBlackoutWindow": ("blackout_windows.delete", "Remove a blackout window."),
    # client CA certificates
    _P + "GetClientCACert": ("client_ca_certs.get", "The client CA certificate and its status."),
    _P + "SetClientCACert": ("client_ca_certs.set", "Install a client CA certificate."),
    _P + "UpdateClientCACert": ("client_ca_certs.update", "Replace the client CA certificate."),
    _P + "DeleteClientCACert": ("client_ca_certs.delete", "Remove the client CA certificate."),
    # CMEK
    _P + "GetCMEKClusterInfo": ("cmek.get", "CMEK state of a cluster and its regions."),
    _P + "EnableCMEKSpec": ("cmek.enable", "Turn on CMEK for a cluster."),
    _P + "UpdateCMEKSpec": ("cmek.update_spec", "Change the CMEK key specification."),
    _P + "UpdateCMEKStatus": ("cmek.update_status", "Change the CMEK status (e.g. revoke)."),
    # databases
    _P + "ListDatabases": ("databases.list", "Databases of a cluster, page by page."),
    _P + "CreateDatabase": ("databases.create", "Create a database."),
    _P + "EditDatabase": ("databases.rename", "Rename the database named in the path."),
    _P + "EditDatabase2": (
        "databases.rename_via_body",
        "Rename a database named in the request body.",
    ),
    _P + "DeleteDatabase": ("databases.delete", "Drop a database."),
    # disruption
    _P + "GetClusterDisruptionInfo": ("disruption.get", "The disruption applied to a cluster."),
    _P + "UpdateClusterDisruption": ("disruption.update", "Set or clear a simulated disruption."),
    # log export
    _P + "GetLogExportInfo": ("log_export.get", "Log export configuration and status."),
    _P + "EnableLogExport": ("log_export.enable", "Start or reconfigure log export."),
    _P + "DeleteLogExport": ("log_export.disable", "Stop exporting logs."),
    # maintenance windows
    _P + "GetMaintenanceWindow": ("maintenance_windows.get", "The maintenance window."),
    _P + "SetMaintenanceWindow": ("maintenance_windows.set", "Set the maintenance window."),
    _P + "DeleteMaintenanceWindow": (
        "maintenance_windows.delete",
        "Remove the maintenance window.",
    ),
    # metric export
    _P + "GetCloudWatchMetricExportInfo": (
        "metric_export.get_cloudwatch",
        "CloudWatch metric export configuration and status.",
    ),
    _P + "EnableCloudWatchMetricExport": (
        "metric_export.enable_cloudwatch",
        "Start or reconfigure metric export to CloudWatch.",
    ),
    _P + "DeleteCloudWatchMetricExport": (
        "metric_export.disable_cloudwatch",
        "Stop exporting metrics to CloudWatch.",
    ),
    _P + "GetDatadogMetricExportInfo": (
        "metric_export.get_datadog",
        "Datadog metric export configuration and status.",
    ),
    _P + "EnableDatadogMetricExport": (
        "metric_export.enable_datadog",
        "Start or reconfigure metric export to Datadog.",
    ),
    _P + "DeleteDatadogMetricExport": (
        "metric_export.disable_datadog",
        "Stop exporting metrics to Datadog.",
    ),
    _P + "GetPrometheusMetricExportInfo": (
        "metric_export.get_prometheus",
        "Prometheus scrape endpoint configuration and status.",
    ),
    _P + "EnablePrometheusMetricExport": (
        "metric_export.enable_prometheus",
        "Expose metrics for Prometheus to scrape.",
    ),
    _P + "DeletePrometheusMetricExport": (
        "metric_export.disable_prometheus",
        "Stop exposing metrics to Prometheus.",
    ),
    # IP allowlist
    _P + "ListAllowlistEntries": ("allowlist.list", "Allowlist entries, page by page."),
    _P + "AddAllowlistEntry": ("allowlist.add", "Add a CIDR range to the allowlist."),
    _P + "AddAllowlistEntry2": (
        "allowlist.set",
        "Add or replace the allowlist entry of a CIDR range.",
    ),
    _P + "UpdateAllowlistEntry": ("allowlist.update", "Change an allowlist entry."),
    _P + "DeleteAllowlistEntry": ("allowlist.delete", "Remove a CIDR range from the allowlist."),
    # private endpoints
    _P + "ListPrivateEndpointServices": (
        "private_endpoints.list_services",
        "Private endpoint services of a cluster, one per region.",
    ),
    _P + "CreatePrivateEndpointServices": (
        "private_endpoints.create_services",
        "Create the private endpoint services of a cluster.",
    ),
    _P + "ListPrivateEndpointConnections": (
        "private_endpoints.list_connections",
        "Private endpoint connections of a cluster.",
    ),
    _P + "AddPrivateEndpointConnection": (
        "private_endpoints.add_connection",
        "Accept a private endpoint connection.",
    ),
    _P + "DeletePrivateEndpointConnection": (
        "private_endpoints.delete_connection",
        "Remove a private endpoint connection.",
    ),
    _P + "ListAwsEndpointConnections": (
        "private_endpoints.list_aws_connections",
        "AWS endpoint connections of a cluster.",
    ),
    _P + "SetAwsEndpointConnectionState": (
        "private_endpoints.set_aws_connection_state",
        "Accept or reject an AWS endpoint connection.",
    ),
    _P + "ListPrivateEndpointTrustedOwners": (
        "private_endpoints.list_trusted_owners",
        "Cloud accounts trusted to connect through private endpoints.",
    ),
    _P + "AddPrivateEndpointTrustedOwner": (
        "private_endpoints.add_trusted_owner",
        "Trust a cloud account to connect through private endpoints.",
    ),
    _P + "GetPrivateEndpointTrustedOwner": (
        "private_endpoints.get_trusted_owner",
        "One trusted cloud account.",
    ),
    _P + "RemovePrivateEndpointTrustedOwner": (
        "private_endpoints.remove_trusted_owner",
        "Stop trusting a cloud account.",
    ),
    # egress private endpoints
    _P + "ListEgressPrivateEndpoints": (
        "egress_private_endpoints.list",
        "Egress private endpoints, page by page.",
    ),
    _P + "CreateEgressPrivateEndpoint": (
        "egress_private_endpoints.create",
        "Create an egress private endpoint.",
    ),
    _P + "GetEgressPrivateEndpoint": (
        "egress_private_endpoints.get",
        "One egress private endpoint.",
    ),
    _P + "UpdateEgressPrivateEndpoint": (
        "egress_private_endpoints.update",
        "Change an egress private endpoint.",
    ),
    _P + "UpdateEgressPrivateEndpointDomainNames": (
        "egress_private_endpoints.update_domain_names",
        "Change the domain names of an egress private endpoint.",
    ),
    _P + "DeleteEgressPrivateEndpoint": (
        "egress_private_endpoints.delete",
        "Remove an egress private endpoint.",
    ),
    # egress rules
    _P + "ListEgressRules": ("egress_rules.list", "Egress rules, page by page."),
    _P + "AddEgressRule": ("egress_rules.add", "Add an egress rule."),
    _P + "GetEgressRule": ("egress_rules.get", "One egress rule."),
    _P + "EditEgressRule": ("egress_rules.update", "Change an egress rule."),
    _P + "DeleteEgressRule": ("egress_rules.delete", "Remove an egress rule."),
    _P + "SetEgressTrafficPolicy": (
        "egress_rules.set_traffic_policy",
        "Allow all egress traffic or only what the rules allow.",
    ),
    # SQL users
    _P + "ListSQLUsers": ("sql_users.list", "SQL users of a cluster, page by page."),
    _P + "CreateSQLUser": ("sql_users.create", "Create a SQL user with a password."),
    _P + "DeleteSQLUser": ("sql_users.delete", "Drop a SQL user."),
    _P + "UpdateSQLUserPassword": ("sql_users.update_password", "Set a new password."),
    # version deferral
    _P + "GetClusterVersionDeferral": ("version_deferral.get", "The upgrade deferral policy."),
    _P + "SetClusterVersionDeferral": ("version_deferral.set", "Set the upgrade deferral policy."),
    # folders
    _P + "ListFolders": ("folders.list", "Folders, page by page."),
    _P + "CreateFolder": ("folders.create", "Create a folder."),
    _P + "GetFolder": ("folders.get", "One folder."),
    _P + "UpdateFolder": ("folders.update", "Rename or move a folder."),
    _P + "DeleteFolder": ("folders.delete", "Remove an empty folder."),
    _P + "ListFolderContents": (
        "folders.list_contents",
        "Clusters and folders inside a folder, page by page.",
    ),
    # invoices
    _P + "ListInvoices": ("invoices.list", "Invoices of the organization."),
    _P + "GetInvoice": ("invoices.get", "One invoice with its line items."),
    # JWT issuers
    _P + "ListJWTIssuers": ("jwt_issuers.list", "JWT issuers, page by page."),
    _P + "AddJWTIssuer": ("jwt_issuers.add", "Trust a JWT issuer."),
    _P + "GetJWTIssuer": ("jwt_issuers.get", "One JWT issuer."),
    _P + "UpdateJWTIssuer": ("jwt_issuers.update", "Change a JWT issuer."),
    _P + "DeleteJWTIssuer": ("jwt_issuers.delete", "Stop trusting a JWT issuer."),
    # organization and audit logs
    _P + "GetOrganizationInfo": ("organization.get", "The organization of the caller."),
    _P + "ListAuditLogs": ("audit_logs.list_page", "One page of audit log entries."),
    # physical cluster replication
    _P + "ListPhysicalReplicationStreams": (
        "replication.list_streams",
        "Replication streams, page by page.",
    ),
    _P + "CreatePhysicalReplicationStream": (
        "replication.create_stream",
        "Start replicating one cluster into another.",
    ),
    _P + "GetPhysicalReplicationStream": ("replication.get_stream", "One replication stream."),
    _P + "UpdatePhysicalReplicationStream": (
        "replication.update_stream",
        "Fail over or otherwise change a replication stream.",
    ),
    # roles
    _P + "ListRoleGrants": ("roles.list_grants", "Role grants of every user, page by page."),
    _P + "GetAllRolesForUser": ("roles.list_for_user", "Every role granted to one user."),
    _P + "SetRolesForUser": ("roles.set_for_user", "Replace every role of one user."),
    _P + "AddUserToRole": ("roles.add_user", "Grant one role on one resource to a user."),
    _P + "RemoveUserFromRole": (
        "roles.remove_user",
        "Revoke one role on one resource from a user.",
    ),
    _P + "GetPersonUsersByEmail": ("roles.find_users_by_email", "Find person users by email."),
    # service accounts and API keys
    _P + "ListServiceAccounts": ("service_accounts.list", "Service accounts, page by page."),
    _P + "CreateServiceAccount": ("service_accounts.create", "Create a service account."),
    _P + "GetServiceAccount": ("service_accounts.get", "One service account."),
    _P + "UpdateServiceAccount": ("service_accounts.update", "Change a service account."),
    _P + "DeleteServiceAccount": ("service_accounts.delete", "Remove a service account."),
    _P + "ListApiKeys": ("api_keys.list", "API keys, page by page."),
    _P + "CreateApiKey": ("api_keys.create", "Create an API key; its secret is shown once."),
    _P + "GetApiKey": ("api_keys.get", "One API key (never its secret)."),
    _P + "UpdateApiKey": ("api_keys.update", "Rename an API key."),
    _P + "DeleteApiKey": ("api_keys.delete", "Revoke an API key."),
    # SCIM
    _P + "GetGroups": ("scim.list_groups", "SCIM groups, optionally filtered."),
    _P + "CreateGroup": ("scim.create_group", "Create a SCIM group."),
    _P + "SearchGroups": ("scim.search_groups", "Search SCIM groups (POST form)."),
    _P + "GetGroups2": ("scim.search_groups_with_put", "Search SCIM groups (old PUT form)."),
    _P + "GetGroup": ("scim.get_group", "One SCIM group."),
    _P + "PatchGroup": ("scim.patch_group", "Apply SCIM patch operations to a group."),
    _P + "UpdateGroup": ("scim.replace_group", "Replace a SCIM group."),
    _P + "DeleteGroup": ("scim.delete_group", "Remove a SCIM group."),
    _P + "SearchGroup": ("scim.search_group", "Read one SCIM group (POST form)."),
    _P + "GetGroup2": ("scim.search_group_with_put", "Read one SCIM group (old PUT form)."),
    _P + "GetUsers": ("scim.list_users", "SCIM users, optionally filtered."),
    _P + "CreateUser": ("scim.create_user", "Create a SCIM user."),
    _P + "SearchUsers": ("scim.search_users", "Search SCIM users (POST form)."),
    _P + "GetUsers2": ("scim.search_users_with_put", "Search SCIM users (old PUT form)."),
    _P + "GetUser": ("scim.get_user", "One SCIM user."),
    _P + "PatchUser": ("scim.patch_user", "Apply SCIM patch operations to a user."),
    _P + "UpdateUser": ("scim.replace_user", "Replace a SCIM user."),
    _P + "DeleteUser": ("scim.delete_user", "Remove a SCIM user."),
    _P + "SearchUser": ("scim.search_user", "Read one SCIM user (POST form)."),
    _P + "GetUser2": ("scim.search_user_with_put", "Read one SCIM user (old PUT form)."),
    _P + "GetResourceTypes": ("scim.list_resource_types", "SCIM resource types on offer."),
    _P + "GetResourceType": ("scim.get_resource_type", "One SCIM resource type."),
    _P + "GetSchemas": ("scim.list_schemas", "SCIM schemas on offer."),
    _P + "GetSchema": ("scim.get_schema", "One SCIM schema."),
    _P + "GetServiceProviderConfig": (
        "scim.get_service_provider_config",
        "Which SCIM features the service supports.",
    ),
}
