"""README.md is executable: its programs run as written, its names resolve, it type-checks.

Each complete program (a ``python`` block that calls ``asyncio.run``) runs in a fresh
interpreter against the standalone emulator, found through ``COCKROACH_SERVER`` and
``COCKROACH_API_KEY`` as a user would set them. Blocks with ``def test_`` run under
pytest as a user's test module. Every other block is a fragment: it must compile and
its imports must resolve. Programs and test modules also pass ``mypy --strict`` from a
directory outside the checkout, which is how a user's project sees the installed SDK.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int

    @property
    def kind(self) -> str:
        if "asyncio.run(" in self.code:
            return "program"
        if re.search(r"^(async )?def test_", self.code, re.MULTILINE):
            return "tests"
        return "fragment"

    def __str__(self) -> str:
        return f"README.md:{self.line}"


def _blocks() -> list[Block]:
    return [
        Block(m.group(1), m.group(2), README.count("\n", 0, m.start()) + 1)
        for m in _FENCE.finditer(README)
    ]


BLOCKS = _blocks()
PYTHON = [b for b in BLOCKS if b.lang == "python"]
PROGRAMS = [b for b in PYTHON if b.kind == "program"]
TEST_MODULES = [b for b in PYTHON if b.kind == "tests"]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    env.update(extra)
    return env


@pytest.fixture
def standalone_emulator() -> Iterator[str]:
    """``python -m ccloud_async.testing`` on a free port, with demo data; yields its URL."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ccloud_async.testing",
            "--port",
            "0",
            "--clusters",
            "6",
            "--audit-entries",
            "300",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env(),
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


def test_the_readme_has_programs_tests_and_fragments() -> None:
    # The collection above must not silently find nothing.
    assert len(PROGRAMS) >= 5 and len(TEST_MODULES) >= 1
    assert any(b.kind == "fragment" for b in PYTHON)


def test_quick_start_is_one_block_of_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = [m for m in _FENCE.finditer(section)]
    assert len(blocks) == 1
    commands = [line for line in blocks[0].group(2).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "--emulator" in commands[0] and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, ".ci/run must call the README's second command"


@pytest.mark.parametrize("block", PYTHON, ids=str)
def test_every_python_block_compiles(block: Block) -> None:
    compile(block.code, str(block), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def _imported_names(block: Block) -> Iterator[tuple[str, str | None]]:
    tree = ast.parse(block.code)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ccloud_async"):
            for alias in node.names:
                yield node.module or "", alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ccloud_async"):
                    yield alias.name, None


IMPORTS = sorted({pair for b in PYTHON for pair in _imported_names(b)}, key=str)


@pytest.mark.parametrize(("module", "name"), IMPORTS, ids=lambda v: str(v))
def test_every_name_the_readme_imports_resolves(module: str, name: str | None) -> None:
    import importlib

    loaded = importlib.import_module(module)
    if name is not None:
        assert getattr(loaded, name) is not None


def test_every_name_the_prose_imports_resolves() -> None:
    """Names the text says to import from ``ccloud_async`` (``ccloud_async.X``)."""
    import ccloud_async

    mentioned = set(re.findall(r"`ccloud_async\.([A-Z]\w+)`", README))
    assert mentioned, "the pattern found nothing"
    for name in sorted(mentioned):
        assert hasattr(ccloud_async, name), name


@pytest.mark.parametrize("block", PROGRAMS, ids=str)
def test_program_runs_as_written(block: Block, standalone_emulator: str, tmp_path: Path) -> None:
    script = tmp_path / "program.py"
    script.write_text(block.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        cwd=tmp_path,
        env=_clean_env(COCKROACH_API_KEY="test-key", COCKROACH_SERVER=standalone_emulator),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"
    assert done.stderr == "", f"{block}\n{done.stderr}"


def _write_user_project(tmp_path: Path) -> list[Path]:
    files = []
    for index, block in enumerate(PROGRAMS):
        path = tmp_path / f"readme_program_{index}.py"
        path.write_text(block.code, encoding="utf-8")
        files.append(path)
    for index, block in enumerate(TEST_MODULES):
        path = tmp_path / f"test_readme_{index}.py"
        path.write_text(block.code, encoding="utf-8")
        files.append(path)
    return files


def test_readme_test_modules_pass_in_a_user_project(tmp_path: Path) -> None:
    _write_user_project(tmp_path)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider"]
        + [str(p.name) for p in tmp_path.glob("test_readme_*.py")],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{sum(b.code.count('def test_') for b in TEST_MODULES)} passed" in done.stdout


def test_readme_programs_pass_mypy_strict_outside_the_checkout(tmp_path: Path) -> None:
    """As in a user's project: the installed SDK (editable or not) is visible to mypy."""
    files = _write_user_project(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *map(str, files)],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_error_in_the_readme_tree_is_importable_from_the_package() -> None:
    import ccloud_async

    tree = README.split("### Errors", 1)[1].split("```", 2)[1]
    builtins = {"TypeError", "ValueError", "RuntimeError", "TimeoutError"}
    names = set(re.findall(r"\b([A-Z]\w+Error)\b", tree)) - builtins
    assert len(names) >= 20
    for name in sorted(names):
        assert issubclass(getattr(ccloud_async, name), Exception), name
