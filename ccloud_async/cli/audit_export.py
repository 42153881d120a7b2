"""Resumable export of the audit log to a JSON Lines file.

One entry per line, oldest first, byte for byte as the server sent it (fields this SDK
does not know included).
Next to ``FILE`` a small state file ``FILE.resume`` holds, after each page:

* ``token``  — the :class:`~ccloud_async.AuditResume` token after that page;
* ``offset`` — the length of ``FILE`` once that page was written and fsynced;
* ``since``/``until`` — the bounds the export was started with; ``entries`` — a count.

Each page is written, flushed and fsynced first; only then is the state file replaced
(write a temporary file, fsync, ``os.replace``). So the state never points past what
is on disk. On start, an existing state file is resumed: ``FILE`` is truncated to the
saved ``offset`` (dropping a partial last line, or whole lines written after the last
saved state by a run that was killed) and the walk continues from ``token`` — no entry
lost, none twice.

When the export ends: with an ``--until`` in the past it is finished for good, so the state file is
deleted (re-running then refuses to touch the complete file unless ``--overwrite``).
Without ``--until`` the state file is kept: re-running the same command appends the
entries logged since, like an incremental backup.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, TYPE_CHECKING

from ..audit.cursor import AuditResume, timestamp_ns
from .exit_codes import UsageError

if TYPE_CHECKING:
    from ..client import CockroachCloud

__all__ = ["ExportResult", "ExportState", "export_audit_log", "state_path"]

STATE_SUFFIX = ".resume"
DEFAULT_PAGE_SIZE = 1000


@dataclass
class ExportState:
    token: str
    offset: int
    entries: int
    since: str | None
    until: str | None


@dataclass(frozen=True)
class ExportResult:
    written: int  # entries written by this run
    total: int  # entries in the file
    resumed: bool
    finished: bool  # reached --until (state file removed)


def state_path(path: str) -> str:
    return path + STATE_SUFFIX


def has_state(path: str) -> bool:
    """Whether an export into ``path`` left a state file to resume from."""
    return os.path.exists(state_path(path))


def load_state(path: str) -> ExportState:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        state = ExportState(
            token=str(data["token"]),
            offset=int(data["offset"]),
            entries=int(data["entries"]),
            since=data.get("since"),
            until=data.get("until"),
        )
        AuditResume.from_token(state.token)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"cannot read the export state {path}: {exc}") from None
    return state


def save_state(path: str, state: ExportState) -> None:
    """Atomically replace the state file (write, fsync, rename)."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(asdict(state), f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def check_time(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        return timestamp_ns(text)
    except ValueError:
        raise UsageError(f"{option}: not an RFC 3339 date-time: {text!r}") from None


def _open(
    path: str, since: str | None, until: str | None, overwrite: bool
) -> tuple[IO[bytes], ExportState, bool]:
    """The file to append to, positioned after the last saved page, and the state."""
    spath = state_path(path)
    if os.path.exists(spath) and not overwrite:
        state = load_state(spath)
        if (since is not None and since != state.since) or until != state.until:
            raise UsageError(
                f"{spath} belongs to an export with --since {state.since} --until "
                f"{state.until}; re-run with those, or pass --overwrite to start over"
            )
        try:
            f = open(path, "r+b")  # noqa: SIM115 (closed by the caller)
        except FileNotFoundError:
            raise UsageError(f"{spath} exists but {path} does not: delete {spath}") from None
        if f.seek(0, os.SEEK_END) < state.offset:
            f.close()
            raise UsageError(f"{path} is shorter than {spath} says: delete both to start over")
        f.truncate(state.offset)
        f.seek(state.offset)
        return f, state, True
    if not overwrite and os.path.exists(path) and os.path.getsize(path) > 0:
        raise UsageError(
            f"{path} exists and has no {STATE_SUFFIX} file (a finished export?); "
            "pass --overwrite to start over"
        )
    f = open(path, "w+b")  # noqa: SIM115
    state = ExportState(AuditResume(since, "ASC").token(), 0, 0, since, until)
    save_state(spath, state)
    return f, state, False


async def export_audit_log(
    cloud: CockroachCloud,
    path: str,
    *,
    since: str | None = None,
    until: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    overwrite: bool = False,
    on_page: Callable[[int, int], object] | None = None,
) -> ExportResult:
    """Export (or resume exporting) the audit log into ``path``; see the module doc.

    ``on_page(written_this_run, total_in_file)`` is called after each saved page.
    """
    check_time(since, "--since")
    until_ns = check_time(until, "--until")
    f, state, resumed = _open(path, since, until, overwrite)
    spath = state_path(path)
    written = 0
    finished = False
    with f:
        # Records, not models: each line is the entry exactly as the server sent it,
        # fields this SDK does not know yet included.
        stream = cloud.audit_logs.records(resume=state.token, limit=page_size)
        async for page in stream.pages():
            lines: list[bytes] = []
            for record in page.entries:
                created = record.created_at
                past = isinstance(created, str) and timestamp_ns(created) > (until_ns or 0)
                if until_ns is not None and past:
                    finished = True
                    break
                lines.append(record.json + b"\n")
            f.write(b"".join(lines))
            f.flush()
            os.fsync(f.fileno())
            written += len(lines)
            state.entries += len(lines)
            state.offset = f.tell()
            if finished:
                break
            state.token = page.resume.token()
            save_state(spath, state)
            if on_page is not None:
                on_page(written, state.entries)
        else:
            # Caught up with the log: finished if --until has passed (nothing can be
            # logged inside it any more); an --until still ahead keeps the state.
            finished = until_ns is not None and until_ns < cloud.clock()
    if finished:
        os.remove(spath)
    return ExportResult(written, state.entries, resumed, finished)
