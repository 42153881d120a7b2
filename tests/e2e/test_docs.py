"""The documentation site builds, lists every method, and every guide's program works.

* ``mkdocs build --strict`` succeeds from the checkout (into a temporary directory);
* the reference pages under ``docs/reference/`` are what ``tools/docs_reference.py``
  writes from the code, and the built reference shows every one of the API's operations
  (its namespace and method name), every model and enum, with links to the official
  API reference; the search index knows the method names;
* every code block of the guides does what it shows, as the README's do
  (``tests/support/doc_blocks.py`` says how each kind of block is run): programs against
  a standalone emulator, test modules under pytest in a user's project, command lines
  through ``ccloud-async``, fragments compile and their imports resolve; programs and
  test modules pass ``mypy --strict`` outside the checkout.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ccloud_async import OPERATIONS, models
from ccloud_async._generated.namespaces import Namespaces

from ..support.doc_blocks import (
    Block,
    blocks,
    command_lines,
    imported_names,
    run_command,
    run_mypy_strict,
    run_program,
    run_user_tests,
    write_user_project,
)
from ..support.emulator_process import clean_env, standalone_emulator
from ..support.redis_process import RedisServer
from ..support.tool_modules import load_tool

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GUIDES = [DOCS / "index.md", *sorted((DOCS / "guides").glob("*.md"))]
BLOCKS = [
    b for page in GUIDES for b in blocks(page.read_text("utf-8"), str(page.relative_to(ROOT)))
]
PYTHON = [b for b in BLOCKS if b.lang == "python"]
PROGRAMS = [b for b in BLOCKS if b.kind == "program"]
TEST_MODULES = [b for b in BLOCKS if b.kind == "tests"]
COMMANDS = [b for b in BLOCKS if b.kind == "commands"]
# One API key per program or command block: each stays in a rate-limit window of its own.
KEYS = {str(b): f"doc-key-{i}" for i, b in enumerate(PROGRAMS + COMMANDS)}
NEWER_SPEC = ROOT.parent / "shared" / "openapi" / "openapi.pr118-sync-openapi-spec.json"
TOOL = load_tool("docs_reference")


# --------------------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=clean_env(NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return out


@pytest.fixture(scope="module")
def namespace_html(site: Path) -> dict[str, str]:
    """Each namespace's built reference page: namespace -> HTML."""
    pages = site / "reference" / "namespaces"
    return {ns: (pages / ns / "index.html").read_text("utf-8") for ns in Namespaces.NAMES}


def test_reference_pages_are_up_to_date() -> None:
    problems: list[str] = []
    assert TOOL.main(["--check"], report=problems.append) == 0, "\n".join(problems)


def test_every_operation_is_in_the_built_reference(namespace_html: dict[str, str]) -> None:
    found = 0
    for op in OPERATIONS.values():
        namespace, name = op.method.split(".", 1)
        html = namespace_html[namespace]
        assert f'id="{namespace}.{name}"' in html, op.method
        assert f"<code>{op.http_method} {op.path}</code>" in html, op.method
        found += 1
    assert found == len(OPERATIONS) == 144


def test_every_namespace_and_model_has_its_place(site: Path) -> None:
    for namespace in Namespaces.NAMES:
        assert (site / "reference" / "namespaces" / namespace / "index.html").exists()
    model_html = (site / "reference" / "models" / "index.html").read_text("utf-8")
    enum_html = (site / "reference" / "enums" / "index.html").read_text("utf-8")
    for name in models._generated.__all__:
        value = getattr(models, name)
        if isinstance(value, type) and hasattr(value, "__struct_fields__"):
            assert f'id="{name}"' in model_html, name
        elif isinstance(value, type) and issubclass(value, models.OpenEnum):
            assert f'id="{name}"' in enum_html, name
    assert "JSON string on the wire" in model_html  # the int64 note
    errors = (site / "reference" / "errors" / "index.html").read_text("utf-8")
    for name in ("RateLimitedError", "WaitTimeoutError", "LimiterUnavailableError"):
        assert name in errors


def test_operations_link_to_the_official_reference(namespace_html: dict[str, str]) -> None:
    html = namespace_html["clusters"]
    get = OPERATIONS["CockroachCloud_GetCluster"]
    url = TOOL.api_reference_url(get)
    assert (
        url == "https://www.cockroachlabs.com/docs/api/cloud/v1#get-/api/v1/clusters/-cluster_id-"
    )
    assert f'href="{url}"' in html
    for op in OPERATIONS.values():
        namespace = op.method.split(".", 1)[0]
        assert TOOL.api_reference_url(op) in namespace_html[namespace], op.method


def test_the_reference_says_roles_paging_and_status(site: Path) -> None:
    html = (site / "reference" / "namespaces" / "scim" / "index.html").read_text("utf-8")
    assert "<strong>deprecated</strong>" in html and "ORG_ADMIN" in html
    html = (site / "reference" / "namespaces" / "api_keys" / "index.html").read_text("utf-8")
    assert "<strong>PREVIEW</strong>" in html
    html = (site / "reference" / "namespaces" / "clusters" / "index.html").read_text("utf-8")
    assert "<code>keyset</code>" in html and 'id="clusters.wait"' in html


def test_search_index_knows_the_methods(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    text = " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"])
    for method in ("clusters.get", "audit_logs.records", "scim.list_users"):
        assert method in text, method


def test_guide_links_resolve_to_pages(site: Path) -> None:
    for page in GUIDES:
        name = page.relative_to(DOCS).with_suffix("")
        built = site / ("index.html" if name.name == "index" else f"{name}/index.html")
        assert built.exists(), built


# --------------------------------------------------------------------------- the guides


def test_the_guides_have_programs_tests_commands_and_fragments() -> None:
    assert len(GUIDES) >= 14
    assert len(PROGRAMS) >= 20 and TEST_MODULES and COMMANDS
    assert any(b.kind == "fragment" for b in PYTHON)
    every_guide_runs_something = {b.source for b in PROGRAMS + COMMANDS + TEST_MODULES}
    for page in GUIDES[1:]:
        assert str(page.relative_to(ROOT)) in every_guide_runs_something, page.name


def test_getting_started_repeats_the_readme_quick_start() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = blocks(quick, "README.md")[0].code
    guide = [b for b in BLOCKS if b.source.endswith("getting-started.md")]
    assert guide[0].code == commands


@pytest.mark.parametrize("block", PYTHON, ids=str)
def test_every_python_block_compiles(block: Block) -> None:
    compile(block.code, str(block), "exec")


IMPORTS = sorted({pair for b in PYTHON for pair in imported_names(b.code)}, key=str)


@pytest.mark.parametrize(("module", "name"), IMPORTS, ids=str)
def test_every_name_the_guides_import_resolves(module: str, name: str | None) -> None:
    loaded = importlib.import_module(module)
    if name is not None:
        assert getattr(loaded, name) is not None


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    with standalone_emulator(api_keys=tuple(KEYS.values())) as url:
        yield url


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with RedisServer() as server:
        yield server.url


def _env(block: Block, emulator: str, request: pytest.FixtureRequest) -> dict[str, str]:
    env = clean_env(COCKROACH_API_KEY=KEYS[str(block)], COCKROACH_SERVER=emulator)
    if "REDIS_URL" in block.code:
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    return env


@pytest.mark.parametrize("block", PROGRAMS, ids=str)
def test_program_runs_as_written(
    block: Block, emulator: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    done = run_program(block, tmp_path, _env(block, emulator, request))
    assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"
    assert done.stderr == "", f"{block}\n{done.stderr}"
    assert done.stdout.strip(), f"{block} printed nothing"


@pytest.mark.parametrize("block", COMMANDS, ids=str)
def test_command_lines_run_as_written(
    block: Block, emulator: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = _env(block, emulator, request)
    for line in command_lines(block.code):
        done = run_command(line, tmp_path, env)
        assert done.returncode == 0, f"{block}: {line}\n{done.stdout}\n{done.stderr}"


def test_guide_test_modules_pass_in_a_user_project(tmp_path: Path) -> None:
    write_user_project(tmp_path, PROGRAMS, TEST_MODULES, "guide")
    done = run_user_tests(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    tests = sum(len(re.findall(r"^(?:async )?def test_", b.code, re.M)) for b in TEST_MODULES)
    assert f"{tests} passed" in done.stdout, done.stdout


def test_guide_programs_pass_mypy_strict_outside_the_checkout(tmp_path: Path) -> None:
    files = write_user_project(tmp_path, PROGRAMS, TEST_MODULES, "guide")
    done = run_mypy_strict(tmp_path, files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_error_tree_of_the_errors_guide_is_importable() -> None:
    import ccloud_async

    guide = (DOCS / "guides" / "errors.md").read_text("utf-8")
    tree = guide.split("```text", 1)[1].split("```", 1)[0]
    builtins = {"TypeError", "ValueError", "RuntimeError", "TimeoutError"}
    names = set(re.findall(r"\b([A-Z]\w+Error)\b", tree)) - builtins
    assert len(names) >= 24
    for name in sorted(names):
        assert issubclass(getattr(ccloud_async, name), Exception), name
    public = {
        n
        for n in ccloud_async.__all__
        if n.endswith("Error") and n != "RedisLimiterFallbackWarning"
    }
    assert public <= names | {"CloudError"}, public - names


@pytest.mark.skipif(not NEWER_SPEC.exists(), reason="no newer spec revision beside the checkout")
def test_upgrading_guide_matches_the_newer_spec_revision() -> None:
    """What the guide says the newer revision adds: absent from the snapshot, in it."""
    guide = (DOCS / "guides" / "upgrading.md").read_text("utf-8")
    newer = json.loads(NEWER_SPEC.read_text("utf-8"))["components"]["schemas"]
    ours = json.loads((ROOT / "ccloud_async" / "_spec" / "openapi.json").read_text("utf-8"))
    ours_schemas = ours["components"]["schemas"]

    def values(schemas: dict[str, Any]) -> set[str]:
        return {str(v) for schema in schemas.values() for v in schema.get("enum", ())}

    named = set(re.findall(r"`((?:AUDIT_LOG_ACTION|AUDIT_LOG_SOURCE)_\w+|STATUS_STALE)`", guide))
    assert len(named) == 9
    assert named <= values(newer) and not named & values(ours_schemas)
    for schema, field in re.findall(r"`(\w+)\.(\w+)`", guide):
        if schema in newer and field not in ("is_known",):
            assert field in newer[schema].get("properties", {}), (schema, field)
    assert "system_actor_name" not in ours_schemas["AuditLogEntry"]["properties"]
