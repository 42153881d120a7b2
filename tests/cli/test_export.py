"""``ccloud-async audit-logs export``: resumable JSONL export, killed midway and re-run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_cli import KEY, Emulator, cli_env, ok_json, run_cli, start_emulator, stop_emulator

ENTRIES = 2500


@pytest.fixture(scope="module")
def paced() -> Iterator[Emulator]:
    """10 requests per second, like the API: a 100-entry page every 0.1 s."""
    emu = start_emulator("--api-key", KEY, "--audit-entries", str(ENTRIES))
    yield emu
    stop_emulator(emu)


def ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def all_entries(url: str) -> list[dict[str, str]]:
    entries = ok_json("audit-logs", "list", "--page-size", "1000", url=url)
    assert isinstance(entries, list)
    return entries


def test_export_killed_midway_then_resumed(paced: Emulator, tmp_path: Path) -> None:
    target = tmp_path / "audit.jsonl"
    state = tmp_path / "audit.jsonl.resume"
    argv = [
        sys.executable, "-m", "ccloud_async.cli", "--base-url", paced.url, "--api-key", KEY,
        "audit-logs", "export", "-o", str(target), "--page-size", "100",
    ]  # fmt: skip
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env()
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if target.exists() and target.read_bytes().count(b"\n") >= 500:
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    written = target.read_bytes().count(b"\n")
    assert 500 <= written < ENTRIES, "the export was not killed midway"
    assert state.exists()
    # A kill in the middle of a write leaves half a line behind.
    with target.open("ab") as f:
        f.write(b'{"id": "half-writ')

    again = run_cli("audit-logs", "export", "-o", str(target), "--page-size", "100", url=paced.url)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["resumed"] is True and summary["total"] == ENTRIES
    assert 0 < summary["written"] <= ENTRIES - written + 100
    expected = [e["id"] for e in all_entries(paced.url)]
    assert ids(target) == expected  # every entry exactly once, in order
    stamps = [json.loads(line)["created_at"] for line in target.read_text().splitlines()]
    assert stamps == sorted(stamps, key=lambda s: s)  # raw strings kept as sent

    # No --until: the state stays, and re-running appends only what is new (nothing).
    assert state.exists()
    idle = run_cli("audit-logs", "export", "-o", str(target), url=paced.url)
    assert idle.returncode == 0 and json.loads(idle.stdout)["written"] == 0
    assert ids(target) == expected


def test_export_until_bounds_and_finishes(paced: Emulator, tmp_path: Path) -> None:
    entries = all_entries(paced.url)
    since, until = entries[99]["created_at"], entries[599]["created_at"]
    expected = [e["id"] for e in entries if since < e["created_at"] <= until]
    target = tmp_path / "window.jsonl"
    args = ("audit-logs", "export", "--since", since, "--until", until, "-o", str(target))
    done = run_cli(*args, url=paced.url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["finished"] is True
    assert ids(target) == expected
    assert not (tmp_path / "window.jsonl.resume").exists()
    # Finished: the same command will not append to it again ...
    refused = run_cli(*args, url=paced.url)
    assert refused.returncode == 2 and "--overwrite" in refused.stderr
    # ... unless asked to start over.
    redo = run_cli(*args, "--overwrite", url=paced.url)
    assert redo.returncode == 0 and ids(target) == expected


def test_export_state_from_other_options_is_refused(paced: Emulator, tmp_path: Path) -> None:
    target = tmp_path / "a.jsonl"
    first = run_cli("audit-logs", "export", "-o", str(target), url=paced.url)
    assert first.returncode == 0
    other = run_cli(
        "audit-logs", "export", "-o", str(target), "--until", "2020-01-01T00:00:00Z",
        url=paced.url,
    )  # fmt: skip
    assert other.returncode == 2 and "--overwrite" in other.stderr


def test_export_ctrl_c_exits_130_and_resumes(paced: Emulator, tmp_path: Path) -> None:
    target = tmp_path / "int.jsonl"
    argv = [
        sys.executable, "-m", "ccloud_async.cli", "--base-url", paced.url, "--api-key", KEY,
        "audit-logs", "export", "-o", str(target), "--page-size", "100",
    ]  # fmt: skip
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli_env()
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if target.exists() and target.read_bytes().count(b"\n") >= 300:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 130, err
    assert "resume" in err
    content = target.read_bytes()
    assert content.endswith(b"\n") and 300 <= content.count(b"\n") < ENTRIES
    again = run_cli("audit-logs", "export", "-o", str(target), url=paced.url)
    assert again.returncode == 0, again.stderr
    assert ids(target) == [e["id"] for e in all_entries(paced.url)]
