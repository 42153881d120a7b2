"""Printing results: JSON (for pipes and scripts) or an aligned table (for people).

JSON is the wire form of the models (int64 values as strings, fields the server did
not send left out); a list is written as one JSON array, an item at a time, so long
lists stream. Tables pick a few columns; ``get`` commands print ``field  value`` rows.
Colour is used only when stdout is a terminal and neither ``--no-color`` nor
``NO_COLOR`` says otherwise.
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import AsyncIterable, Callable, Iterable, Sequence
from typing import Any, TextIO

__all__ = ["Column", "Output", "auto_columns", "plain"]

Getter = Callable[[dict[str, Any]], object]
Column = tuple[str, "str | Getter"]

_GREEN, _YELLOW, _RED, _BOLD, _DIM, _RESET = (
    "\x1b[32m",
    "\x1b[33m",
    "\x1b[31m",
    "\x1b[1m",
    "\x1b[2m",
    "\x1b[0m",
)
_STATE_COLOURS = {
    "CREATED": _GREEN,
    "LIVE": _GREEN,
    "SUCCESS": _GREEN,
    "CREATING": _YELLOW,
    "LOCKED": _YELLOW,
    "PENDING": _YELLOW,
    "DELETED": _DIM,
    "CREATION_FAILED": _RED,
    "FAILED": _RED,
    "NOT_READY": _RED,
}


def plain(obj: Any) -> Any:
    """A model (or plain data) as JSON-ready builtins, the way it goes on the wire."""
    from ..models import to_builtins

    return to_builtins(obj)


_FIRST = ("name", "id", "state", "status")


def auto_columns(rows: Sequence[dict[str, Any]], most: int = 6) -> list[Column]:
    """Columns for rows nobody chose columns for: identity fields first, then other
    plain (non-nested) fields, as many as fit."""
    if not rows or not isinstance(rows[0], dict):
        return [("VALUE", lambda row: row)]
    keys = [k for k in rows[0] if not isinstance(rows[0][k], dict | list)]
    ordered = [k for k in _FIRST if k in keys] + [k for k in keys if k not in _FIRST]
    return [(k.upper(), k) for k in ordered[:most]] or [
        (k.upper(), k) for k in list(rows[0])[:most]
    ]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _get(row: dict[str, Any], key: str | Getter) -> str:
    if callable(key):
        return _text(key(row))
    value: Any = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return _text(value)


class Output:
    """Where and how a command prints. ``fmt`` is ``json`` or ``table``."""

    def __init__(
        self,
        fmt: str,
        *,
        color: bool,
        quiet: bool,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.fmt = fmt
        self.color = color
        self.quiet = quiet
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr

    @property
    def json(self) -> bool:
        """Structured output (JSON or YAML) rather than a table."""
        return self.fmt in ("json", "yaml")

    # --- messages on stderr -------------------------------------------------------

    def info(self, message: str) -> None:
        """A note for the person at the terminal (stderr; silenced by --quiet)."""
        if not self.quiet:
            print(message, file=self.err, flush=True)

    def paint(self, text: str, colour: str) -> str:
        return f"{colour}{text}{_RESET}" if self.color and colour else text

    def state(self, text: str) -> str:
        return self.paint(text, _STATE_COLOURS.get(text, ""))

    # --- results on stdout ---------------------------------------------------------

    def write_json(self, data: Any) -> None:
        """``data`` as JSON, or as YAML with ``-o yaml``."""
        if self.fmt == "yaml":
            import yaml

            yaml.safe_dump(data, self.out, sort_keys=False, allow_unicode=True)
        else:
            json.dump(data, self.out, indent=2, ensure_ascii=False)
            self.out.write("\n")
        self.out.flush()

    def one(self, obj: Any) -> None:
        """A single resource: JSON object, or ``field  value`` rows."""
        data = plain(obj)
        if self.json:
            self.write_json(data)
            return
        if not isinstance(data, dict):
            print(_text(data), file=self.out)
            return
        width = max((len(k) for k in data), default=0)
        for key, value in data.items():
            label = self.paint(key.ljust(width), _BOLD)
            shown = self.state(_text(value)) if key in ("state", "status") else _text(value)
            print(f"{label}  {shown}", file=self.out)
        self.out.flush()

    def table(self, rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> None:
        """Rows (plain dicts) as an aligned table under bold headers (no ``columns``:
        the first few plain fields of the rows)."""
        columns = columns or auto_columns(rows)
        cells = [[_get(row, key) for _, key in columns] for row in rows]
        headers = [header for header, _ in columns]
        widths = [max([len(h), *(len(line[i]) for line in cells)]) for i, h in enumerate(headers)]
        last = len(headers) - 1
        pairs = enumerate(zip(headers, widths, strict=True))
        head = "  ".join(h.ljust(w) if i < last else h for i, (h, w) in pairs)
        print(self.paint(head, _BOLD), file=self.out)
        for line in cells:
            parts = []
            for i, (value, width) in enumerate(zip(line, widths, strict=True)):
                padded = value.ljust(width) if i < last else value
                if headers[i] in ("STATE", "STATUS"):
                    padded = padded.replace(value, self.state(value), 1)
                parts.append(padded)
            print("  ".join(parts), file=self.out)
        self.out.flush()

    def items(self, items: Iterable[Any], columns: Sequence[Column]) -> int:
        """A list of resources: a JSON array, or a table. Returns how many."""
        rows = [plain(item) for item in items]
        if self.json:
            self.write_json(rows)
        else:
            self.table(rows, columns)
        return len(rows)

    async def stream(
        self, items: AsyncIterable[Any], columns: Sequence[Column], *, limit: int | None = None
    ) -> int:
        """Like :meth:`items` for an async iterator; JSON is written item by item."""
        if not self.json:
            rows: list[Any] = []
            async for item in items:
                if limit is not None and len(rows) >= limit:
                    break
                rows.append(plain(item))
            self.table(rows, columns)
            return len(rows)
        if self.fmt == "yaml":  # no streaming form: the list at the end
            rows = [plain(item) async for item in items]
            self.write_json(rows[:limit] if limit is not None else rows)
            return len(rows[:limit] if limit is not None else rows)
        count = 0
        async for item in items:  # "[" waits for the first item: an error prints nothing
            if limit is not None and count >= limit:
                break
            self.out.write(",\n  " if count else "[\n  ")
            self.out.write(json.dumps(plain(item), ensure_ascii=False))
            count += 1
        self.out.write("\n]\n" if count else "[]\n")
        self.out.flush()
        return count
