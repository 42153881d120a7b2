"""Servers that run on this process's event loop: the emulator registers its address.

The limiter may count a request's slot from when it was written plus a small transit
jitter, because across a network every request takes about as long to arrive as its
neighbours. A server on our own event loop reads a request only when the loop gets to
it, and a busy loop (200 FastAPI handlers, a garbage collection) can make that 100 ms
later for one request than for the next: its slot must be counted from its answer.
Answers from such a server come back in a millisecond or two, so this costs nothing.
"""

from __future__ import annotations

from yarl import URL

__all__ = ["register", "serves", "unregister"]

_ADDRESSES: set[tuple[str, int]] = set()


def register(host: str, port: int) -> None:
    _ADDRESSES.add((host, port))


def unregister(host: str, port: int) -> None:
    _ADDRESSES.discard((host, port))


def serves(url: URL) -> bool:
    """Whether ``url`` points at a server running in this process."""
    return (url.host or "", url.port or 0) in _ADDRESSES
