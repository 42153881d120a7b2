"""README.md is executable: its programs run as written, its names resolve, it type-checks.

Each complete program (a ``python`` block that calls ``asyncio.run``) runs in a fresh
interpreter against the standalone emulator, found through ``COCKROACH_SERVER`` and
``COCKROACH_API_KEY`` as a user would set them. Blocks with ``def test_`` run under
pytest as a user's test module. Every other block is a fragment: it must compile and
its imports must resolve. Programs and test modules also pass ``mypy --strict`` from a
directory outside the checkout, which is how a user's project sees the installed SDK.
The parser and the runners are those of the documentation site's tests
(``tests/support/doc_blocks.py``).
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..support.doc_blocks import (
    Block,
    blocks,
    imported_names,
    run_mypy_strict,
    run_program,
    run_user_tests,
    write_user_project,
)
from ..support.emulator_process import clean_env, standalone_emulator

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = blocks(README, "README.md")
PYTHON = [b for b in BLOCKS if b.lang == "python"]
PROGRAMS = [b for b in PYTHON if b.kind == "program"]
TEST_MODULES = [b for b in PYTHON if b.kind == "tests"]
# One API key per program: each stays in a rate-limit window of its own.
KEYS = {str(b): f"readme-key-{i}" for i, b in enumerate(PROGRAMS)}


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    """One standalone emulator for every program, which each call with a key of its own."""
    with standalone_emulator(api_keys=tuple(KEYS.values())) as url:
        yield url


def test_the_readme_has_programs_tests_and_fragments() -> None:
    # The collection above must not silently find nothing.
    assert len(PROGRAMS) >= 5 and len(TEST_MODULES) >= 1
    assert any(b.kind == "fragment" for b in PYTHON)


def test_quick_start_is_one_block_of_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    found = blocks(section, "README.md")
    assert len(found) == 1
    commands = [line for line in found[0].code.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "--emulator" in commands[0] and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, ".ci/run must call the README's second command"


@pytest.mark.parametrize("block", PYTHON, ids=str)
def test_every_python_block_compiles(block: Block) -> None:
    compile(block.code, str(block), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


IMPORTS = sorted({pair for b in PYTHON for pair in imported_names(b.code)}, key=str)


@pytest.mark.parametrize(("module", "name"), IMPORTS, ids=lambda v: str(v))
def test_every_name_the_readme_imports_resolves(module: str, name: str | None) -> None:
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
def test_program_runs_as_written(block: Block, emulator: str, tmp_path: Path) -> None:
    env = clean_env(COCKROACH_API_KEY=KEYS[str(block)], COCKROACH_SERVER=emulator)
    done = run_program(block, tmp_path, env)
    assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"
    assert done.stderr == "", f"{block}\n{done.stderr}"


def test_readme_test_modules_pass_in_a_user_project(tmp_path: Path) -> None:
    write_user_project(tmp_path, PROGRAMS, TEST_MODULES, "readme")
    done = run_user_tests(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{sum(b.code.count('def test_') for b in TEST_MODULES)} passed" in done.stdout


def test_readme_programs_pass_mypy_strict_outside_the_checkout(tmp_path: Path) -> None:
    """As in a user's project: the installed SDK (editable or not) is visible to mypy."""
    files = write_user_project(tmp_path, PROGRAMS, TEST_MODULES, "readme")
    done = run_mypy_strict(tmp_path, files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_error_in_the_readme_tree_is_importable_from_the_package() -> None:
    import ccloud_async

    tree = README.split("### Errors", 1)[1].split("```", 2)[1]
    builtins = {"TypeError", "ValueError", "RuntimeError", "TimeoutError"}
    names = set(re.findall(r"\b([A-Z]\w+Error)\b", tree)) - builtins
    assert len(names) >= 20
    for name in sorted(names):
        assert issubclass(getattr(ccloud_async, name), Exception), name
