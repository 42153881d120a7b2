"""The command line for the whole API: a group per namespace, a sub-command per method,
names for ids, global options anywhere, ``api``, ``--dry-run`` and shell completion.

Most calls run ``main()`` in this process (the same parser and run loop as the
installed command, without an interpreter start each); the behaviours a shell sees
(piping, completion) run as subprocesses.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ccloud_async import OPERATIONS
from ccloud_async.cli import main
from ccloud_async.cli.api_commands import GROUPS, command_name
from ccloud_async.cli.app import build_parser

from .test_cli import KEY, PASSWORD, Emulator, cli_env, run_cli, start_emulator, stop_emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    emulator = start_emulator(
        "--api-key", KEY, "--clusters", "4", "--audit-entries", "50", "--rate-limit", "0"
    )
    yield emulator
    stop_emulator(emulator)


def cli(capsys: pytest.CaptureFixture[str], emu: Emulator, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--base-url", emu.url, "--api-key", KEY, *args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], emu: Emulator, *args: str) -> Any:
    code, out, err = cli(capsys, emu, *args, "-o", "json")
    assert code == 0, err
    return json.loads(out)


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _verbs(group: str) -> dict[str, str]:
    verbs = _subcommands(_subcommands(PARSER).choices[group])
    return {c.dest: c.help or "" for c in verbs._choices_actions}


PARSER = build_parser()


# --- every operation reachable ------------------------------------------------------------


def test_every_namespace_is_a_group_and_every_method_a_command() -> None:
    namespaces = {op.method.split(".")[0] for op in OPERATIONS.values()}
    assert set(GROUPS) == namespaces
    for namespace in sorted(namespaces):
        verbs = _verbs(command_name(namespace))
        for op in OPERATIONS.values():
            ns, method = op.method.split(".")
            if ns == namespace:
                assert command_name(method) in verbs, op.method
                assert verbs[command_name(method)], f"{op.method} has no summary"


def test_each_groups_help_names_all_its_methods(capsys: pytest.CaptureFixture[str]) -> None:
    for namespace in GROUPS:
        capsys.readouterr()
        assert main([command_name(namespace), "--help"]) == 0
        out = capsys.readouterr().out
        for op in OPERATIONS.values():
            ns, method = op.method.split(".")
            if ns == namespace:
                assert command_name(method) in out, (namespace, method)


def test_options_are_typed_from_the_models(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["clusters", "update", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--plan {BASIC,STANDARD,ADVANCED}" in out
    assert "--labels JSON" in out and "--body JSON|@FILE|-" in out
    assert "PATCH /api/v1/clusters/{cluster_id}" in out
    assert main(["sql-users", "update-password", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--password-stdin" in out and "--password " not in out  # never a plain flag
    assert main(["api-keys", "create", "--help"]) == 0
    assert "preview" in capsys.readouterr().out
    code = main(["clusters", "update", "x", "--plan", "PLATINUM"])
    assert code == 2 and "invalid choice" in capsys.readouterr().err


# One read per namespace, with what the seeded emulator holds.
READS: dict[str, list[str]] = {
    "clusters": ["clusters", "list-major-versions"],
    "backups": ["backups", "get-config", "{cluster}"],
    "restores": ["restores", "list", "{cluster}"],
    "cmek": ["cmek", "enable", "{dedicated}", "--body", "{cmek}"],
    "sql_users": ["sql-users", "list", "{cluster}"],
    "databases": ["databases", "list", "{cluster}"],
    "allowlist": ["allowlist", "list", "{dedicated}"],
    "private_endpoints": ["private-endpoints", "list-services", "{dedicated}"],
    "egress_private_endpoints": ["egress-private-endpoints", "list", "{dedicated}"],
    "egress_rules": ["egress-rules", "list", "{dedicated}"],
    "log_export": ["log-export", "enable", "{dedicated}", "--type", "GCP_CLOUD_LOGGING",
                   "--log-name", "crdb", "--auth-principal", "crdb-logs@example.iam"],
    "metric_export": ["metric-export", "enable-prometheus", "{dedicated}"],
    "audit_logs": ["audit-logs", "list-page", "--limit", "5"],
    "invoices": ["invoices", "list"],
    "folders": ["folders", "list"],
    "roles": ["roles", "list-grants"],
    "service_accounts": ["service-accounts", "list"],
    "api_keys": ["api-keys", "list"],
    "jwt_issuers": ["jwt-issuers", "list"],
    "replication": ["replication", "list-streams", "--cluster-id", "{cluster}"],
    "maintenance_windows": ["maintenance-windows", "set", "{dedicated}", "--offset-duration",
                            "3600s", "--window-duration", "28800s"],
    "blackout_windows": ["blackout-windows", "list", "{dedicated}"],
    "version_deferral": ["version-deferral", "get", "{dedicated}"],
    "disruption": ["disruption", "get", "{dedicated}"],
    "client_ca_certs": ["client-ca-certs", "get", "{dedicated}"],
    "organization": ["organization", "get"],
    "scim": ["scim", "get-service-provider-config"],
}  # fmt: skip


_KEY_TYPES = {"AWS": "AWS_KMS", "GCP": "GCP_CLOUD_KMS", "AZURE": "AZURE_KEY_VAULT"}


def test_one_real_call_per_namespace(capsys: pytest.CaptureFixture[str], emu: Emulator) -> None:
    assert set(READS) == set(GROUPS)
    clusters = ok(capsys, emu, "clusters", "list")
    dedicated = next(c for c in clusters if c["plan"] == "ADVANCED")
    key = {
        "type": _KEY_TYPES[dedicated["cloud_provider"]],
        "uri": "kms://keys/crdb",
        "auth_principal": "crdb-cmek@example.iam",
    }
    region = {"region": dedicated["regions"][0]["name"], "key_spec": key}
    names = {
        "{cluster}": clusters[0]["name"],
        "{dedicated}": dedicated["name"],
        "{cmek}": json.dumps({"region_specs": [region]}),
    }
    failed = {}
    for namespace, argv in READS.items():
        code, out, err = cli(capsys, emu, *(names.get(a, a) for a in argv), "-o", "json")
        if code != 0:
            failed[namespace] = err.strip()
        else:
            json.loads(out)
    assert failed == {}, "\n".join(f"{k}: {v}" for k, v in failed.items())


def test_body_from_json_file_and_stdin(
    capsys: pytest.CaptureFixture[str], emu: Emulator, tmp_path: Path, monkeypatch: Any
) -> None:
    cluster = ok(capsys, emu, "clusters", "list")[0]
    body = tmp_path / "labels.json"
    body.write_text(json.dumps({"labels": {"team": "from-file"}}))
    updated = ok(capsys, emu, "clusters", "update", cluster["name"], "--body", f"@{body}")
    assert updated["labels"] == {"team": "from-file"}
    code, _, err = cli(capsys, emu, "clusters", "update", cluster["id"], "--body", "{nope")
    assert code == 2 and "not JSON" in err


# --- names, global options, dry run, api ----------------------------------------------------


def test_a_cluster_by_name_and_clear_errors_for_bad_names(
    capsys: pytest.CaptureFixture[str], emu: Emulator
) -> None:
    clusters = ok(capsys, emu, "clusters", "list")
    by_name = ok(capsys, emu, "clusters", "get", clusters[1]["name"])
    assert by_name["id"] == clusters[1]["id"]
    nodes = ok(capsys, emu, "clusters", "list-nodes", clusters[1]["name"])
    assert isinstance(nodes, list)
    code, _, err = cli(capsys, emu, "clusters", "get", "fleet-00")
    assert code == 5 and "no cluster named" in err and "fleet-0001" in err  # similar ones
    # Two clusters of one name: ambiguous, exit 2, both ids listed.
    twin = ("service-accounts", "create", "--name", "twin", "--description", "a twin",
            "--roles", "[]")  # fmt: skip
    created, again = ok(capsys, emu, *twin), ok(capsys, emu, *twin)
    code, _, err = cli(capsys, emu, "service-accounts", "get", "twin")
    assert code == 2 and created["id"] in err and again["id"] in err


def test_global_options_anywhere(emu: Emulator) -> None:
    after = run_cli("clusters", "list", "-o", "json", url=emu.url)
    assert after.returncode == 0 and isinstance(json.loads(after.stdout), list)
    table = run_cli("clusters", "-o", "table", "list", url=emu.url)
    assert table.stdout.split()[:2] == ["NAME", "ID"]
    yaml_out = run_cli("organization", "get", "--output", "yaml", url=emu.url)
    assert yaml_out.returncode == 0 and "\ncreated_at: '" in yaml_out.stdout
    # The export's own -o (its file) still wins inside that command.
    help_text = run_cli("audit-logs", "export", "--help")
    assert "-o FILE.jsonl, --file FILE.jsonl" in help_text.stdout
    key_after = subprocess.run(
        [sys.executable, "-m", "ccloud_async.cli", "organization", "get",
         "--base-url", emu.url, "--api-key", KEY, "-o", "json"],
        capture_output=True, text=True, timeout=60, env=cli_env(),
    )  # fmt: skip
    assert key_after.returncode == 0, key_after.stderr


def test_dry_run_prints_the_request_and_sends_nothing(
    capsys: pytest.CaptureFixture[str], emu: Emulator, monkeypatch: Any
) -> None:
    cluster = ok(capsys, emu, "clusters", "list")[0]
    shown = ok(capsys, emu, "--dry-run", "clusters", "delete", cluster["name"])
    assert shown == {"method": "DELETE", "path": f"/api/v1/clusters/{cluster['id']}"}
    assert ok(capsys, emu, "clusters", "get", cluster["id"])["state"] == "CREATED"
    monkeypatch.setattr("sys.stdin", _Lines(PASSWORD))
    shown = ok(
        capsys, emu, "sql-users", "update-password", cluster["name"], "app",
        "--password-stdin", "--dry-run",
    )  # fmt: skip
    assert shown["body"] == {"password": "***"}
    assert shown["method"] == "PUT" and shown["path"].endswith("/sql-users/app/password")


class _Lines:
    def __init__(self, *lines: str) -> None:
        self._lines = [f"{line}\n" for line in lines]

    def readline(self) -> str:
        return self._lines.pop(0) if self._lines else ""

    def read(self) -> str:
        text, self._lines = "".join(self._lines), []
        return text

    def isatty(self) -> bool:
        return False


def test_secrets_from_stdin_never_echoed(
    capsys: pytest.CaptureFixture[str], emu: Emulator, monkeypatch: Any
) -> None:
    cluster = ok(capsys, emu, "clusters", "list")[0]
    monkeypatch.setattr("sys.stdin", _Lines(PASSWORD, PASSWORD))
    ok(capsys, emu, "sql-users", "create", cluster["id"], "bob", "--password-stdin")
    code, out, err = cli(
        capsys, emu, "sql-users", "update-password", cluster["id"], "bob", "--password-stdin"
    )
    assert code == 0, err
    assert PASSWORD not in out + err


def test_destructive_generated_commands_ask(
    capsys: pytest.CaptureFixture[str], emu: Emulator
) -> None:
    created = ok(capsys, emu, "folders", "create", "--name", "to-drop")
    code, _, err = cli(capsys, emu, "folders", "delete", "to-drop")
    assert code == 2 and "--yes" in err
    code, _, err = cli(capsys, emu, "folders", "delete", "to-drop", "--yes")
    assert code == 0, err
    code, _, _ = cli(capsys, emu, "folders", "get", created["resource_id"])
    assert code == 5


def test_api_reaches_any_endpoint(capsys: pytest.CaptureFixture[str], emu: Emulator) -> None:
    page = ok(capsys, emu, "api", "get", "/api/v1/clusters", "-Q", "pagination.limit=2")
    assert len(page["clusters"]) == 2
    cluster = page["clusters"][0]
    patched = ok(
        capsys, emu, "api", "PATCH", f"/api/v1/clusters/{cluster['id']}",
        "--body", '{"labels": {"via": "api"}}',
    )  # fmt: skip
    assert patched["labels"] == {"via": "api"}
    code, _, err = cli(capsys, emu, "api", "GET", "/api/v1/nowhere")
    assert code == 5 and "404" in err
    code, _, err = cli(capsys, emu, "api", "GET", "api/v1/clusters")
    assert code == 2 and "must start with '/'" in err


def test_exit_codes_are_unchanged(capsys: pytest.CaptureFixture[str], emu: Emulator) -> None:
    code, _, _ = cli(capsys, emu, "organization", "get", "--api-key", "wrong-key")
    assert code == 3
    code, _, _ = cli(capsys, emu, "clusters", "get", "00000000-0000-0000-0000-000000000000")
    assert code == 5
    assert main(["clusters", "frobnicate"]) == 2


# --- shell completion -------------------------------------------------------------------


def _complete(shell_line: str, env: dict[str, str]) -> list[str]:
    words = shell_line.split(" ")
    script = f"""
source <(ccloud-async completion bash)
COMP_LINE={shell_line!r}; COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({" ".join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}
_python_argcomplete ccloud-async {words[-1]!r} {words[-2]!r}
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


@pytest.fixture
def shell_env() -> dict[str, str]:
    env = cli_env()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if shutil.which("ccloud-async", path=env["PATH"]) is None:
        pytest.fail("the ccloud-async script is not installed next to this interpreter")
    return env


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_of_commands_choices_and_cluster_names(
    shell_env: dict[str, str], emu: Emulator
) -> None:
    assert _complete("ccloud-async maint", shell_env) == ["maintenance-windows"]
    assert _complete("ccloud-async clusters update x --plan ", shell_env) == [
        "BASIC",
        "STANDARD",
        "ADVANCED",
    ]
    assert _complete("ccloud-async clusters list --output ", shell_env) == [
        "json",
        "table",
        "yaml",
    ]
    assert _complete("ccloud-async clusters get fleet-000", shell_env) == []  # no key
    with_key = {**shell_env, "COCKROACH_API_KEY": KEY, "COCKROACH_SERVER": emu.url}
    names = _complete("ccloud-async clusters get fleet-000", with_key)
    assert names and all(n.startswith("fleet-000") for n in names)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_completion_script_loads_in_its_shell(shell: str, shell_env: dict[str, str]) -> None:
    script = subprocess.run(
        ["ccloud-async", "completion", shell], capture_output=True, text=True, env=shell_env
    )
    assert script.returncode == 0 and "ccloud-async" in script.stdout
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed here")
    load = {
        "bash": "source /dev/stdin && complete -p ccloud-async",
        "zsh": "autoload -U compinit && compinit -u && source /dev/stdin",
        "fish": "source",
    }[shell]
    done = subprocess.run(
        [shell, "-c", load], input=script.stdout, capture_output=True, text=True, env=shell_env
    )
    assert done.returncode == 0, done.stderr


def test_a_deleted_cluster_is_still_found_by_name(
    capsys: pytest.CaptureFixture[str], emu: Emulator
) -> None:
    cluster = ok(capsys, emu, "clusters", "list")[-1]
    ok(capsys, emu, "clusters", "delete", cluster["name"], "--yes")
    waited = ok(capsys, emu, "clusters", "wait", cluster["name"], "--until", "DELETED")
    assert waited["id"] == cluster["id"] and waited["state"] == "DELETED"
