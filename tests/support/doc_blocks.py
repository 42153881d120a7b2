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
installed SDK. The emulator they run against is ``emulator_process.standalone_emulator``.
"""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .emulator_process import clean_env

__all__ = [
    "Block",
    "blocks",
    "command_lines",
    "imported_names",
    "run_command",
    "run_mypy_strict",
    "run_program",
    "run_user_tests",
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
