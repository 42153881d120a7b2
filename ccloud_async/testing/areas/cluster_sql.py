"""What a SQL client of a cluster sees: SQL users, databases, the nodes and the
connection string.

SQL user passwords are kept only as a salted hash and never returned. Every cluster
starts with the databases ``defaultdb`` and ``postgres``; SQL users and databases
created later record their creation time, for ``pagination.as_of_time``.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import validation as v
from ..call import Call
from ..common import already_exists, not_found, ok
from ..errors import invalid
from ..paging import page
from ._base import handles
from ._cluster_shared import ClusterArea, PerCluster

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["Databases", "SqlConnection", "SqlUsers"]

_SQL_NAME = re.compile(r"[a-z_][a-z0-9_$.-]{0,62}")
_SQL_NAME_RULE = (
    "must start with a lowercase letter or underscore and hold at most 63 lowercase "
    "letters, digits, underscores, dots, dashes or dollar signs"
)
_DEFAULT_DATABASES = ("defaultdb", "postgres")
SQL_PORT = "26257"


def _hash(password: str) -> bytes:
    salt = os.urandom(16)
    return salt + hashlib.sha256(salt + password.encode()).digest()


def _name(value: str, path: str) -> str:
    if not _SQL_NAME.fullmatch(value):
        raise invalid(f"{path}: {_SQL_NAME_RULE} (got {value!r})")
    return value


@dataclass
class _Users:
    hashes: dict[str, bytes] = field(default_factory=dict)  # name -> salted password hash
    created: dict[str, str] = field(default_factory=dict)  # name -> creation time


class SqlUsers(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.users: PerCluster[_Users] = PerCluster(_Users)

    def _user(self, call: Call, cluster: dict[str, Any]) -> str:
        name = call.params["name"]
        if name not in self.users[cluster["id"]].hashes:
            raise not_found("SQL user")
        return name

    @handles("CockroachCloud_ListSQLUsers")
    async def list_users(self, call: Call) -> web.StreamResponse:
        data = self.users[self.cluster_for(call)["id"]]
        items, pagination = page(
            call,
            [{"name": n} for n in data.hashes],
            lambda u: u["name"],
            "NAME",
            created=lambda u: data.created.get(u["name"]),
        )
        return ok({"users": items, "pagination": pagination})

    @handles("CockroachCloud_CreateSQLUser", audit="CREATE_SQL_USER")
    async def create(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        name = _name(body["name"], "name")
        v.non_empty(body["password"], "password")
        data = self.users[cluster["id"]]
        if name in data.hashes:
            raise already_exists(f"SQL user {name!r} already exists")
        data.hashes[name] = _hash(body["password"])
        data.created[name] = self.timeline.stamp()
        call.applied(cluster=cluster)
        return ok({"name": name})

    @handles("CockroachCloud_DeleteSQLUser", audit="DELETE_SQL_USER")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        name = self._user(call, cluster)
        del self.users[cluster["id"]].hashes[name]
        call.applied(cluster=cluster)
        return ok({"name": name})

    @handles("CockroachCloud_UpdateSQLUserPassword", audit="CHANGE_SQL_USER_PASSWORD")
    async def update_password(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        name = self._user(call, cluster)
        body = await call.body()
        v.non_empty(body["password"], "password")
        self.users[cluster["id"]].hashes[name] = _hash(body["password"])
        call.applied(cluster=cluster)
        return ok({"name": name})


@dataclass
class _Databases:
    by_name: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {n: {"name": n, "table_count": "0"} for n in _DEFAULT_DATABASES}
    )
    # name -> creation time (the defaults, there since the cluster was made, have none
    # and are always listed).
    created: dict[str, str] = field(default_factory=dict)


class Databases(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.databases: PerCluster[_Databases] = PerCluster(_Databases)

    def _rename(
        self, call: Call, cluster: dict[str, Any], old: str, new: str
    ) -> web.StreamResponse:
        data = self.databases[cluster["id"]]
        if old not in data.by_name:
            raise not_found("database")
        _name(new, "new_name")
        if new != old and new in data.by_name:
            raise already_exists(f"database {new!r} already exists")
        db = data.by_name.pop(old)
        db["name"] = new
        data.by_name[new] = db
        if old in data.created:
            data.created[new] = data.created.pop(old)
        call.applied(cluster=cluster)
        return ok(db)

    @handles("CockroachCloud_ListDatabases")
    async def list_databases(self, call: Call) -> web.StreamResponse:
        data = self.databases[self.cluster_for(call)["id"]]
        items, pagination = page(
            call,
            data.by_name.values(),
            lambda d: d["name"],
            "NAME",
            created=lambda d: data.created.get(d["name"]),
        )
        return ok({"databases": items, "pagination": pagination})

    @handles("CockroachCloud_CreateDatabase", audit="UPDATE_CLUSTER")
    async def create(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        name = _name(body["name"], "name")
        data = self.databases[cluster["id"]]
        if name in data.by_name:
            raise already_exists(f"database {name!r} already exists")
        data.by_name[name] = {"name": name, "table_count": "0"}
        data.created[name] = self.timeline.stamp()
        call.applied(cluster=cluster)
        return ok(data.by_name[name])

    @handles("CockroachCloud_EditDatabase", audit="UPDATE_CLUSTER")
    async def edit(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        return self._rename(call, cluster, call.params["name"], body["new_name"])

    @handles("CockroachCloud_EditDatabase2", audit="UPDATE_CLUSTER")
    async def edit_by_body(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        return self._rename(call, cluster, body["name"], body["new_name"])

    @handles("CockroachCloud_DeleteDatabase", audit="UPDATE_CLUSTER")
    async def delete(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        db = self.databases[cluster["id"]].by_name.pop(call.params["name"], None)
        if db is None:
            raise not_found("database")
        call.applied(cluster=cluster)
        return ok(db)


class SqlConnection(ClusterArea):
    """The cluster's nodes and its connection string; no state beyond the cluster's."""

    @handles("CockroachCloud_ListClusterNodes")
    async def list_nodes(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call)
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

    @handles("CockroachCloud_GetConnectionString")
    async def connection_string(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call)
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
