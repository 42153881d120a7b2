"""Handlers for the API areas beyond clusters, one module per area.

Each module defines ``handlers(fake: FakeCloud) -> dict[str, Handler]`` keyed by
operationId; :func:`all_handlers` collects them, so adding an area is adding a module.
State lives on the FakeCloud (``fake.clusters`` for the clusters an area hangs off) or
in the area module's own store object, created in ``handlers``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..call import Handler
    from ..server import FakeCloud

__all__ = ["all_handlers"]


def all_handlers(fake: FakeCloud) -> dict[str, Handler]:
    found: dict[str, Handler] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        make = getattr(module, "handlers", None)
        if make is None:
            continue
        for operation_id, handler in make(fake).items():
            if operation_id in found:
                raise RuntimeError(f"two emulator handlers for {operation_id}")
            found[operation_id] = handler
    return found
