"""The API key never shows up in logs, reprs, exception texts or tracebacks."""

from __future__ import annotations

import logging
import traceback

import pytest

from ccloud_async import APIError, CockroachCloud, RetryPolicy
from ccloud_async.testing import FakeCloud, Fault

SECRET_KEY = "ccdb_secret_Zq8vW2mN4pL6xR1tY3uK"


async def test_key_never_leaks(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    async with FakeCloud(api_keys={SECRET_KEY: ["CLUSTER_ADMIN"]}, rate_limit=2) as server:
        cloud = CockroachCloud(
            api_key=SECRET_KEY,
            base_url=server.url,
            limiter=None,
            retry_policy=RetryPolicy(max_retries=1, backoff_initial=0.01),
            timeout=0.3,
        )
        texts += [repr(cloud), str(cloud), repr(cloud._engine), repr(cloud._engine.config)]
        async with cloud:
            server.faults.add(Fault("reset", method="GET", times=2))
            server.faults.add(Fault("delay", method="DELETE", delay=1.0, times=2))
            server.faults.add(Fault("html", status=502, method="PATCH", times=1))
            calls = [
                cloud.clusters.get("missing"),  # reset twice -> connection error
                cloud.clusters.delete("missing"),  # timeouts
                cloud.clusters.update("missing", labels={"a": "b"}),  # HTML 502
                cloud.clusters.get("missing"),  # 404 (or 429, then 404)
            ]
            for coro in calls:
                try:
                    await coro
                except APIError as exc:
                    texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        async with CockroachCloud(api_key=SECRET_KEY + "x", base_url=server.url) as wrong:
            try:
                await wrong.clusters.get("c")
            except APIError as exc:
                texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    texts += [r.getMessage() for r in caplog.records]
    texts.append(caplog.text)
    assert len(texts) > 12
    assert any(r.levelname == "DEBUG" for r in caplog.records)
    assert any(r.levelname == "WARNING" for r in caplog.records)
    for text in texts:
        assert SECRET_KEY not in text
