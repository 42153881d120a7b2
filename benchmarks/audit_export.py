"""Audit export: stream N audit entries from the emulator to JSONL with the limiter off.

    python benchmarks/audit_export.py [N]        (default 1,000,000)

The emulator runs in its own process so that only the client's memory is measured.
Prints entries/s and the client's resident memory at 100k entries and at the end: a
flat figure means the export streams (the goal is under 100 MB and flat).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ccloud_async import CockroachCloud
from ccloud_async.models import encode


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB (Linux /proc)."""
    text = Path("/proc/self/status").read_text()
    current = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))  # type: ignore[union-attr]
    peak = int(re.search(r"VmHWM:\s+(\d+)", text).group(1))  # type: ignore[union-attr]
    return current / 1024, peak / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def export(url: str, total: int, out: Path) -> None:
    marks: dict[int, tuple[float, float]] = {}
    written = 0
    started = time.monotonic()
    async with CockroachCloud(api_key="bench-key", base_url=url, limiter=None) as cloud:
        with out.open("wb", buffering=1 << 20) as sink:
            async for entry in cloud.audit_logs.list(limit=1000):
                sink.write(encode(entry) + b"\n")
                written += 1
                if written in (100_000, total // 10) or written == total:
                    marks[written] = rss_mb()
    elapsed = time.monotonic() - started
    size = os.path.getsize(out)  # noqa: ASYNC240 - the export is over; nothing waits on this
    print(f"entries written       {written:,} ({size / 1e6:.0f} MB of JSONL)")
    print(f"elapsed               {elapsed:.1f} s")
    print(f"entries/s             {written / elapsed:,.0f}")
    for count, (current, peak) in sorted(marks.items()):
        print(f"RSS at {count:>9,}      {current:.1f} MB (peak so far {peak:.1f} MB)")
    assert written == total, f"expected {total} entries, wrote {written}"


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ccloud_async.testing",
            "--port",
            str(port),
            "--api-key",
            "bench-key",
            "--rate-limit",
            "0",
            "--audit-entries",
            str(total),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "press Ctrl-C" in line:
                break
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(export(f"http://127.0.0.1:{port}", total, Path(tmp) / "audit.jsonl"))
    finally:
        server.terminate()
        server.wait(30)
    print(f"client pid {os.getpid()}; emulator ran in pid {server.pid}")


if __name__ == "__main__":
    main()
