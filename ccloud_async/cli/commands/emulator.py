"""``emulator``: serve the Cloud API emulator standalone (``python -m ccloud_async.testing``)."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_command

__all__ = ["register"]


_FLOW = """\
State lives as long as this process, so one emulator can serve many commands:

  terminal 1:  ccloud-async emulator --port 8080
  terminal 2:  export COCKROACH_SERVER=http://127.0.0.1:8080 COCKROACH_API_KEY={key}
               ccloud-async clusters create --name my-cluster --provider GCP --plan BASIC
               ccloud-async clusters get ID

The key it accepts (every role) is {key}, or the global --api-key if given.
"""


def register(sub: Any) -> None:
    from ..app import EMULATOR_SERVER_KEY

    emu = add_command(
        sub,
        "emulator",
        "serve the Cloud API emulator until Ctrl-C",
        epilog=_FLOW.format(key=EMULATOR_SERVER_KEY),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    emu.add_argument("--host", default="127.0.0.1", help="(127.0.0.1)")
    emu.add_argument("--port", type=int, default=8080, help="0 picks a free port (8080)")
    emu.add_argument("--clusters", type=int, default=200, metavar="N", help="seed N (200)")
    emu.add_argument(
        "--audit-entries", type=int, default=100_000, metavar="N", help="seed N (100000)"
    )
    emu.add_argument("--rate-limit", type=int, default=10, help="requests per window; 0 = off")
    emu.add_argument("--rate-window", type=float, default=1.0, help="seconds (1)")
    emu.add_argument(
        "--time", metavar="T", help="start the emulator's clock at T, e.g. 2026-12-31T23:59:55Z"
    )
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
    if args.time:
        argv += ["--time", args.time]
    return serve(argv)
