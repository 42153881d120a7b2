"""Run the emulator in its own process for a benchmark (``python -m ccloud_async.testing``)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

API_KEY = "bench-key"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def emulator(*, clusters: int = 0, audit_entries: int = 0) -> Iterator[str]:
    """Yield the base URL of an emulator (limiter off) running in a subprocess."""
    port = free_port()
    args = [sys.executable, "-m", "ccloud_async.testing", "--port", str(port)]
    args += ["--api-key", API_KEY, "--rate-limit", "0"]
    args += ["--clusters", str(clusters), "--audit-entries", str(audit_entries)]
    server = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "press Ctrl-C" in line:
                break
        else:
            raise RuntimeError("the emulator did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(30)
