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
