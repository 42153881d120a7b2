"""What ``mypy --strict`` tells a user: mistakes are type errors, reading takes ``is None``.

Two programs are checked as a user's project would check them (from outside the
checkout): one whose every marked line must be an error — a missing required body
field, a misspelt ``until=``, an enum value that does not exist — and one that must be
clean, reading optional nested response fields with plain ``is None`` checks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

MISTAKES = """
from ccloud_async import CockroachCloud


async def mistakes(cloud: CockroachCloud) -> None:
    await cloud.sql_users.create("c1", name="app")  # error: password
    await cloud.allowlist.add("c1", cidr_ip="10.0.0.0", cidr_mask=8, ui=True)  # error: sql
    await cloud.clusters.wait("c1", until="CREATD")  # error: until
    await cloud.clusters.create(name="a-cluster", provider="GCPP", spec={})  # error: provider
    await cloud.clusters.update("c1", plan="PLATINUM")  # error: plan
    cloud.clusters.list(sort_order="UP")  # error: sort_order
    cloud.audit_logs.list(sort_order="down")  # error: sort_order
    await cloud.cmek.wait("c1", until="ENABLD")  # error: until
    await cloud.with_raw_response.clusters.get("c1", timout=3)  # error: timout
    (await cloud.with_raw_response.clusters.get("c1")).parse().nmae  # error: nmae
"""

READING = """
from typing import assert_type

from ccloud_async import APIResponse, APITimeoutError, CockroachCloud, WaitTimeoutError
from ccloud_async.models import Cluster, CloudProvider, Plan


async def reading(cloud: CockroachCloud) -> int:
    cluster = await cloud.clusters.get("c1")
    config = cluster.config
    if config is None or config.serverless is None:
        return 0
    limits = config.serverless.usage_limits
    if limits is None or limits.provisioned_virtual_cpus is None:
        return 0
    assert_type(limits.provisioned_virtual_cpus, int)
    async for entry in cloud.audit_logs.list():
        if entry.id is not None and entry.created_at is not None:
            assert_type(entry.id, str)
    return limits.provisioned_virtual_cpus


async def raw(cloud: CockroachCloud) -> str | None:
    response = await cloud.with_raw_response.clusters.get("c1", extra_query={"view": "x"})
    assert_type(response, APIResponse[Cluster])
    assert_type(response.parse(), Cluster)
    assert_type(response.status, int)
    anything = await cloud.request("GET", "/api/v1/new/{id}", path_params={"id": "1"})
    typed = await cloud.request("GET", "/api/v1/clusters/c1", cast_to=Cluster)
    assert_type(typed, Cluster)
    print(anything)
    return response.request_id


async def choices(cloud: CockroachCloud) -> None:
    spec = {"serverless": {"regions": ["us-central1"]}}
    await cloud.clusters.create(name="a-cluster", provider="GCP", spec=spec)
    await cloud.clusters.create(name="a-cluster", provider=CloudProvider.AWS, spec=spec)
    # A value the API added after this SDK was made still goes through the enum.
    await cloud.clusters.update("c1", plan=Plan("ENTERPRISE"))
    await cloud.sql_users.create("c1", name="app", password="secret-pw")
    await cloud.sql_users.create("c1", body={"name": "app", "password": "secret-pw"})
    await cloud.clusters.wait("c1", until="IDLE")
    cloud.clusters.list(sort_order="DESC")


def timeouts(exc: Exception) -> bool:
    # Both timeouts are TimeoutErrors, as Python code expects.
    return isinstance(exc, TimeoutError) and issubclass(APITimeoutError, TimeoutError) and (
        issubclass(WaitTimeoutError, TimeoutError)
    )
"""


def _mypy(tmp_path: Path, source: str) -> list[str]:
    program = tmp_path / "program.py"
    program.write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPY")}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version",
         "3.11", str(program)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return [line for line in done.stdout.splitlines() if ": error:" in line]


def test_mistakes_are_type_errors(tmp_path: Path) -> None:
    errors = _mypy(tmp_path, MISTAKES)
    lines = MISTAKES.splitlines()
    expected = {
        number: line.split("# error: ")[1]
        for number, line in enumerate(lines, start=1)
        if "# error: " in line
    }
    flagged: dict[int, str] = {}
    for error in errors:
        found = re.match(r".*program\.py:(\d+): error: (.*)", error)
        assert found, error
        flagged.setdefault(int(found.group(1)), "")
        flagged[int(found.group(1))] += found.group(2)
    assert set(flagged) == set(expected), "\n".join(errors)
    for number, word in expected.items():
        # With the body= overload mypy says no variant matches rather than naming it.
        assert word in flagged[number] or "No overload variant" in flagged[number], number


def test_reading_and_valid_choices_are_clean(tmp_path: Path) -> None:
    assert _mypy(tmp_path, READING) == []
