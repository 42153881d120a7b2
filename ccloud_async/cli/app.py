"""The command line: global options, the sub-command table, and the run loop.

Each module of :mod:`.commands` adds its sub-commands with ``register(subparsers)``;
a sub-command sets ``run=`` (an ``async def run(ctx, args) -> int``), or ``run_sync=``
(``def run(args) -> int``) when it needs no client and owns its event loop
(``emulator``). Heavy modules (the emulator, aiohttp through the client) are imported
only once a command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from .context import Context, CountingLimiter
from .exit_codes import (
    INTERNAL,
    INTERRUPTED,
    NOT_FOUND,
    USAGE,
    NameNotFoundError,
    UsageError,
    exit_code_for,
)
from .output import Output

__all__ = ["Context", "build_parser", "run"]

PROG = "ccloud-async"
EMULATOR_KEY = "ccloud-cli-demo"
# The key `ccloud-async emulator` accepts by default (testing.DEFAULT_API_KEY; a test
# checks they agree). Spelled out here: `--help` must not import the emulator.
EMULATOR_SERVER_KEY = "test-key"
OUTPUT_FORMATS = ("json", "table", "yaml")

Runner = Callable[[Context, argparse.Namespace], Awaitable[int]]


def _positive_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _instant(text: str) -> str:
    from ..testing.travel_clock import TravelClock

    try:
        TravelClock(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an RFC 3339 date-time like 2026-12-31T23:59:55Z: {text!r}"
        ) from None
    return text


def add_global_options(parser: argparse.ArgumentParser, *, here: bool) -> None:
    """The options every command takes, before or after it (``here``: the top-level
    parser, with the defaults; elsewhere they are suppressed when absent, so that a
    value given before the command is not reset by the sub-command's parser)."""

    g = parser.add_argument_group("global options (anywhere on the line)")
    g.add_argument("--api-key", metavar="KEY", help="API key (default: $COCKROACH_API_KEY)")
    g.add_argument("--api-version", metavar="DATE", help="Cc-Version to send (default: 2024-09-16)")
    g.add_argument("--base-url", metavar="URL", help="API server (default: $COCKROACH_SERVER)")
    g.add_argument(
        "--proxy", metavar="URL", help="HTTP(S) proxy (default: $HTTPS_PROXY / $HTTP_PROXY)"
    )
    g.add_argument(
        "--ca-bundle",
        metavar="PATH",
        help="CA certificates to trust, e.g. a company's TLS inspection CA "
        "(default: $SSL_CERT_FILE, else the system's)",
    )
    g.add_argument(
        "-o",
        "--output",
        choices=OUTPUT_FORMATS,
        help="result format (default: table on a terminal, json when piped)",
    )
    g.add_argument("--quiet", "-q", action="store_true", help="no progress bars or notes")
    g.add_argument("--no-color", action="store_true", help="no colours (also: $NO_COLOR)")
    g.add_argument(
        "--dry-run",
        action="store_true",
        help="print the request that would be sent (secrets masked) and send nothing",
    )
    g.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    g.add_argument(
        "--timeout",
        type=_positive_float,
        default=30.0,
        metavar="S",
        help="per request (30)",
    )
    g.add_argument(
        "--max-retries",
        type=int,
        default=3,
        metavar="N",
        help="retries of failed requests (3)",
    )
    g.add_argument(
        "--max-retry-after",
        type=_positive_float,
        default=60.0,
        metavar="S",
        help="wait out a 429 asking for at most S seconds; longer exits 6 (60)",
    )
    g.add_argument(
        "--emulator",
        action="store_true",
        help=(
            "run this one command against a fresh in-process emulator with demo data (no "
            "credentials needed); it is gone when the command ends, so to keep state between "
            "commands serve one with `ccloud-async emulator` and point COCKROACH_SERVER and "
            f"COCKROACH_API_KEY at it (its key: {EMULATOR_SERVER_KEY})"
        ),
    )
    g.add_argument(
        "--emulator-time",
        type=_instant,
        metavar="T",
        help="start the emulator's clock (and the client's) at T, e.g. 2026-12-31T23:59:55Z",
    )
    hidden = argparse.SUPPRESS  # knobs of the demo emulator, for tests
    g.add_argument("--emulator-clusters", type=int, default=200, help=hidden)
    g.add_argument("--emulator-audit-entries", type=int, default=5000, help=hidden)
    g.add_argument("--emulator-rate-limit", type=int, default=10, help=hidden)
    # Roles of the demo key, comma separated ("" = none: every call is denied). Tests only.
    g.add_argument("--emulator-roles", metavar="ROLES", help=hidden)
    if not here:
        for action in g._group_actions:  # flags too: an absent one must not reset
            action.default = argparse.SUPPRESS


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; the API's command groups get their sub-commands only for the
    group ``argv`` names (all of them when ``argv`` is None): a fast ``--help``."""
    from . import api_commands
    from .commands import COMMAND_MODULES

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Command line for the CockroachDB Cloud API (built on ccloud_async).",
        epilog=(
            "exit codes: 0 ok, 2 usage, 3 auth/missing credentials, 4 permission denied, "
            "5 not found, 6 rate limited, 7 other API error, 8 connection/timeout, "
            "70 internal error (a bug: please report it), 130 interrupted"
        ),
    )
    add_global_options(parser, here=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    api_commands.register(sub, api_commands.wanted_group(argv))
    return parser


def _completion_words() -> list[str]:
    """The words typed so far, when the shell asks for completions (to fill in only
    the group being typed)."""
    import shlex

    line = os.environ.get("COMP_LINE", "")[: int(os.environ.get("COMP_POINT", "0") or 0) or None]
    try:
        return shlex.split(line)[1:]
    except ValueError:  # an open quote
        return line.split()[1:]


def _make_output(args: argparse.Namespace) -> Output:
    tty = sys.stdout.isatty()
    fmt = args.output or ("table" if tty else "json")
    color = tty and not args.no_color and not os.environ.get("NO_COLOR")
    return Output(fmt, color=color, quiet=args.quiet)


@asynccontextmanager
async def _client(ctx: Context, args: argparse.Namespace) -> AsyncIterator[None]:
    from .._clock import SYSTEM_CLOCK, WallClock
    from ..client import CockroachCloud
    from ..limiters import InProcessLimiter

    counter = CountingLimiter(InProcessLimiter())
    api_key, base_url = args.api_key, args.base_url
    fake = None
    clock: WallClock = SYSTEM_CLOCK
    if args.emulator_time and not args.emulator:
        raise UsageError("--emulator-time needs --emulator")
    if args.emulator:
        from ..testing import FakeCloud, TravelClock
        from ..testing.auth import ALL_ROLES

        if args.emulator_time:
            clock = TravelClock(args.emulator_time)  # one clock for emulator and client
        roles = ALL_ROLES if args.emulator_roles is None else _roles(args.emulator_roles)
        fake = FakeCloud(
            {EMULATOR_KEY: roles},
            seed_clusters=args.emulator_clusters,
            audit_entries=args.emulator_audit_entries,
            rate_limit=args.emulator_rate_limit or None,
            clock=clock,
        )
        await fake.start()
        api_key, base_url = EMULATOR_KEY, fake.url
        ctx.out.info(
            f"emulator: {fake.url} with {len(fake.clusters)} clusters, "
            f"{len(fake.audit)} audit entries, {args.emulator_rate_limit or 'no'} req/s limit"
        )
    try:
        cloud = CockroachCloud(
            api_key=api_key,
            base_url=base_url,
            api_version=args.api_version,
            limiter=counter,
            timeout=args.timeout,
            max_retries=args.max_retries,
            max_retry_after=args.max_retry_after,
            clock=clock,
            proxy=args.proxy,
            ssl=_ca_bundle(args.ca_bundle),
        )
        async with cloud:
            ctx.cloud, ctx.counter, ctx.emulator = cloud, counter, fake
            yield
    finally:
        if fake is not None:
            await fake.close()


def _ca_bundle(path: str | None) -> Any:
    if path is None:
        return None
    import ssl

    try:
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(f"--ca-bundle: cannot load {path}: {exc}") from None


def _roles(text: str) -> list[str]:
    return [r.strip() for r in text.split(",") if r.strip()]


async def _run_command(ctx: Context, args: argparse.Namespace) -> int:
    from .names import resolve_args

    command: Runner = args.run
    async with _client(ctx, args):
        await resolve_args(ctx, args)  # names given where ids go (no-op for ids)
        if getattr(args, "dry_run", False):
            dry_run(ctx)
            args.yes = True  # nothing will be sent: no need to ask
        try:
            return await command(ctx, args)
        except DryRun as sent:
            ctx.out.one(sent.shown)
            return 0


class DryRun(Exception):
    """The request a ``--dry-run`` command would have sent, stopped at the door."""

    def __init__(self, shown: dict[str, Any]) -> None:
        super().__init__("dry run")
        self.shown = shown


def dry_run(ctx: Context) -> None:
    """Make the client's engine describe each request instead of sending it: the
    method, path, query and body as they would go out, secret values as ``***``."""
    engine = ctx.client._engine

    def send(request: Any) -> Any:
        shown: dict[str, Any] = {"method": request.method, "path": request.path}
        if request.query:
            shown["query"] = dict(request.query)
        if request.body:
            shown["body"] = _masked(json.loads(request.body), set(request.secrets))
        raise DryRun(shown)

    engine.send = send  # type: ignore[method-assign]


def _masked(value: Any, secrets: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _masked(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, secrets) for v in value]
    return "***" if isinstance(value, str) and value in secrets else value


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def run(argv: Sequence[str] | None = None) -> int:
    completing = "_ARGCOMPLETE" in os.environ
    if completing:
        argv = _completion_words()
    elif argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    if completing:
        import argcomplete

        from .names import add_completers

        add_completers(parser)
        argcomplete.autocomplete(parser)  # prints the words that fit and exits
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else USAGE
    if getattr(args, "run_sync", None) is not None:  # `emulator`: owns its own event loop
        code: int = args.run_sync(args)
        return code
    out = _make_output(args)
    ctx = Context(
        out=out,
        progress_enabled=not args.quiet,
        interactive=sys.stdin.isatty(),
    )
    import asyncio  # here, not at the top: `--help` and usage errors need no event loop

    try:
        return asyncio.run(_run_command(ctx, args))
    except KeyboardInterrupt:
        _error("interrupted")
        return INTERRUPTED
    except BrokenPipeError:
        # The reader stopped reading (`| head`): done, quietly. Point stdout at devnull
        # so that the interpreter's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UsageError as exc:
        _error(str(exc))
        return USAGE
    except NameNotFoundError as exc:
        _error(str(exc))
        return NOT_FOUND
    except Exception as exc:
        return _report(exc, debug=args.debug)


def _report(exc: Exception, *, debug: bool) -> int:
    """Say in one line what went wrong, and pick the exit code.

    Only the SDK's own errors are the user's to act on; anything else is a bug of ours
    and says so, rather than passing for bad input.
    """
    from ..errors import CloudError, MissingCredentialsError, ValidationError

    if isinstance(exc, MissingCredentialsError):
        _error("no API key: pass --api-key, set COCKROACH_API_KEY, or try --emulator")
    elif isinstance(exc, ValidationError):
        # The SDK checks arguments and bodies before sending: a bad one is a usage error.
        _error(f"invalid input: {exc}")
    elif isinstance(exc, CloudError):
        _error(f"{type(exc).__name__}: {exc}")
    else:
        if debug:
            import traceback

            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        how = "" if debug else " (--debug prints the traceback)"
        _error(
            f"internal error: {type(exc).__name__}: {exc}\n"
            f"This is a bug in ccloud-async; please report it{how}."
        )
        return INTERNAL
    return exit_code_for(exc)
