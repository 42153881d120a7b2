"""No secret anywhere: API keys, SQL passwords and the one-time API key secret.

Every error path runs with DEBUG logging on for every logger; the log text, the
exceptions (str, repr, formatted traceback with their chains) and the reprs of the
client and of the models that hold secrets are scanned for each secret.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from ccloud_async import CockroachCloud, RetryPolicy
from ccloud_async.models import (
    CreateApiKeyResponse,
    CreateSQLUserRequest,
    UpdateSQLUserPasswordRequest,
)
from ccloud_async.testing import FakeCloud, Fault
from ccloud_async.testing.auth import ALL_ROLES

API_KEY = "ccdb_live_Hq2Wm9Zx4Kp7Tr3Lv8Ny"
WRONG_KEY = "ccdb_live_Wr0ngWr0ngWr0ngWr0ng"
LIMITED_KEY = "ccdb_live_LimitedLimitedLimited1"
PASSWORD = "Pw-create-7f3b9c1d5e"
NEW_PASSWORD = "Pw-rotate-2a8e6f4c0b"
ACCOUNT_ROLES = [{"name": "ORG_ADMIN", "resource": {"type": "ORGANIZATION"}}]


class Texts:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []  # (where, text)
        self.errors: list[str] = []

    def add(self, where: str, text: str) -> None:
        self.items.append((where, text))

    def exception(self, where: str, exc: BaseException) -> None:
        self.errors.append(f"{where}: {type(exc).__name__}")
        self.add(f"{where} str", str(exc))
        self.add(f"{where} repr", repr(exc))
        self.add(f"{where} traceback", "".join(traceback.format_exception(exc)))

    async def expect_error(self, where: str, call: Callable[[], Awaitable[Any]]) -> None:
        try:
            await call()
        except Exception as exc:
            self.exception(where, exc)
        else:
            raise AssertionError(f"{where}: no error")


def _client(fake: FakeCloud, key: str, **kwargs: Any) -> CockroachCloud:
    # A 429 beyond max_retry_after pauses the client for that long: keep it short.
    policy = RetryPolicy(max_retries=1, backoff_initial=0.01, max_retry_after=0.5)
    kwargs.setdefault("retry_policy", policy)
    kwargs.setdefault("limiter", None)
    return CockroachCloud(api_key=key, base_url=fake.url, timeout=0.3, **kwargs)


async def test_no_secret_on_any_error_path(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    texts = Texts()
    keys = {API_KEY: ALL_ROLES, LIMITED_KEY: ["BILLING_COORDINATOR"]}
    async with FakeCloud(keys, rate_limit=None, seed_clusters=1) as fake:
        cid = fake.clusters.all()[0]["id"]
        cloud = _client(fake, API_KEY)
        texts.add("repr(client)", repr(cloud))
        texts.add("str(client)", str(cloud))
        texts.add("repr(view)", repr(cloud.with_options(timeout=1.0)))
        async with cloud:
            account = await cloud.service_accounts.create(
                name="deployer", description="ci", roles=ACCOUNT_ROLES
            )
            made = await cloud.api_keys.create(name="laptop", service_account_id=account.id)
            one_time = made.secret
            assert one_time
            texts.add("repr(CreateApiKeyResponse)", repr(made))
            texts.add("str(CreateApiKeyResponse)", str(made))
            user = await cloud.sql_users.create(cid, name="app", password=PASSWORD)
            texts.add("repr(SQLUser)", repr(user))
            await cloud.sql_users.update_password(cid, "app", password=NEW_PASSWORD)
            key_id = made.api_key.id  # type: ignore[union-attr]

            e = texts.expect_error
            # 404 with a password in the request body
            await e(
                "404", lambda: cloud.sql_users.update_password(cid, "nobody", password=PASSWORD)
            )
            # 409: the user exists
            await e("409", lambda: cloud.sql_users.create(cid, name="app", password=PASSWORD))
            # 400: a bad body (the emulator rejects the name; the password rides along)
            await e("400", lambda: cloud.sql_users.create(cid, name="Bad Name!", password=PASSWORD))
            # rejected before sending: a mistyped field
            await e(
                "TypeError",
                lambda: cloud.sql_users.create(cid, body={"name": "x", "password": 5}),
            )
            # 429 asking for longer than the cap
            fake.faults.add(
                Fault("rate_limit", path="/sql-users", retry_after_seconds=600, times=None)
            )
            await e("429", lambda: cloud.sql_users.create(cid, name="late", password=PASSWORD))
            fake.faults.clear()
            # resets, before and after the server acted
            fake.faults.add(Fault("reset", method="PUT", times=None))
            await e(
                "reset",
                lambda: cloud.sql_users.update_password(cid, "app", password=NEW_PASSWORD),
            )
            fake.faults.clear()
            fake.faults.add(Fault("reset", method="POST", after_apply=True))
            await e("reset-after", lambda: cloud.sql_users.create(cid, name="b", password=PASSWORD))
            # timeouts: a held-back status line, then a trickling body
            fake.faults.add(Fault("slow_headers", method="PUT", delay=0.8, times=2))
            await e(
                "timeout",
                lambda: cloud.sql_users.update_password(cid, "app", password=NEW_PASSWORD),
            )
            fake.faults.add(Fault("slow_body", method="GET", path="/api-keys", delay=1.0, times=2))
            await e("slow-body", lambda: cloud.api_keys.get(key_id))
            # an HTML 502 from a proxy, and a 500 with a null body
            fake.faults.add(Fault("html", status=502, method="POST"))
            await e("html-502", lambda: cloud.sql_users.create(cid, name="c", password=PASSWORD))
            fake.faults.add(Fault("null", status=500, method="POST", path="/api-keys"))
            await e(
                "null-500",
                lambda: cloud.api_keys.create(name="k2", service_account_id=account.id),
            )
            # decode errors: a 200 cut in half, and a 200 null where a key was due
            fake.faults.add(Fault("truncated", method="POST", path="/api-keys"))
            await e(
                "truncated",
                lambda: cloud.api_keys.create(name="k3", service_account_id=account.id),
            )
            fake.faults.add(Fault("null", status=200, method="POST", path="/api-keys"))
            await e(
                "decode-null",
                lambda: cloud.api_keys.create(name="k4", service_account_id=account.id),
            )
            # Every time: a garbled answer to a PUT is retried, so one would not fail.
            truncated = fake.faults.add(Fault("truncated", method="PUT", times=None))
            await e(
                "truncated-put",
                lambda: cloud.sql_users.update_password(cid, "app", password=NEW_PASSWORD),
            )
            fake.faults.remove(truncated)
        # 401: a wrong key; 403: a key without the role; the one-time secret as a key
        async with _client(fake, WRONG_KEY) as wrong:
            await texts.expect_error("401", lambda: wrong.clusters.get(cid))
        async with _client(fake, LIMITED_KEY) as limited:
            await texts.expect_error(
                "403", lambda: limited.sql_users.create(cid, name="d", password=PASSWORD)
            )
        async with _client(fake, one_time) as fresh:
            texts.add("repr(client with one-time key)", repr(fresh))
            try:
                await fresh.clusters.get("missing-cluster")
            except Exception as exc:
                texts.exception("one-time key", exc)

    models = [
        CreateSQLUserRequest(name="app", password=PASSWORD),
        UpdateSQLUserPasswordRequest(password=NEW_PASSWORD),
        CreateApiKeyResponse(secret=one_time),
    ]
    for model in models:
        texts.add(f"repr({type(model).__name__})", repr(model))
        texts.add(f"str({type(model).__name__})", str(model))
    for record in caplog.records:
        texts.add(f"log {record.name}:{record.levelname}", record.getMessage())
        if record.exc_info and record.exc_info[1] is not None:
            texts.exception(f"log exc_info {record.name}", record.exc_info[1])
    texts.add("caplog.text", caplog.text)

    assert len(texts.errors) >= 17, texts.errors
    assert any(r.levelname == "DEBUG" and r.name == "ccloud_async" for r in caplog.records)
    assert any(r.levelname == "WARNING" for r in caplog.records)
    secrets = {
        "API key": API_KEY,
        "wrong API key": WRONG_KEY,
        "limited API key": LIMITED_KEY,
        "SQL password": PASSWORD,
        "new SQL password": NEW_PASSWORD,
        "one-time API key secret": one_time,
    }
    leaks = [
        f"{label} in {where}"
        for label, secret in secrets.items()
        for where, text in texts.items
        if secret in text
    ]
    print("\nerror paths:", texts.errors)
    assert not leaks, leaks
