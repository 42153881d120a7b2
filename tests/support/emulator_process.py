"""The standalone emulator (``python -m ccloud_async.testing``) as a subprocess, and the
environment the tests' subprocesses get.

Shared by the command-line tests (``tests/cli/``) and the tests of the README and the
documentation site (``tests/e2e/test_readme.py``, ``tests/e2e/test_docs.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = [
    "Emulator",
    "clean_env",
    "cli_env",
    "standalone_emulator",
    "start_emulator",
    "stop_emulator",
]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any ``COCKROACH_*`` setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    env.update(extra)
    return env


def cli_env() -> dict[str, str]:
    """:func:`clean_env` without ``NO_COLOR`` either: the command line decides colour."""
    env = clean_env()
    env.pop("NO_COLOR", None)
    return env


@dataclass
class Emulator:
    url: str
    process: subprocess.Popen[str]


def start_emulator(*args: str, cli: bool = False) -> Emulator:
    """``python -m ccloud_async.testing --port 0 ...`` (``ccloud-async emulator`` with
    ``cli``); waits for its URL. Stop it with :func:`stop_emulator`."""
    command = ["-m", "ccloud_async.cli", "emulator"] if cli else ["-m", "ccloud_async.testing"]
    with tempfile.TemporaryFile() as errors:  # read only when it does not start
        process = subprocess.Popen(
            [sys.executable, *command, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=cli_env(),
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening on " not in line:
            process.kill()
            process.communicate()
            errors.seek(0)
            line += errors.read().decode(errors="replace")
    assert "listening on " in line, line
    return Emulator(line.split("listening on ", 1)[1].strip(), process)


def stop_emulator(emulator: Emulator) -> int:
    """Ctrl-C, as a user stops it; its exit status."""
    emulator.process.send_signal(signal.SIGINT)
    try:
        return emulator.process.wait(10)
    finally:
        if emulator.process.poll() is None:
            emulator.process.kill()
            emulator.process.wait()
        if emulator.process.stdout is not None:
            emulator.process.stdout.close()


@contextmanager
def standalone_emulator(
    clusters: int = 6, audit_entries: int = 300, api_keys: tuple[str, ...] = ()
) -> Iterator[str]:
    """A standalone emulator with demo data, for the ``with`` block; yields its URL.

    ``api_keys``: the keys it accepts (each with every role) besides ``test-key``; one
    key per program keeps each program's requests in a rate-limit window of its own.
    """
    keys = [arg for key in ("test-key", *api_keys) for arg in ("--api-key", key)]
    emulator = start_emulator(
        "--clusters", str(clusters), "--audit-entries", str(audit_entries), *keys
    )
    try:
        yield emulator.url
    finally:
        stop_emulator(emulator)
