"""Run the emulator standalone: ``python -m ccloud_async.testing --port 8080``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from .._clock import SYSTEM_CLOCK, WallClock
from .auth import ALL_ROLES
from .server import DEFAULT_API_KEY, FakeCloud
from .travel_clock import TravelClock


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ccloud_async.testing",
        description="Serve an in-memory CockroachDB Cloud API emulator until interrupted.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="0 picks a free port (default: %(default)s)"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help=f"accept this bearer key with every role; repeatable (default: {DEFAULT_API_KEY})",
    )
    parser.add_argument("--clusters", type=int, default=0, metavar="N", help="seed N clusters")
    parser.add_argument(
        "--audit-entries", type=int, default=0, metavar="N", help="seed N audit log entries"
    )
    parser.add_argument(
        "--rate-limit", type=int, default=10, help="requests per window; 0 disables"
    )
    parser.add_argument("--rate-window", type=float, default=1.0, help="window in seconds")
    parser.add_argument(
        "--retry-after", choices=("seconds", "http-date", "none"), default="seconds"
    )
    parser.add_argument(
        "--time",
        metavar="T",
        help="start the emulator's clock at T (RFC 3339), e.g. 2026-12-31T23:59:55Z; "
        "it runs on from there",
    )
    parser.add_argument(
        "--chaos",
        type=float,
        default=0.0,
        metavar="RATE",
        help="inject one random fault (no 429s) on this fraction of requests, 0..1",
    )
    parser.add_argument(
        "--seed", type=int, default=None, metavar="N", help="seed the fault randomness"
    )
    parser.add_argument(
        "--chaos-delay",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how long slow chaos faults take (default: %(default)s)",
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    keys = args.api_keys or [DEFAULT_API_KEY]
    clock: WallClock = SYSTEM_CLOCK if args.time is None else TravelClock(args.time)
    fake = FakeCloud(
        {key: ALL_ROLES for key in keys},
        host=args.host,
        port=args.port,
        rate_limit=args.rate_limit or None,
        rate_window=args.rate_window,
        retry_after=args.retry_after,
        seed_clusters=args.clusters,
        audit_entries=args.audit_entries,
        clock=clock,
    )
    if not 0.0 <= args.chaos <= 1.0:
        raise SystemExit("--chaos must be within [0, 1]")
    if args.seed is not None:
        fake.faults.seed(args.seed)
    if args.chaos:
        fake.faults.chaos(args.chaos, delay=args.chaos_delay)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not available on Windows; Ctrl-C then arrives as KeyboardInterrupt instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with fake:
        print(f"CockroachDB Cloud API emulator listening on {fake.url}", flush=True)
        if not args.api_keys:
            # Only the well-known default is echoed; keys given on the command line are not.
            print(f"API key: {DEFAULT_API_KEY}", flush=True)
        print(
            f"{len(fake.clusters)} clusters, {len(fake.audit)} audit entries; press Ctrl-C to stop",
            flush=True,
        )
        if args.chaos:
            print(f"chaos: {args.chaos:.0%} of requests, seed {args.seed}", flush=True)
        await stop.wait()
        stats = fake.stats
        print(
            f"requests {stats.requests}, rate limited {stats.rate_limited}, "
            f"faults {stats.faults_injected}",
            flush=True,
        )
    print("stopped", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.time is not None:
        try:
            TravelClock(args.time)
        except ValueError as exc:
            parser.error(f"--time: {exc}")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
