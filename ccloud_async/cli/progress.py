"""A one-line progress bar on stderr, drawn only on a terminal.

``Progress.for_stream(enabled=...)`` returns a bar that draws nothing when stderr is
not a terminal or the user asked for ``--quiet``; callers update it unconditionally.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]

_WIDTH = 28
_MIN_INTERVAL = 0.1  # seconds between redraws


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:d}:{secs:02d}"


class Progress:
    """``update(done, total=None)``; ``close()`` clears the line. Counts ``unit``."""

    def __init__(self, label: str, unit: str, *, stream: TextIO | None, total: int | None = None):
        self.label = label
        self.unit = unit
        self.total = total
        self.done = 0
        self.extra = ""
        self._stream = stream
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False

    @classmethod
    def create(cls, label: str, unit: str, *, enabled: bool, total: int | None = None) -> Progress:
        stream = sys.stderr if enabled and sys.stderr.isatty() else None
        return cls(label, unit, stream=stream, total=total)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def update(self, done: int, total: int | None = None, *, extra: str = "") -> None:
        self.done = done
        if total is not None:
            self.total = total
        if extra:
            self.extra = extra
        now = time.monotonic()
        if self._stream is None or now - self._last_draw < _MIN_INTERVAL:
            return
        self._last_draw = now
        self._draw()

    def render(self) -> str:
        elapsed = self.elapsed
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.total:
            filled = min(_WIDTH, _WIDTH * self.done // self.total)
            bar = "#" * filled + "-" * (_WIDTH - filled)
            count = f"[{bar}] {self.done}/{self.total} {self.unit}"
        else:
            count = f"{self.done} {self.unit}"
        text = f"{self.label} {count}  {rate:.1f}/s  {_elapsed(elapsed)}"
        return f"{text}  {self.extra}" if self.extra else text

    def _draw(self) -> None:
        assert self._stream is not None
        self._stream.write("\r\x1b[2K" + self.render())
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar (the caller prints its own summary)."""
        if self._stream is not None and self._drawn:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
        self._drawn = False
