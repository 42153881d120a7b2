"""A cluster's data: SQL users, databases, backups (and their schedule), restores,
nodes and connection strings.

SQL user passwords are kept only as a salted hash and never returned. Backups are
synthetic: one at cluster creation, then one every ``frequency_minutes`` while backups
are enabled. Restores stay PENDING for ``Timings.restore`` seconds (0 by default),
``completion_percent`` rising from 0 to 1, then end SUCCESS (or FAILED after
``fake.fail_next("restore")``).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call, Handler
from ..common import already_exists, new_id, not_found, ok, timestamp
from ..errors import invalid
from ..paging import page
from ..validation import read_body
from ._cluster_shared import PerCluster, cluster_for

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["handlers"]

_SQL_NAME = re.compile(r"[a-z_][a-z0-9_$.-]{0,62}")
_SQL_NAME_RULE = (
    "must start with a lowercase letter or underscore and hold at most 63 lowercase "
    "letters, digits, underscores, dots, dashes or dollar signs"
)
_DEFAULT_DATABASES = ("defaultdb", "postgres")
BACKUP_FREQUENCIES = (5, 10, 15, 30, 60, 240, 1440)
BACKUP_RETENTIONS = (2, 7, 30, 90, 365)
SQL_PORT = "26257"


@dataclass
class ClusterData:
    users: dict[str, bytes] = field(default_factory=dict)  # name -> salted password hash
    databases: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {n: {"name": n, "table_count": "0"} for n in _DEFAULT_DATABASES}
    )
    backup_config: dict[str, Any] = field(
        default_factory=lambda: {"enabled": True, "frequency_minutes": 60, "retention_days": 30}
    )
    backups: list[dict[str, Any]] = field(default_factory=list)
    next_backup: datetime | None = None
    restores: dict[str, dict[str, Any]] = field(default_factory=dict)
    # "user:<name>" / "db:<name>" -> creation time, for pagination.as_of_time (the
    # defaults, there since the cluster was made, have none and are always listed).
    created: dict[str, str] = field(default_factory=dict)


def _hash(password: str) -> bytes:
    salt = os.urandom(16)
    return salt + hashlib.sha256(salt + password.encode()).digest()


def _name(value: str, path: str) -> str:
    if not _SQL_NAME.fullmatch(value):
        raise invalid(f"{path}: {_SQL_NAME_RULE} (got {value!r})")
    return value


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _finish_restore(restore: dict[str, Any], now: str, failure: str | None = None) -> None:
    if failure is None:
        restore.update(status="SUCCESS", completion_percent=1.0, completed_at=now)
    else:
        restore.update(status=failure, completed_at=now)


def handlers(fake: FakeCloud) -> dict[str, Handler]:
    store: PerCluster[ClusterData] = PerCluster(ClusterData)
    clock = fake.timeline

    def backups_of(cluster: dict[str, Any]) -> list[dict[str, Any]]:
        """The cluster's backups, brought up to date with its schedule."""
        data = store[cluster["id"]]
        now = clock.now()
        if cluster["state"] == "DELETED":
            now = min(now, _parse(cluster["deleted_at"]))
        if data.next_backup is None:
            data.next_backup = _parse(cluster["created_at"])
        config = data.backup_config
        step = timedelta(minutes=config["frequency_minutes"])
        while config["enabled"] and data.next_backup <= now:
            data.backups.append({"id": new_id(), "as_of_time": timestamp(data.next_backup)})
            data.next_backup += step
        oldest = now - timedelta(days=config["retention_days"])
        data.backups = [b for b in data.backups if _parse(b["as_of_time"]) >= oldest]
        return data.backups

    # --- SQL users ------------------------------------------------------------------

    async def list_users(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call)
        data = store[cluster["id"]]
        users = [{"name": n} for n in data.users]
        items, pagination = page(
            call,
            users,
            lambda u: u["name"],
            "NAME",
            created=lambda u: data.created.get("user:" + u["name"]),
        )
        return ok({"users": items, "pagination": pagination})

    async def create_user(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        name = _name(body["name"], "name")
        if not body["password"]:
            raise invalid("password: must not be empty")
        users = store[cluster["id"]].users
        if name in users:
            raise already_exists(f"SQL user {name!r} already exists")
        users[name] = _hash(body["password"])
        store[cluster["id"]].created["user:" + name] = clock.stamp()
        call.applied()
        return ok({"name": name})

    def user_of(call: Call, cluster: dict[str, Any]) -> str:
        name = call.params["name"]
        if name not in store[cluster["id"]].users:
            raise not_found("SQL user")
        return name

    async def delete_user(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        name = user_of(call, cluster)
        del store[cluster["id"]].users[name]
        call.applied()
        return ok({"name": name})

    async def update_password(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        name = user_of(call, cluster)
        body = await read_body(call)
        if not body["password"]:
            raise invalid("password: must not be empty")
        store[cluster["id"]].users[name] = _hash(body["password"])
        call.applied()
        return ok({"name": name})

    # --- databases ------------------------------------------------------------------

    async def list_databases(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call)
        data = store[cluster["id"]]
        items, pagination = page(
            call,
            data.databases.values(),
            lambda d: d["name"],
            "NAME",
            created=lambda d: data.created.get("db:" + d["name"]),
        )
        return ok({"databases": items, "pagination": pagination})

    async def create_database(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        name = _name(body["name"], "name")
        dbs = store[cluster["id"]].databases
        if name in dbs:
            raise already_exists(f"database {name!r} already exists")
        dbs[name] = {"name": name, "table_count": "0"}
        store[cluster["id"]].created["db:" + name] = clock.stamp()
        call.applied()
        return ok(dbs[name])

    def rename(cluster: dict[str, Any], old: str, new: str, call: Call) -> web.StreamResponse:
        dbs = store[cluster["id"]].databases
        if old not in dbs:
            raise not_found("database")
        _name(new, "new_name")
        if new != old and new in dbs:
            raise already_exists(f"database {new!r} already exists")
        db = dbs.pop(old)
        db["name"] = new
        dbs[new] = db
        created = store[cluster["id"]].created
        if ("db:" + old) in created:
            created["db:" + new] = created.pop("db:" + old)
        call.applied()
        return ok(db)

    async def edit_database(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        return rename(cluster, call.params["name"], body["new_name"], call)

    async def edit_database2(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        return rename(cluster, body["name"], body["new_name"], call)

    async def delete_database(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        db = store[cluster["id"]].databases.pop(call.params["name"], None)
        if db is None:
            raise not_found("database")
        call.applied()
        return ok(db)

    # --- backups --------------------------------------------------------------------

    def time_window(call: Call) -> tuple[str, str]:
        query = call.request.query
        bounds = []
        for name in ("start_time", "end_time"):
            if query.get(name):
                bounds.append(timestamp(v.date_time(query[name], name)))
            else:
                bounds.append("" if name == "start_time" else "~")
        return bounds[0], bounds[1]

    async def list_backups(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call)
        start, end = time_window(call)
        backups = [b for b in backups_of(cluster) if start <= b["as_of_time"] <= end]
        items, pagination = page(
            call,
            backups,
            lambda b: b["as_of_time"] + b["id"],
            "AS_OF",
            created=lambda b: b["as_of_time"],
        )
        return ok({"backups": items, "pagination": pagination})

    async def get_backup_config(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call)
        return ok(store[cluster["id"]].backup_config)

    async def update_backup_config(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call, mutate=True)
        body = await read_body(call)
        if body.get("frequency_minutes", 60) not in BACKUP_FREQUENCIES:
            allowed = ", ".join(map(str, BACKUP_FREQUENCIES))
            raise invalid(f"frequency_minutes: must be one of {allowed}")
        if body.get("retention_days", 30) not in BACKUP_RETENTIONS:
            allowed = ", ".join(map(str, BACKUP_RETENTIONS))
            raise invalid(f"retention_days: must be one of {allowed}")
        backups_of(cluster)  # settle the schedule so far under the old configuration
        data = store[cluster["id"]]
        if body.get("enabled") and not data.backup_config["enabled"]:
            data.next_backup = clock.now()
        data.backup_config.update(body)
        call.applied()
        return ok(data.backup_config)

    # --- restores -------------------------------------------------------------------

    async def create_restore(call: Call) -> web.StreamResponse:
        destination = cluster_for(fake, call, mutate=True, param="destination_cluster_id")
        body = await read_body(call)
        source_id = body.get("source_cluster_id") or destination["id"]
        source = fake.clusters.get(source_id)
        if source is None:
            raise not_found("source cluster")
        kind = body["type"]
        objects = body.get("objects", [])
        if kind == "CLUSTER" and objects:
            raise invalid("objects: must be empty for a CLUSTER restore")
        if kind != "CLUSTER" and not objects:
            raise invalid(f"objects: a {kind} restore names at least one object")
        for i, item in enumerate(objects):
            if kind == "TABLE" and not item.get("table"):
                raise invalid(f"objects[{i}].table: is required for a TABLE restore")
        backups = backups_of(source)
        if "backup_id" in body:
            backup = next((b for b in backups if b["id"] == body["backup_id"]), None)
            if backup is None:
                raise not_found("backup")
        elif backups:
            backup = backups[-1]
        else:
            raise not_found("backup")
        restore: dict[str, Any] = {
            "id": new_id(),
            "backup_id": backup["id"],
            "backup_end_time": backup["as_of_time"],
            "created_at": clock.stamp(),
            "type": kind,
            "status": "PENDING",
            "completion_percent": 0.0,
            "source_cluster_name": source["name"],
            "destination_cluster_name": destination["name"],
            "crdb_job_id": str(int.from_bytes(os.urandom(7), "big")),
            "objects": objects,
            "restore_opts": body.get("restore_opts", {}),
        }
        store[destination["id"]].restores[restore["id"]] = restore

        def progress(fraction: float) -> None:
            restore["completion_percent"] = round(fraction, 3)

        # PENDING with completion_percent rising for Timings.restore seconds.
        fake.jobs.start(
            "restore",
            lambda failure: _finish_restore(restore, clock.stamp(), failure),
            on_progress=progress,
        )
        call.applied()
        return ok(restore)

    async def list_restores(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call)
        start, end = time_window(call)
        restores = [
            r for r in store[cluster["id"]].restores.values() if start <= r["created_at"] <= end
        ]
        items, pagination = page(call, restores, lambda r: r["created_at"] + r["id"], "CREATED_AT")
        return ok({"restores": items, "pagination": pagination})

    async def get_restore(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call)
        restore = store[cluster["id"]].restores.get(call.params["restore_id"])
        if restore is None:
            raise not_found("restore")
        return ok(restore)

    # --- nodes and connection strings ------------------------------------------------

    async def list_nodes(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call)
        region = call.request.query.get("region_name")
        status = "NOT_READY" if cluster["state"] == "DELETED" else "LIVE"
        nodes = [
            {"name": f"cockroachdb-{r['name']}-{i}", "region_name": r["name"], "status": status}
            for r in cluster["regions"]
            for i in range(r["node_count"])
            if region in (None, "", r["name"])
        ]
        items, pagination = page(call, nodes, lambda n: n["name"], "NAME")
        return ok({"nodes": items, "pagination": pagination})

    async def connection_string(call: Call) -> web.StreamResponse:
        cluster = cluster_for(fake, call)
        query = call.request.query
        database = v.string(query.get("database") or "defaultdb", "database")
        user = query.get("sql_user", "")
        if "os" in query:
            v.enum(query["os"], "os", ("MAC", "LINUX", "WINDOWS"))
        host = cluster["sql_dns"]
        if "serverless" in cluster["config"]:
            options = f"&options=--cluster%3D{cluster['config']['serverless']['routing_id']}"
        else:
            options = ""
        who = f"{user}@" if user else ""
        url = f"postgresql://{who}{host}:{SQL_PORT}/{database}?sslmode=verify-full{options}"
        params = {"Host": host, "Port": SQL_PORT, "Database": database}
        if user:
            params["Username"] = user
        return ok({"connection_string": url, "params": params})

    return {
        "CockroachCloud_ListSQLUsers": list_users,
        "CockroachCloud_CreateSQLUser": create_user,
        "CockroachCloud_DeleteSQLUser": delete_user,
        "CockroachCloud_UpdateSQLUserPassword": update_password,
        "CockroachCloud_ListDatabases": list_databases,
        "CockroachCloud_CreateDatabase": create_database,
        "CockroachCloud_EditDatabase": edit_database,
        "CockroachCloud_EditDatabase2": edit_database2,
        "CockroachCloud_DeleteDatabase": delete_database,
        "CockroachCloud_ListBackups": list_backups,
        "CockroachCloud_GetBackupConfiguration": get_backup_config,
        "CockroachCloud_UpdateBackupConfiguration": update_backup_config,
        "CockroachCloud_CreateRestore": create_restore,
        "CockroachCloud_ListRestores": list_restores,
        "CockroachCloud_GetRestore": get_restore,
        "CockroachCloud_ListClusterNodes": list_nodes,
        "CockroachCloud_GetConnectionString": connection_string,
    }
