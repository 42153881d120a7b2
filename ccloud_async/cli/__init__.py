"""The ``ccloud-async`` command line: ``main(argv=None) -> int``.

Sub-commands live in :mod:`.commands`; the global options and the run loop in
:mod:`.app`; exit codes in :mod:`.exit_codes`. Run ``ccloud-async --help``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    from .app import run

    return run(argv)
