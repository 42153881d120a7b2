"""Every operation of the API as a command, read from the operations table.

Each namespace of ``ccloud_async.OPERATIONS`` is a command group (``maintenance-windows``)
and each of its methods a sub-command (``get``); the options come from the method's
own signature, so a method the generator adds is a command without a line here:

* path parameters are positional (a cluster may be named instead: ``names.py``);
* fields and query parameters are options: enums as choices, integers (int64
  included) as integers, booleans as ``--x/--no-x``, objects and lists as JSON;
* the whole body is also ``--body JSON``, ``--body @file.json`` or ``--body -``;
* secret fields are never flags: ``--password-stdin``, or a prompt on a terminal.

Hand-written commands of the same group and name (``clusters create``, which builds the
spec from a few options) are kept; the group gets the other methods. Only the group
named on the command line is filled in, so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import enum
import functools
import inspect
import json
import sys
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from .exit_codes import UsageError

__all__ = ["GROUPS", "command_name", "register", "wanted_group"]

# namespace -> the group's one-line help. Static, so the top-level --help need not
# import the client (a test checks it names every namespace of the table).
GROUPS: dict[str, str] = {
    "clusters": "clusters of the organization",
    "backups": "managed backups of a cluster and their configuration",
    "restores": "restores of a cluster from its backups",
    "cmek": "customer-managed encryption keys of a cluster",
    "sql_users": "SQL users of a cluster",
    "databases": "databases of a cluster",
    "allowlist": "IP allowlist of a cluster",
    "private_endpoints": "private endpoint services and connections of a cluster",
    "egress_private_endpoints": "egress private endpoints of a cluster",
    "egress_rules": "egress traffic rules of a cluster",
    "log_export": "log export of a cluster",
    "metric_export": "metric export of a cluster (CloudWatch, Datadog, Prometheus)",
    "audit_logs": "the organization's audit log",
    "invoices": "invoices of the organization",
    "folders": "folders of the organization",
    "roles": "role grants of users and service accounts",
    "service_accounts": "service accounts of the organization",
    "api_keys": "API keys of service accounts",
    "jwt_issuers": "JWT issuers trusted for SQL logins",
    "replication": "physical replication streams between clusters",
    "maintenance_windows": "the maintenance window of a cluster",
    "blackout_windows": "blackout windows of a cluster",
    "version_deferral": "the version upgrade deferral of a cluster",
    "disruption": "simulated disruption of a cluster (testing)",
    "client_ca_certs": "client CA certificates of a cluster",
    "organization": "the organization of the credentials",
    "scim": "SCIM users and groups",
}

# Keyword parameters every method has that the command line sets its own way.
_SKIPPED = frozenset(
    {"timeout", "max_retries", "retry_unsafe", "extra_headers", "extra_query", "extra_body"}
)
_JSON = "JSON"


def command_name(python_name: str) -> str:
    return python_name.replace("_", "-")


def wanted_group(argv: Sequence[str] | None) -> set[str] | None:
    """The namespaces ``argv`` may name (every word that is one: an option's value
    can be spelt like a group); None: fill in every group."""
    if argv is None:
        return None
    names = {command_name(ns): ns for ns in GROUPS}
    return {names[word] for word in argv if word in names}


def register(sub: Any, wanted: set[str] | None) -> None:
    """Add every group (the hand-written ones already there get the methods they lack);
    fill in those ``wanted`` (every group when None)."""
    from .commands._common import add_command

    for namespace, help_text in GROUPS.items():
        name = command_name(namespace)
        group = sub.choices.get(name)
        if group is None:
            group = add_command(sub, name, help_text)
        if wanted is None or namespace in wanted:
            _fill(group, namespace)


def _verbs(group: argparse.ArgumentParser) -> Any:
    for action in group._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return group.add_subparsers(dest="verb", metavar="VERB", required=True)


def _fill(group: argparse.ArgumentParser, namespace: str) -> None:
    verbs = _verbs(group)
    resource = _namespace_class(namespace)
    for op in _operations_of(namespace):
        method_name = op.method.split(".", 1)[1]
        verb = command_name(method_name)
        if verb in verbs.choices:
            continue  # hand-written, with options of its own
        function = getattr(resource, method_name)
        _add_method(verbs, verb, op, function)


def _operations_of(namespace: str) -> list[Any]:
    from .._generated.operations import OPERATIONS

    return [op for op in OPERATIONS.values() if op.method.split(".", 1)[0] == namespace]


def _namespace_class(namespace: str) -> type[Any]:
    cls: type[Any] = _namespace_classes()[namespace]
    return cls


@functools.cache
def _namespace_classes() -> dict[str, Any]:
    from .._generated.namespaces import Namespaces

    return typing.get_type_hints(Namespaces)


def summary(function: Callable[..., Any]) -> str:
    doc = inspect.getdoc(function) or ""
    line = doc.splitlines()[0].rstrip(".") if doc else ""
    # Lower-case like the other commands' help, but not an acronym ("SQL users of").
    return line[:1].lower() + line[1:] if line[1:2].islower() else line


def _add_method(verbs: Any, verb: str, op: Any, function: Callable[..., Any]) -> None:
    from .commands._common import add_command

    signature = inspect.signature(function)
    hints = typing.get_type_hints(function)
    tags = [f"{op.http_method} {op.path}"]
    if op.deprecated:
        tags.append("deprecated")
    tags.extend(s.lower() for s in op.stability)
    parser = add_command(verbs, verb, summary(function), epilog="; ".join(tags))
    secrets = op.body_type.__secret_fields__ if op.body_type is not None else frozenset()
    plan: list[_Param] = []
    for name, param in list(signature.parameters.items())[1:]:
        if name in _SKIPPED:
            continue
        if param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            parser.add_argument(name, metavar=_metavar(name))
            plan.append(_Param(name, positional=True))
        elif name == "body":
            parser.add_argument(
                "--body",
                metavar="JSON|@FILE|-",
                help="the whole request body as JSON, from a file (@FILE) or stdin (-)",
            )
            plan.append(_Param(name, reader=read_body))
        elif name in secrets:
            flag = f"--{command_name(name)}-stdin"
            parser.add_argument(
                flag,
                dest=f"{name}_stdin",
                action="store_true",
                help=f"read {name} from the first line of stdin (else a prompt asks)",
            )
            plan.append(_Param(name, secret=True))
        else:
            plan.append(_add_option(parser, name, hints.get(name, Any)))
    if op.http_method == "DELETE" or verb.startswith(("delete", "remove", "disable")):
        parser.add_argument("--yes", "-y", action="store_true", help="do not ask")
        confirm = True
    else:
        confirm = False
    parser.set_defaults(run=_runner(op, plan, confirm), api_operation=op.operation_id)


class _Param:
    __slots__ = ("name", "positional", "reader", "secret")

    def __init__(
        self,
        name: str,
        *,
        positional: bool = False,
        reader: Callable[[Any], Any] | None = None,
        secret: bool = False,
    ) -> None:
        self.name, self.positional, self.reader, self.secret = name, positional, reader, secret


def _metavar(name: str) -> str:
    if name in ("cluster_id", "destination_cluster_id"):
        return "CLUSTER"
    return name.upper()


def _strip(kind: Any) -> list[Any]:
    """The choices of a type, without None and UNSET."""
    import msgspec

    args = typing.get_args(kind) if _is_union(kind) else (kind,)
    return [a for a in args if a not in (type(None), msgspec.UnsetType)]


def _is_union(kind: Any) -> bool:
    return typing.get_origin(kind) in (typing.Union, types.UnionType)


def _add_option(parser: argparse.ArgumentParser, name: str, kind: Any) -> _Param:
    flag = f"--{command_name(name)}"
    parts = _strip(kind)
    choices = _choices(parts)
    if choices:
        parser.add_argument(flag, dest=name, choices=choices, metavar="{" + ",".join(choices) + "}")
    elif parts == [bool]:
        parser.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction)
    elif parts == [int]:
        parser.add_argument(flag, dest=name, type=int, metavar="N")
    elif parts == [float]:
        parser.add_argument(flag, dest=name, type=float, metavar="X")
    elif _is_text(parts):
        parser.add_argument(flag, dest=name, metavar=name.upper())
    else:  # objects, lists, maps
        parser.add_argument(flag, dest=name, type=_json_value(flag), metavar=_JSON)
    return _Param(name)


def _is_text(parts: list[Any]) -> bool:
    """Strings, or date-times (which the SDK takes as RFC 3339 strings too)."""
    import datetime

    return all(p in (str, datetime.datetime) for p in parts)


def _choices(parts: list[Any]) -> list[str]:
    values: list[str] = []
    for part in parts:
        if typing.get_origin(part) is typing.Literal:
            values.extend(str(v) for v in typing.get_args(part))
        elif isinstance(part, type) and issubclass(part, enum.Enum):
            values.extend(str(m.value) for m in part)
        else:
            return []
    return list(dict.fromkeys(values))


def _json_value(flag: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} takes JSON, e.g. '{{\"a\": 1}}'") from None

    return parse


def read_body(text: str | None) -> Any:
    if text is None:
        return None
    if text == "-":
        source, raw = "stdin", sys.stdin.read()
    elif text.startswith("@"):
        source = text[1:]
        try:
            with open(source, encoding="utf-8") as f:
                raw = f.read()
        except OSError as exc:
            raise UsageError(f"--body: cannot read {source}: {exc.strerror}") from None
    else:
        source, raw = "--body", text
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise UsageError(f"--body ({source}) is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise UsageError("--body must be a JSON object")
    return body


def _secret(name: str, from_stdin: bool, interactive: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise UsageError(f"--{command_name(name)}-stdin: stdin is empty")
        return line
    if not interactive:
        return None  # left out: the SDK says it is required, if it is
    import getpass

    return getpass.getpass(f"{name}: ")


def _runner(op: Any, plan: list[_Param], confirm: bool) -> Any:
    from .context import Context

    method_name = op.method.split(".", 1)[1]
    namespace = op.method.split(".", 1)[0]

    async def run(ctx: Context, args: argparse.Namespace) -> int:
        from .commands._common import confirm as ask

        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        for param in plan:
            if param.positional:
                positional.append(getattr(args, param.name))
                continue
            if param.secret:
                value = _secret(param.name, getattr(args, f"{param.name}_stdin"), ctx.interactive)
            elif param.reader is not None:
                value = param.reader(getattr(args, param.name))
            else:
                value = getattr(args, param.name, None)
            if value is not None:
                keywords[param.name] = value
        if confirm and not getattr(args, "dry_run", False):
            target = " ".join(str(p) for p in positional)
            ask(
                f"{command_name(namespace)} {command_name(method_name)} {target}?",
                assume_yes=args.yes,
                interactive=ctx.interactive,
            )
        method = getattr(getattr(ctx.client, namespace), method_name)
        result = method(*positional, **keywords)
        if op.paging is not None:
            await ctx.out.stream(_counted(ctx, result, command_name(namespace)), ())
        else:
            ctx.out.one(await result)
        return 0

    return run


async def _counted(ctx: Any, items: Any, label: str) -> Any:
    """The items, counted on a progress line (on a terminal only; not with --quiet)."""
    progress = ctx.progress(label, "items")
    done = 0
    try:
        async for item in items:
            done += 1
            progress.update(done)
            yield item
    finally:
        progress.close()
