"""A cluster's backups, their schedule (the backup configuration) and restores.

Backups are synthetic: one at cluster creation, then one every ``frequency_minutes``
while backups are enabled, kept for ``retention_days``; they are made when asked for,
from the emulator's clock. Restores (of a backup of this or another cluster) stay
PENDING for ``Timings.restore`` seconds (0 by default), ``completion_percent`` rising
from 0 to 1, then end SUCCESS (or FAILED after ``fake.fail_next("restore")``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..call import Call
from ..common import new_id, not_found, ok, parse_time, timestamp
from ..errors import invalid
from ..paging import page
from ._base import handles
from ._cluster_shared import ClusterArea, PerCluster

if TYPE_CHECKING:
    from ..server import FakeCloud

__all__ = ["BACKUP_FREQUENCIES", "BACKUP_RETENTIONS", "Backups"]

BACKUP_FREQUENCIES = (5, 10, 15, 30, 60, 240, 1440)
BACKUP_RETENTIONS = (2, 7, 30, 90, 365)


@dataclass
class _ClusterBackups:
    config: dict[str, Any] = field(
        default_factory=lambda: {"enabled": True, "frequency_minutes": 60, "retention_days": 30}
    )
    backups: list[dict[str, Any]] = field(default_factory=list)
    next_backup: datetime | None = None
    restores: dict[str, dict[str, Any]] = field(default_factory=dict)  # restores *into* it


def _finish_restore(restore: dict[str, Any], now: str, failure: str | None = None) -> None:
    if failure is None:
        restore.update(status="SUCCESS", completion_percent=1.0, completed_at=now)
    else:
        restore.update(status=failure, completed_at=now)


def _time_window(call: Call) -> tuple[str, str]:
    """``start_time`` / ``end_time`` as comparable timestamps (open ends: "" and "~")."""
    query = call.request.query
    bounds = []
    for name in ("start_time", "end_time"):
        if query.get(name):
            bounds.append(timestamp(parse_time(query[name], name)))
        else:
            bounds.append("" if name == "start_time" else "~")
    return bounds[0], bounds[1]


class Backups(ClusterArea):
    def __init__(self, fake: FakeCloud) -> None:
        super().__init__(fake)
        self.clusters: PerCluster[_ClusterBackups] = PerCluster(_ClusterBackups)

    def _backups_of(self, cluster: dict[str, Any]) -> list[dict[str, Any]]:
        """The cluster's backups, brought up to date with its schedule."""
        data = self.clusters[cluster["id"]]
        now = self.timeline.now()
        if cluster["state"] == "DELETED":
            now = min(now, parse_time(cluster["deleted_at"], "deleted_at"))
        if data.next_backup is None:
            data.next_backup = parse_time(cluster["created_at"], "created_at")
        config = data.config
        step = timedelta(minutes=config["frequency_minutes"])
        while config["enabled"] and data.next_backup <= now:
            data.backups.append({"id": new_id(), "as_of_time": timestamp(data.next_backup)})
            data.next_backup += step
        oldest = now - timedelta(days=config["retention_days"])
        data.backups = [
            b for b in data.backups if parse_time(b["as_of_time"], "as_of_time") >= oldest
        ]
        return data.backups

    # --- backups and their configuration -----------------------------------------------

    @handles("CockroachCloud_ListBackups")
    async def list_backups(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call)
        start, end = _time_window(call)
        backups = [b for b in self._backups_of(cluster) if start <= b["as_of_time"] <= end]
        items, pagination = page(
            call,
            backups,
            lambda b: b["as_of_time"] + b["id"],
            "AS_OF",
            created=lambda b: b["as_of_time"],
        )
        return ok({"backups": items, "pagination": pagination})

    @handles("CockroachCloud_GetBackupConfiguration")
    async def get_config(self, call: Call) -> web.StreamResponse:
        return ok(self.clusters[self.cluster_for(call)["id"]].config)

    @handles("CockroachCloud_UpdateBackupConfiguration", audit="UPDATE_CLUSTER")
    async def update_config(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call, mutate=True)
        body = await call.body()
        if body.get("frequency_minutes", 60) not in BACKUP_FREQUENCIES:
            allowed = ", ".join(map(str, BACKUP_FREQUENCIES))
            raise invalid(f"frequency_minutes: must be one of {allowed}")
        if body.get("retention_days", 30) not in BACKUP_RETENTIONS:
            allowed = ", ".join(map(str, BACKUP_RETENTIONS))
            raise invalid(f"retention_days: must be one of {allowed}")
        self._backups_of(cluster)  # settle the schedule so far under the old configuration
        data = self.clusters[cluster["id"]]
        if body.get("enabled") and not data.config["enabled"]:
            data.next_backup = self.timeline.now()
        data.config.update(body)
        call.applied(cluster=cluster)
        return ok(data.config)

    # --- restores ----------------------------------------------------------------------

    @handles("CockroachCloud_CreateRestore", audit="RESTORE_CLUSTER")
    async def create_restore(self, call: Call) -> web.StreamResponse:
        destination = self.cluster_for(call, mutate=True, param="destination_cluster_id")
        body = await call.body()
        source_id = body.get("source_cluster_id") or destination["id"]
        source = self.fake.clusters.get(source_id)
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
        backups = self._backups_of(source)
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
            "created_at": self.timeline.stamp(),
            "type": kind,
            "status": "PENDING",
            "completion_percent": 0.0,
            "source_cluster_name": source["name"],
            "destination_cluster_name": destination["name"],
            "crdb_job_id": str(int.from_bytes(os.urandom(7), "big")),
            "objects": objects,
            "restore_opts": body.get("restore_opts", {}),
        }
        self.clusters[destination["id"]].restores[restore["id"]] = restore

        def progress(fraction: float) -> None:
            restore["completion_percent"] = round(fraction, 3)

        # PENDING with completion_percent rising for Timings.restore seconds.
        self.fake.jobs.start(
            "restore",
            lambda failure: _finish_restore(restore, self.timeline.stamp(), failure),
            on_progress=progress,
        )
        call.applied(cluster=destination)
        return ok(restore)

    @handles("CockroachCloud_ListRestores")
    async def list_restores(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call)
        start, end = _time_window(call)
        restores = [
            r
            for r in self.clusters[cluster["id"]].restores.values()
            if start <= r["created_at"] <= end
        ]
        items, pagination = page(call, restores, lambda r: r["created_at"] + r["id"], "CREATED_AT")
        return ok({"restores": items, "pagination": pagination})

    @handles("CockroachCloud_GetRestore")
    async def get_restore(self, call: Call) -> web.StreamResponse:
        cluster = self.cluster_for(call)
        restore = self.clusters[cluster["id"]].restores.get(call.params["restore_id"])
        if restore is None:
            raise not_found("restore")
        return ok(restore)
