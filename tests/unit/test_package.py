"""The package's names load on first use; each one resolves, and importing is cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ccloud_async
from ccloud_async import errors

LOADED = (
    "import sys; print(sorted(m for m in ('aiohttp', 'aiolimiter', 'msgspec', "
    "'ccloud_async.models._generated', 'ccloud_async.client') if m in sys.modules))"
)


def _modules_after(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{LOADED}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("name", sorted(set(ccloud_async.__all__) - {"RedisLimiter"}))
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(ccloud_async, name) is not None
    assert name in dir(ccloud_async)


def test_every_exported_name_has_a_home() -> None:
    homes = {*ccloud_async._HOME, *ccloud_async._SUBMODULES, "__version__"}
    assert homes == set(ccloud_async.__all__)


def test_exported_errors_are_the_errors_module_s() -> None:
    assert ccloud_async.NotFoundError is errors.NotFoundError
    assert ccloud_async.errors is errors


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = ccloud_async.Nope  # type: ignore[attr-defined]


def test_import_alone_loads_no_heavy_module() -> None:
    assert _modules_after("import ccloud_async") == "[]"


def test_importing_the_client_loads_what_it_needs() -> None:
    # aiolimiter waits until a limiter is made.
    loaded = _modules_after("from ccloud_async import CockroachCloud")
    assert loaded == str(
        sorted(["aiohttp", "msgspec", "ccloud_async.models._generated", "ccloud_async.client"])
    )
    made = _modules_after("from ccloud_async import CockroachCloud as C; C(api_key='k' * 20)")
    assert "'aiolimiter'" in made


def test_cli_help_loads_no_heavy_module() -> None:
    code = (
        "from ccloud_async.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert _modules_after(code) == "[]"


def test_the_library_prints_nothing_when_logging_is_not_configured() -> None:
    # A retried 503 logs a WARNING; with no handler of the application's, a library must
    # stay quiet rather than fall through to Python's last-resort stderr handler.
    program = """
import asyncio
from ccloud_async import CockroachCloud, RetryPolicy
from ccloud_async.testing import FakeCloud, Fault

async def main() -> None:
    async with FakeCloud(rate_limit=None) as fake:
        fake.faults.add(Fault("status", status=503, times=2))
        policy = RetryPolicy(max_retries=3, backoff_initial=0.01, backoff_max=0.02)
        async with CockroachCloud(
            api_key="test-key", base_url=fake.url, retry_policy=policy
        ) as cloud:
            print(len([c async for c in cloud.clusters.list()]), fake.faults.injected["status"])

asyncio.run(main())
"""
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", program],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "2"]
    assert done.stderr == ""
