"""Injected failures: what a flaky network, a proxy or an overloaded server does.

A :class:`Fault` says which requests it hits (method, path regex, how many times, with
what probability) and what happens to them. Faults are checked in the order they were
added: every matching "delay" adds its sleep, then the first matching terminal fault
decides the outcome. New kinds plug in by adding a responder to ``_RESPONDERS``.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

from aiohttp import web

from .errors import grpc_code_for, status_response

__all__ = ["FAULT_KINDS", "Fault", "FaultKind", "FaultRegistry", "reset_connection"]

FaultKind = Literal["status", "html", "empty", "null", "reset", "delay"]
FAULT_KINDS: frozenset[str] = frozenset({"status", "html", "empty", "null", "reset", "delay"})

# Status sent when a fault names none: what a failing proxy or server typically sends.
_DEFAULT_STATUS = {"status": 503, "html": 502, "empty": 503, "null": 500}

_MESSAGES = {
    429: "rate limit exceeded",
    500: "internal error",
    502: "bad gateway",
    503: "service unavailable",
    504: "deadline exceeded",
}

_HTML = (
    "<html><head><title>{status} {reason}</title></head>"
    "<body><center><h1>{status} {reason}</h1></center><hr><center>proxy</center></body></html>\n"
)


@dataclass(eq=False)
class Fault:
    kind: FaultKind
    _: KW_ONLY
    status: int | None = None
    method: str | None = None  # None: any method
    path: str | None = None  # regex, re.search against the request path; None: any
    times: int | None = 1  # how many matching requests to hit; None: unlimited
    after_apply: bool = False  # run the real handler first, then lose its response
    delay: float = 0.0  # seconds to sleep before the fault takes effect
    probability: float = 1.0
    message: str | None = None  # Status message for kind "status"
    headers: Mapping[str, str] | None = None  # extra response headers
    hits: int = field(default=0, init=False)  # requests this fault has hit so far
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(FAULT_KINDS)}")
        if self.kind in ("reset", "delay") and self.status is not None:
            raise ValueError(f"a {self.kind!r} fault sends no status")
        if self.kind == "delay" and (self.delay <= 0 or self.after_apply):
            raise ValueError("a 'delay' fault needs delay > 0 and cannot be after_apply")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for unlimited)")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        if self.method is not None:
            self.method = self.method.upper()
        self._pattern = re.compile(self.path) if self.path is not None else None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    @property
    def terminal(self) -> bool:
        return self.kind != "delay"

    def matches(self, method: str, path: str) -> bool:
        return (
            not self.exhausted
            and (self.method is None or self.method == method)
            and (self._pattern is None or self._pattern.search(path) is not None)
        )


@dataclass
class Plan:
    """The faults that hit one request."""

    delay: float = 0.0
    fault: Fault | None = None  # the terminal fault, if any
    hit: list[Fault] = field(default_factory=list)


class FaultRegistry:
    def __init__(self, seed: int | None = None) -> None:
        self._faults: list[Fault] = []
        # Seedable so probabilistic faults can be replayed.
        self.random = random.Random(seed)

    def add(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        self._faults = [f for f in self._faults if f is not fault]

    def clear(self) -> None:
        self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._faults))

    def __len__(self) -> int:
        return len(self._faults)

    def plan(self, method: str, path: str) -> Plan:
        """Pick (and use up) the faults for a request; synchronous, so it is race-free."""
        plan = Plan()
        for fault in self._faults:
            if not fault.matches(method, path):
                continue
            if fault.probability < 1.0 and self.random.random() >= fault.probability:
                continue
            fault.hits += 1
            plan.hit.append(fault)
            plan.delay += fault.delay
            if fault.terminal:
                plan.fault = fault
                break
        self._faults = [f for f in self._faults if not f.exhausted]
        return plan


def reset_connection(request: web.BaseRequest) -> None:
    """Drop the connection with a TCP RST, so the client sees no response at all."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # Linger 0 turns close into a reset instead of an orderly FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


Responder = Callable[[Fault, Callable[[float], str | None]], web.Response | None]


def _status(fault: Fault, retry_after: Callable[[float], str | None]) -> web.Response:
    status = fault.status or _DEFAULT_STATUS["status"]
    headers = dict(fault.headers or {})
    if status == 429 and "Retry-After" not in headers:
        value = retry_after(1.0)
        if value is not None:
            headers["Retry-After"] = value
    message = fault.message or _MESSAGES.get(status, "injected fault")
    return status_response(status, grpc_code_for(status), message, headers)


def _html(fault: Fault, _: Callable[[float], str | None]) -> web.Response:
    status = fault.status or _DEFAULT_STATUS["html"]
    reason = web.Response(status=status).reason
    body = _HTML.format(status=status, reason=reason)
    return web.Response(text=body, status=status, content_type="text/html", headers=fault.headers)


def _empty(fault: Fault, _: Callable[[float], str | None]) -> web.Response:
    return web.Response(status=fault.status or _DEFAULT_STATUS["empty"], headers=fault.headers)


def _null(fault: Fault, _: Callable[[float], str | None]) -> web.Response:
    return web.Response(
        body=b"null",
        status=fault.status or _DEFAULT_STATUS["null"],
        content_type="application/json",
        headers=fault.headers,
    )


def _reset(fault: Fault, _: Callable[[float], str | None]) -> None:
    return None


_RESPONDERS: dict[str, Responder] = {
    "status": _status,
    "html": _html,
    "empty": _empty,
    "null": _null,
    "reset": _reset,
}


def respond(fault: Fault, retry_after: Callable[[float], str | None]) -> web.Response | None:
    """The response a terminal fault sends instead of the real one; None = reset."""
    return _RESPONDERS[fault.kind](fault, retry_after)


async def sleep_unless(delay: float, closing: asyncio.Event) -> bool:
    """Sleep ``delay`` seconds; return False early if the server starts closing."""
    try:
        await asyncio.wait_for(closing.wait(), delay)
    except asyncio.TimeoutError:
        return True
    return False
