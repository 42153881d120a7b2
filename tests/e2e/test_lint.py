"""ruff and mypy --strict are part of the suite, so CI runs them with the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "ccloud_async", "tests", "tools", "examples", "benchmarks"],
        ["ruff", "format", "--check", "ccloud_async", "tests", "tools", "examples", "benchmarks"],
        ["mypy", "--strict", "ccloud_async"],
        ["mypy", "--strict", "examples"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict", "mypy-strict-examples"],
)
def test_static_checks(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
