"""The scripts of ``tools/`` as modules, for the tests that call their functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["load_tool"]

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def load_tool(name: str) -> ModuleType:
    """``tools/{name}.py``, run as the module ``ccloud_{name}`` (``tools/`` is not a package).

    Each call runs the script afresh: load it once, at module level.
    """
    spec = importlib.util.spec_from_file_location(f"ccloud_{name}", TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module
