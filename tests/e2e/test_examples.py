"""The fleet examples run end to end on their embedded emulator, as a user would run them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(
    script: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # -W error: a leaked session or an unawaited coroutine in an example fails the test.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-W", "error", str(ROOT / "examples" / script), "--emulator", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_fleet_node_health() -> None:
    result = run("fleet_node_health.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "summary: 12 clusters, 12 healthy, 0 degraded, 0 failed" in result.stdout
    assert re.search(r"ADVANCED +ok: 3/3 nodes live", result.stdout)
    assert not result.stderr


def test_fleet_node_health_lists_failures() -> None:
    result = run("fleet_node_health.py", "--demo-failure")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "summary: 12 clusters, 11 healthy, 0 degraded, 1 failed" in result.stdout
    summary = result.stdout.split("summary:")[1]
    assert "CHECK FAILED: 403" in summary


def test_rotate_sql_password_never_prints_it() -> None:
    password = "Rotated-Secret-8c1f0e"
    result = run("rotate_sql_password.py", env={"NEW_SQL_PASSWORD": password})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rotated on 3 of 3 clusters" in result.stdout
    assert "from $NEW_SQL_PASSWORD" in result.stdout
    assert password not in result.stdout + result.stderr


def test_rotate_sql_password_generates_one() -> None:
    result = run("rotate_sql_password.py", env={"NEW_SQL_PASSWORD": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "generated" in result.stdout
    assert "rotated on 3 of 3 clusters" in result.stdout


def test_rotate_sql_password_refuses_a_password_nobody_could_read() -> None:
    environ = {k: v for k, v in os.environ.items() if k != "NEW_SQL_PASSWORD"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "rotate_sql_password.py"), "some-cluster-id"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--password-file" in result.stderr


def test_monthly_usage() -> None:
    result = run("monthly_usage.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 invoices since" in result.stdout
    assert re.search(r"^  payments-prod +USD [\d,]+\.\d\d$", result.stdout, re.MULTILINE)
    assert "Compute (3 x m6i.xlarge)" in result.stdout
    assert "adjustment: Startup program credit" in result.stdout
    assert not result.stderr
