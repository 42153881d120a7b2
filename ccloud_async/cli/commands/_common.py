"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import enum
from typing import Any

__all__ = ["add_command", "confirm", "regions", "text"]


def add_command(sub: Any, name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A group or sub-command parser that also takes the global options (its own
    options of the same name win: ``audit-logs export -o FILE``)."""
    from ..app import add_global_options

    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, conflict_handler="resolve", **kwargs
    )
    # Its own copies: argparse's parents= would share (and "resolve" would edit) them.
    add_global_options(parser, here=False)
    return parser


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def regions(row: dict[str, Any]) -> str:
    """A cluster's regions, comma separated."""
    return ",".join(r.get("name", "") for r in row.get("regions") or [])


def confirm(question: str, *, assume_yes: bool, interactive: bool) -> None:
    """Ask on the terminal; without one, ``--yes`` is required."""
    from ..exit_codes import UsageError

    if assume_yes:
        return
    if not interactive:
        raise UsageError(f"{question} Refusing without --yes (stdin is not a terminal)")
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise UsageError("cancelled")
