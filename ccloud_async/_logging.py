"""The package's logger, ``ccloud_async``, with a ``NullHandler``.

A library leaves output to the application: without the NullHandler, Python's
last-resort handler would print our retry warnings to stderr in programs that never
configured logging. Modules log through :data:`logger` or a child of it.
"""

from __future__ import annotations

import logging

__all__ = ["child", "logger"]

logger = logging.getLogger("ccloud_async")
logger.addHandler(logging.NullHandler())


def child(name: str) -> logging.Logger:
    """The logger ``ccloud_async.<name>``."""
    return logger.getChild(name)
