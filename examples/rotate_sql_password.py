"""Rotate a SQL user's password on a set of clusters.

    python examples/rotate_sql_password.py --emulator            # embedded emulator
    NEW_SQL_PASSWORD=... COCKROACH_API_KEY=... \\
        python examples/rotate_sql_password.py --user app CLUSTER_ID [CLUSTER_ID ...]
    COCKROACH_API_KEY=... python examples/rotate_sql_password.py --user app \\
        --password-file new-password.txt CLUSTER_ID [CLUSTER_ID ...]

The new password comes from ``NEW_SQL_PASSWORD``, or is generated with :mod:`secrets`
and written to ``--password-file`` (created with mode 0600, never overwritten). It is
never printed or logged. Every cluster gets the same password; the clusters are updated
concurrently and each one's outcome is reported. Exit status: 0 when every cluster was
updated, 1 otherwise.

With ``--emulator`` the clusters are three seeded ones of an embedded emulator, on which
the user is created first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from ccloud_async import CockroachCloud, run_fleet
from ccloud_async.testing import FakeCloud

PASSWORD_ENV = "NEW_SQL_PASSWORD"


def new_password(password_file: Path | None) -> tuple[str, str]:
    """The password and where it came from (for the report: never the password itself)."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env, f"from ${PASSWORD_ENV}"
    password = secrets.token_urlsafe(24)  # 32 characters, 192 bits
    if password_file is None:
        return password, "generated (not stored)"
    # O_EXCL: never overwrite an older password someone may still need.
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(password + "\n")
    return password, f"generated, saved to {password_file}"


@asynccontextmanager
async def connect(
    emulator: bool, user: str, cluster_ids: list[str]
) -> AsyncIterator[CockroachCloud]:
    """A client; with ``emulator``, on a fresh emulator whose cluster ids fill ``cluster_ids``."""
    if not emulator:
        async with CockroachCloud() as cloud:  # key from COCKROACH_API_KEY
            yield cloud
        return
    async with FakeCloud(seed_clusters=3) as fake:
        async with CockroachCloud(api_key="test-key", base_url=fake.url) as cloud:
            for cluster in fake.clusters.all():
                await cloud.sql_users.create(
                    cluster["id"], name=user, password=secrets.token_urlsafe(16)
                )
                cluster_ids.append(cluster["id"])
            yield cloud


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cluster_ids", nargs="*", metavar="CLUSTER_ID")
    parser.add_argument("--user", default="app", help="SQL user (default: app)")
    parser.add_argument("--password-file", type=Path, help="where to save a generated password")
    parser.add_argument("--emulator", action="store_true", help="run on an embedded emulator")
    args = parser.parse_args(argv)
    if args.emulator == bool(args.cluster_ids):
        parser.error("give cluster ids, or --emulator")
    if not args.emulator and not os.environ.get(PASSWORD_ENV) and args.password_file is None:
        # A generated password nobody can read back would lock the user out.
        parser.error(f"set ${PASSWORD_ENV} or give --password-file")

    password, origin = new_password(args.password_file)
    cluster_ids: list[str] = list(args.cluster_ids)
    async with connect(args.emulator, args.user, cluster_ids) as cloud:

        async def rotate(cluster_id: str) -> None:
            # A PUT: the client may safely retry it after a timeout or a 5xx.
            await cloud.sql_users.update_password(cluster_id, args.user, password=password)

        results = await run_fleet(rotate, cluster_ids, concurrency=5)

    print(f"password for SQL user {args.user!r}: {origin}")
    for r in results:
        # SDK errors carry status, message and path, never the request body.
        print(f"  {r.item}: {'rotated' if r.ok else f'FAILED: {r.error}'}")
    failed = sum(not r.ok for r in results)
    print(f"rotated on {len(results) - failed} of {len(results)} clusters")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
