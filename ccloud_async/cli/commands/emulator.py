"""``emulator``: serve the Cloud API emulator standalone (``python -m ccloud_async.testing``)."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_command

__all__ = ["register"]


def register(sub: Any) -> None:
    emu = add_command(sub, "emulator", "serve the Cloud API emulator until Ctrl-C")
    emu.add_argument("--host", default="127.0.0.1", help="(127.0.0.1)")
    emu.add_argument("--port", type=int, default=8080, help="0 picks a free port (8080)")
    emu.add_argument("--clusters", type=int, default=200, metavar="N", help="seed N (200)")
    emu.add_argument(
        "--audit-entries", type=int, default=100_000, metavar="N", help="seed N (100000)"
    )
    emu.add_argument("--rate-limit", type=int, default=10, help="requests per window; 0 = off")
    emu.add_argument("--rate-window", type=float, default=1.0, help="seconds (1)")
    emu.set_defaults(run_sync=_serve)


def _serve(args: argparse.Namespace) -> int:
    """Runs outside the CLI's event loop: the emulator's ``main`` owns its loop and Ctrl-C.

    The key is the global ``--api-key`` (every role), else the emulator's ``test-key``.
    """
    from ...testing.__main__ import main as serve

    argv = [
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--clusters",
        str(args.clusters),
        "--audit-entries",
        str(args.audit_entries),
        "--rate-limit",
        str(args.rate_limit),
        "--rate-window",
        str(args.rate_window),
    ]
    if args.api_key:
        argv += ["--api-key", args.api_key]
    return serve(argv)
