"""The ``ccloud-async`` command line, run as a subprocess against emulators."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from ..support.emulator_process import Emulator, cli_env, start_emulator, stop_emulator

KEY = "cli-test-key"
PASSWORD = "s3cret-Pa55word-xyz"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emu = start_emulator(
        "--api-key", KEY, "--clusters", "12", "--audit-entries", "300", "--rate-limit", "0"
    )
    yield emu
    stop_emulator(emu)


def run_cli(
    *args: str, url: str | None = None, key: str | None = KEY, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "ccloud_async.cli"]
    if url is not None:
        argv += ["--base-url", url]
    if key is not None and url is not None:
        argv += ["--api-key", key]
    return subprocess.run(
        [*argv, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(),
    )


def ok_json(*args: str, url: str, stdin: str | None = None) -> Any:
    result = run_cli(*args, url=url, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def first_cluster(url: str) -> dict[str, Any]:
    clusters = ok_json("clusters", "list", url=url)
    return dict(clusters[0])


# --- help and usage -------------------------------------------------------------------


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("clusters", "sql-users", "allowlist", "backups", "restores", "invoices"):
        assert command in result.stdout
    for command in ("audit-logs", "organization", "report", "emulator", "exit codes"):
        assert command in result.stdout
    sub = run_cli("audit-logs", "export", "--help")
    assert sub.returncode == 0 and "FILE.resume" in sub.stdout


def test_usage_errors_exit_2() -> None:
    assert run_cli().returncode == 2
    assert run_cli("clusters").returncode == 2
    bad = run_cli("clusters", "frobnicate")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


# --- sub-commands -----------------------------------------------------------------------


def test_clusters_list_is_json_when_piped(emulator: Emulator) -> None:
    clusters = ok_json("clusters", "list", url=emulator.url)
    assert len(clusters) == 12
    assert {c["name"] for c in clusters} == {f"fleet-{i:04d}" for i in range(1, 13)}
    assert all(c["state"] == "CREATED" for c in clusters)


def test_table_output_when_asked(emulator: Emulator) -> None:
    result = run_cli("--output", "table", "clusters", "list", url=emulator.url)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["NAME", "ID", "STATE", "PLAN"]
    assert len(lines) == 13
    assert "\x1b[" not in result.stdout  # no colour off a terminal


def test_clusters_get_nodes_wait(emulator: Emulator) -> None:
    cluster = first_cluster(emulator.url)
    got = ok_json("clusters", "get", cluster["id"], url=emulator.url)
    assert got["id"] == cluster["id"] and got["name"] == cluster["name"]
    nodes = ok_json("clusters", "nodes", cluster["id"], url=emulator.url)
    assert isinstance(nodes, list)
    assert len(nodes) == sum(r["node_count"] for r in cluster["regions"])
    waited = ok_json("clusters", "wait", cluster["id"], "--until", "CREATED", url=emulator.url)
    assert waited["state"] == "CREATED"


def test_clusters_create_and_delete(emulator: Emulator) -> None:
    created = ok_json(
        "clusters", "create", "--name", "cli-made-1", "--provider", "GCP", "--plan", "STANDARD",
        url=emulator.url,
    )  # fmt: skip
    assert created["name"] == "cli-made-1" and created["plan"] == "STANDARD"
    # No terminal to confirm on and no --yes: refused, nothing deleted.
    refused = run_cli("clusters", "delete", created["id"], url=emulator.url)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    deleted = ok_json("clusters", "delete", created["id"], "--yes", url=emulator.url)
    assert deleted["id"] == created["id"]
    spec = json.dumps({"dedicated": {"region_nodes": {"us-east-1": 3},
                       "hardware": {"machine_spec": {"num_virtual_cpus": 4},
                                    "storage_gib": 15}}})  # fmt: skip
    advanced = ok_json(
        "clusters", "create", "--name", "cli-made-2", "--provider", "AWS", "--spec-json", spec,
        url=emulator.url,
    )  # fmt: skip
    assert advanced["plan"] == "ADVANCED"
    ok_json("clusters", "delete", advanced["id"], "-y", url=emulator.url)
    bad = run_cli(
        "clusters", "create", "--name", "cli-made-3", "--provider", "AWS", "--spec-json",
        '{"dedicated": {"region_nodes": {"us-east-1": 3}}}', url=emulator.url,
    )  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_sql_users_password_never_shown(emulator: Emulator) -> None:
    cluster = first_cluster(emulator.url)["id"]
    result = run_cli(
        "sql-users", "create", cluster, "cli_user", "--password-stdin",
        url=emulator.url, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert json.loads(result.stdout)["name"] == "cli_user"
    users = ok_json("sql-users", "list", cluster, url=emulator.url)
    assert "cli_user" in {u["name"] for u in users}
    no_password = run_cli("sql-users", "create", cluster, "other_user", url=emulator.url)
    assert no_password.returncode == 2
    ok_json("sql-users", "delete", cluster, "cli_user", "--yes", url=emulator.url)
    users = ok_json("sql-users", "list", cluster, url=emulator.url)
    assert "cli_user" not in {u["name"] for u in users}


def test_allowlist_add_list_delete(emulator: Emulator) -> None:
    # Allowlists are for dedicated clusters.
    cluster = next(
        c for c in ok_json("clusters", "list", url=emulator.url) if c["plan"] == "ADVANCED"
    )["id"]
    added = ok_json(
        "allowlist", "add", cluster, "203.0.113.7/24", "--name", "office", url=emulator.url
    )
    assert (added["cidr_ip"], added["cidr_mask"]) == ("203.0.113.0", 24)
    entries = ok_json("allowlist", "list", cluster, url=emulator.url)
    assert ("203.0.113.0", 24) in {(e["cidr_ip"], e["cidr_mask"]) for e in entries}
    ok_json("allowlist", "delete", cluster, "203.0.113.0/24", url=emulator.url)
    entries = ok_json("allowlist", "list", cluster, url=emulator.url)
    assert ("203.0.113.0", 24) not in {(e["cidr_ip"], e["cidr_mask"]) for e in entries}
    assert run_cli("allowlist", "add", cluster, "not-a-cidr", url=emulator.url).returncode == 2


def test_backups_restores_invoices_organization(emulator: Emulator) -> None:
    cluster = next(
        c for c in ok_json("clusters", "list", url=emulator.url) if c["plan"] == "ADVANCED"
    )["id"]
    assert isinstance(ok_json("backups", "list", cluster, url=emulator.url), list)
    assert isinstance(ok_json("restores", "list", cluster, url=emulator.url), list)
    invoices = ok_json("invoices", "list", url=emulator.url)
    assert invoices
    invoice = ok_json("invoices", "get", invoices[0]["invoice_id"], url=emulator.url)
    assert invoice["invoice_id"] == invoices[0]["invoice_id"]
    assert ok_json("organization", "get", url=emulator.url)["id"]


def test_audit_logs_list(emulator: Emulator) -> None:
    entries = ok_json("audit-logs", "list", "--page-size", "50", url=emulator.url)
    assert len(entries) >= 300
    stamps = [e["created_at"] for e in entries]
    assert len({e["id"] for e in entries}) == len(entries)
    five = ok_json("audit-logs", "list", "--limit", "5", url=emulator.url)
    assert [e["id"] for e in five] == [e["id"] for e in entries[:5]]
    window = ok_json(
        "audit-logs", "list", "--since", stamps[9], "--until", stamps[19], url=emulator.url
    )
    assert window and all(stamps[9] < e["created_at"] <= stamps[19] for e in window)
    bad = run_cli("audit-logs", "list", "--since", "yesterday", url=emulator.url)
    assert bad.returncode == 2


def test_report_json(emulator: Emulator) -> None:
    report = ok_json("report", url=emulator.url)
    summary = report["summary"]
    assert summary["clusters"] == len(report["clusters"]) >= 12
    assert summary["failed"] == 0
    assert summary["nodes"] == sum(r["nodes"] for r in report["clusters"])
    assert summary["requests"] >= summary["clusters"] + 1
    names = [r["name"] for r in report["clusters"]]
    assert names == sorted(names)
    table = run_cli("--output", "table", "report", url=emulator.url)
    assert table.returncode == 0
    assert "clusters," in table.stdout.splitlines()[-1]


def test_report_in_process_emulator_with_export(tmp_path: Any) -> None:
    target = tmp_path / "audit.jsonl"
    result = run_cli(
        "--emulator", "--emulator-clusters", "6", "--emulator-audit-entries", "250",
        "--emulator-rate-limit", "0", "report", "--export-audit", str(target),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["clusters"] == 6
    assert report["audit_export"]["written"] == 250
    assert len(target.read_text().splitlines()) == 250


# --- exit codes ---------------------------------------------------------------------------


def test_exit_code_auth(emulator: Emulator) -> None:
    wrong = run_cli("clusters", "list", url=emulator.url, key="wrong-key-123")
    assert wrong.returncode == 3
    assert "wrong-key-123" not in wrong.stdout + wrong.stderr
    assert wrong.stdout == ""
    missing = run_cli("clusters", "list")
    assert missing.returncode == 3 and "--api-key" in missing.stderr


def test_exit_code_permission_denied() -> None:
    result = run_cli(
        "--emulator", "--emulator-clusters", "0", "--emulator-roles", "", "clusters", "list"
    )
    assert result.returncode == 4
    assert "permission denied" in result.stderr


def test_exit_code_not_found(emulator: Emulator) -> None:
    result = run_cli("clusters", "get", "no-such-cluster", url=emulator.url)
    assert result.returncode == 5
    assert len(result.stderr.strip().splitlines()) == 1


def test_exit_code_rate_limited() -> None:
    emu = start_emulator("--api-key", KEY, "--rate-limit", "1", "--rate-window", "120")
    try:
        assert ok_json("organization", "get", url=emu.url)
        limited = run_cli("--max-retry-after", "5", "organization", "get", url=emu.url)
        assert limited.returncode == 6, limited.stderr
        assert "RateLimitedError" in limited.stderr
    finally:
        stop_emulator(emu)


def test_exit_code_connection() -> None:
    result = run_cli("--max-retries", "0", "clusters", "list", url="http://127.0.0.1:9", key=KEY)
    assert result.returncode == 8


def test_emulator_command_serves_until_interrupted() -> None:
    emu = start_emulator("--clusters", "3", "--audit-entries", "10", "--rate-limit", "0", cli=True)
    try:
        clusters = run_cli("clusters", "list", url=emu.url, key="test-key")
        assert clusters.returncode == 0, clusters.stderr
        assert len(json.loads(clusters.stdout)) == 3
    finally:
        assert stop_emulator(emu) == 0


# --- what counts as the user's mistake, and what is ours ------------------------------------


def test_an_argument_the_sdk_refuses_is_invalid_input(emulator: Emulator) -> None:
    result = run_cli("clusters", "get", "", url=emulator.url)
    assert result.returncode == 2, result.stderr
    assert "invalid input: path parameter 'cluster_id' must not be empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unexpected_error_is_an_internal_error_not_invalid_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccloud_async.cli.app import run
    from ccloud_async.testing.areas import org_billing

    def broken(*_: object) -> dict[str, Any]:
        raise ValueError("month must be in 1..12")  # the December bug, as it looked

    monkeypatch.setattr(org_billing, "seed_invoices", broken)
    argv = ["--emulator", "--emulator-clusters", "0", "--emulator-audit-entries", "0"]
    code = run([*argv, "organization", "get"])
    err = capsys.readouterr().err
    assert code == 70
    assert "internal error: ValueError: month must be in 1..12" in err
    assert "invalid input" not in err and "please report it" in err
    assert "Traceback" not in err
    assert run([*argv, "--debug", "organization", "get"]) == 70
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_emulator_mode_says_it_is_fresh_per_command_and_how_to_share_one() -> None:
    from ccloud_async.cli.app import EMULATOR_SERVER_KEY
    from ccloud_async.testing import DEFAULT_API_KEY

    assert EMULATOR_SERVER_KEY == DEFAULT_API_KEY
    top = " ".join(run_cli("--help").stdout.split())
    assert "fresh in-process emulator" in top and "COCKROACH_SERVER" in top
    assert f"(its key: {DEFAULT_API_KEY})" in top
    emu = run_cli("emulator", "--help").stdout
    assert f"COCKROACH_API_KEY={DEFAULT_API_KEY}" in emu and "terminal 2" in emu


def test_emulator_time_dates_the_demo_data() -> None:
    result = run_cli(
        "--emulator", "--emulator-time", "2028-02-29T12:00:00Z", "--emulator-clusters", "0",
        "--emulator-audit-entries", "0", "invoices", "list",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    starts = [i["period_start"] for i in json.loads(result.stdout)]
    assert starts == ["2027-12-01T00:00:00Z", "2028-01-01T00:00:00Z", "2028-02-01T00:00:00Z"]
    bad = run_cli("--emulator", "--emulator-time", "2027-02-29T00:00:00Z", "invoices", "list")
    assert bad.returncode == 2 and "RFC 3339" in bad.stderr
