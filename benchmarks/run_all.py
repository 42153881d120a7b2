"""Run every benchmark and write ``benchmarks/RESULTS.md``.

    python benchmarks/run_all.py [--quick]

``--quick`` shrinks the sizes for a fast check (and says so in the file). Every figure
is a ratio measured side by side in one run, since absolute times drift between
machines and runs.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import overhead  # noqa: E402
import startup  # noqa: E402


@dataclass
class Figure:
    name: str
    measured: str
    goal: str
    ok: bool | None  # None: reported only, no goal


@dataclass
class Sizes:
    pacing_calls: int
    overhead_calls: int
    decode_clusters: int
    audit_entries: int
    fleet_clusters: int


FULL = Sizes(1000, 3000, 1000, 1_000_000, 200)
QUICK = Sizes(100, 600, 1000, 100_000, 50)


def _script(name: str, *args: object) -> str:
    """Run ``benchmarks/<name>`` in its own process; echo and return its output."""
    cmd = [sys.executable, str(HERE / name), *map(str, args)]
    print(f"$ {' '.join(cmd[1:])}", flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        raise RuntimeError(f"{name} failed with exit code {done.returncode}")
    return done.stdout


def _measure_in_child(module: str, *args: object) -> dict[str, float]:
    """``<module>.measure(*args)`` in a fresh process: no heap or GC state left over from
    the figures before it."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import {module}; "
        f"print(json.dumps({module}.measure(*{args!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        raise RuntimeError(f"{module}.measure failed with exit code {done.returncode}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"no match for {pattern!r} in:\n{text}")
    return float(found.group(1).replace(",", ""))


def pacing(sizes: Sizes) -> list[Figure]:
    out = _script("pacing.py", sizes.pacing_calls)
    ratio = _number(r"achieved / limit\s+([\d.]+)", out)
    rate = _number(r"\(([\d.]+) req/s\)", out)
    rejected = int(_number(r"429 responses\s+(\d+)", out))
    window = int(_number(r"max in any 1 s window\s+(\d+)", out))
    calls = f"{sizes.pacing_calls:,} queued calls"
    return [
        Figure(
            f"1. Pacing: achieved / 10 req/s ({calls})",
            f"{ratio:.3f} ({rate:.2f} req/s)",
            ">= 0.97",
            ratio >= 0.97,
        ),
        Figure(f"1. Pacing: 429s (max {window} in any 1 s)", str(rejected), "0", rejected == 0),
    ]


def transport(sizes: Sizes) -> list[Figure]:
    print(f"$ overhead.measure({sizes.overhead_calls})", flush=True)
    best = _measure_in_child("overhead", sizes.overhead_calls)
    for name, rate in best.items():
        print(f"{name:<16} {rate:8.0f} calls/s", flush=True)
    vs_raw = best["sdk"] / best["aiohttp"]
    vs_alt = best["sdk"] / best["httpx_pydantic"]
    how = f"{sizes.overhead_calls:,} calls, concurrency {overhead.CONCURRENCY}"
    return [
        Figure(
            f"2. Transport overhead: SDK `clusters.get` / raw aiohttp calls/s ({how})",
            f"{vs_raw:.3f} ({best['sdk']:.0f} vs {best['aiohttp']:.0f} calls/s)",
            ">= 0.8",
            vs_raw >= 0.8,
        ),
        Figure(
            "2. Hooks and tracing unused (the default) / tracing=False, calls/s",
            f"{best['sdk'] / best['sdk_tracing_off']:.3f}",
            "0.97-1.03 (noise)",
            0.97 <= best["sdk"] / best["sdk_tracing_off"] <= 1.03,
        ),
        Figure(
            "2. Traced (OpenTelemetry SDK, batched) / untraced, calls/s",
            f"{best['sdk_traced'] / best['sdk']:.3f} ({best['sdk_traced']:.0f} calls/s)",
            "reported",
            None,
        ),
        Figure(
            "2. Two no-op event hooks / none, calls/s",
            f"{best['sdk_hooks'] / best['sdk']:.3f} ({best['sdk_hooks']:.0f} calls/s)",
            "reported",
            None,
        ),
        Figure(
            "3. SDK / httpx.AsyncClient + pydantic v2 by hand, calls/s",
            f"{vs_alt:.2f}x ({best['sdk']:.0f} vs {best['httpx_pydantic']:.0f} calls/s)",
            "reported",
            None,
        ),
    ]


def decode(sizes: Sizes) -> list[Figure]:
    print(f"$ decoding.measure({sizes.decode_clusters})", flush=True)
    result = _measure_in_child("decoding", sizes.decode_clusters)
    for name in ("sdk", "pydantic", "json_loads"):
        print(f"{name:<16} {result[name] * 1000:.2f} ms", flush=True)
    vs_pydantic = result["pydantic"] / result["sdk"]
    vs_json = result["json_loads"] / result["sdk"]
    page = f"{sizes.decode_clusters:,}-cluster page, {result['bytes'] / 1e6:.2f} MB"
    sdk_ms = result["sdk"] * 1000
    return [
        Figure(
            f"4. Decode {page}: SDK speed / pydantic v2",
            f"{vs_pydantic:.2f}x ({sdk_ms:.2f} vs {result['pydantic'] * 1000:.2f} ms)",
            ">= 5x",
            vs_pydantic >= 5,
        ),
        Figure(
            "4. Decode: SDK speed / `json.loads` (untyped)",
            f"{vs_json:.2f}x ({sdk_ms:.2f} vs {result['json_loads'] * 1000:.2f} ms)",
            ">= 1.5x",
            vs_json >= 1.5,
        ),
    ]


def audit(sizes: Sizes) -> list[Figure]:
    out = _script("audit_export.py", sizes.audit_entries)
    rate = _number(r"entries/s\s+([\d,]+)", out)
    marks = re.findall(r"RSS at\s+([\d,]+)\s+([\d.]+) MB \(peak so far ([\d.]+) MB\)", out)
    rss = {int(count.replace(",", "")): (float(cur), float(peak)) for count, cur, peak in marks}
    at_100k = rss[100_000][0]
    at_end, peak = rss[sizes.audit_entries]
    growth = at_end - at_100k
    flat = growth <= 10.0
    entries = f"{sizes.audit_entries:,} entries"
    return [
        Figure(
            f"5. Audit export to JSONL ({entries}): entries/s", f"{rate:,.0f}", "reported", None
        ),
        Figure(
            "5. Audit export: client peak RSS",
            f"{peak:.1f} MB",
            "< 100 MB",
            peak < 100,
        ),
        Figure(
            "5. Audit export: RSS at 100k → at the end",
            f"{at_100k:.1f} → {at_end:.1f} MB ({growth:+.1f} MB)",
            "flat (<= +10 MB)",
            flat,
        ),
    ]


def fleet(sizes: Sizes) -> list[Figure]:
    out = _script("fleet.py", sizes.fleet_clusters)
    ratio = _number(r"wall / ideal\s+([\d.]+)", out)
    wall = _number(r"wall time\s+([\d.]+) s", out)
    rejected = int(_number(r"429 responses\s+(\d+)", out))
    ideal = sizes.fleet_clusters / 10
    return [
        Figure(
            f"6. Fleet: nodes of {sizes.fleet_clusters} clusters, wall / ideal {ideal:g} s",
            f"{ratio:.3f} ({wall:.2f} s, {rejected} 429s)",
            "<= 1.05, 0 429s",
            ratio <= 1.05 and rejected == 0,
        )
    ]


def blocking(sizes: Sizes) -> list[Figure]:
    out = _script("blocking.py", sizes.overhead_calls)
    one = _number(r"blocking / async\s+([\d.]+)", out)
    many = _number(r"threads / \d+ tasks\s+([\d.]+)", out)
    return [
        Figure(
            "9. Blocking client / async client, calls/s (one caller, limiter off)",
            f"{one:.3f}",
            "reported",
            None,
        ),
        Figure(
            "9. Blocking client, 20 threads / async client, 20 tasks, calls/s",
            f"{many:.3f}",
            "reported",
            None,
        ),
    ]


def latency(sizes: Sizes) -> list[Figure]:
    out = _script("latency.py", 120)
    figures = []
    for line in out.splitlines():
        found = re.match(
            r"answer\s+(\d+) ms\s+arrival rate / limit ([\d.]+)\s+max in 1 s (\d+)\s+429s (\d+)",
            line,
        )
        if found:
            answer, ratio, window, rejected = found.groups()
            figures.append(
                Figure(
                    f"8. Pacing at {answer} ms answer time, 0-20 ms jitter: arrivals / 10 req/s",
                    f"{float(ratio):.3f} (max {window} in 1 s, {rejected} 429s)",
                    ">= 0.97, <= 10, 0",
                    float(ratio) >= 0.97 and int(window) <= 10 and int(rejected) == 0,
                )
            )
    ratio = _number(r"wall / ideal ([\d.]+)", out.split("fleet", 1)[1])
    rejected = int(_number(r"429s (\d+)\s*$", out.strip().splitlines()[-1]))
    figures.append(
        Figure(
            "8. Fleet of 200 at 300 ms answer time: wall / ideal",
            f"{ratio:.3f} ({rejected} 429s)",
            "<= 1.05, 0 429s",
            ratio <= 1.05 and rejected == 0,
        )
    )
    return figures


def start_up(sizes: Sizes) -> list[Figure]:
    print("$ startup.measure()", flush=True)
    result = startup.measure()
    base = result["baseline"]
    for name, seconds in result.items():
        print(f"{name:<10} {seconds * 1000:7.1f} ms", flush=True)

    def shown(key: str) -> str:
        return f"{result[key] * 1000:.0f} ms ({result[key] / base:.1f}x `python -c pass`)"

    return [
        Figure("7. Start-up: `python -c pass` (baseline)", f"{base * 1000:.0f} ms", "—", None),
        Figure("7. Start-up: `import ccloud_async`", shown("import"), "reported", None),
        Figure(
            "7. Start-up: `from ccloud_async import CockroachCloud`",
            shown("client"),
            "< 300 ms",
            result["client"] < 0.3,
        ),
        Figure(
            "7. Start-up: `ccloud-async --help`", shown("help"), "< 150 ms", result["help"] < 0.15
        ),
        Figure(
            "7. Start-up: `ccloud-async clusters --help`",
            shown("group_help"),
            "< 300 ms",
            result["group_help"] < 0.3,
        ),
    ]


def _table(figures: list[Figure]) -> str:
    rows = ["| Figure | Measured | Goal | Result |", "|---|---|---|---|"]
    for fig in figures:
        verdict = "—" if fig.ok is None else ("pass" if fig.ok else "**FAIL**")
        rows.append(f"| {fig.name} | {fig.measured} | {fig.goal} | {verdict} |")
    return "\n".join(rows)


def write_results(figures: list[Figure], quick: bool, elapsed: float, path: Path) -> None:
    command = "python benchmarks/run_all.py" + (" --quick" if quick else "")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    python = f"{platform.python_implementation()} {platform.python_version()}"
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {now}",
        f"- Machine: {os.cpu_count()} CPUs (nproc), {platform.machine()}, {platform.system()}; "
        f"Python {python}",
        f"- Command: `{command}` (took {elapsed / 60:.1f} min)",
    ]
    if quick:
        lines.append(
            "- **Quick run**: sizes shrunk for a fast check (pacing 100 calls, audit 100k "
            "entries, fleet 50 clusters, 600 transport calls); figures are not the full ones."
        )
    lines += [
        "",
        "Absolute times drift between runs on a shared machine, so each figure is a ratio "
        "of things measured side by side in the same run. The emulator runs in its own "
        "process for figures 2, 3 and 5; pacing and fleet run against the in-process "
        "emulator's strict 10 requests per sliding second.",
        "",
        _table(figures),
        "",
        "Notes:",
        "",
        "- 2/3: the same `GET /api/v1/clusters/{id}` at the same concurrency and connection "
        "limit, limiter off; raw aiohttp reads the body and `json.loads` it, the SDK decodes "
        "it into `Cluster`, the alternative is `httpx.AsyncClient` + a pydantic v2 `Cluster` "
        "(`benchmarks/pydantic_models.py`). Raw aiohttp runs with no timeout at all; the SDK "
        "keeps its 30 s per-attempt deadline. The SDK and raw aiohttp take turns for 9 rounds "
        "(httpx for 3) and the best round of each counts.",
        "- 4: one page of clusters from the seeded emulator; `decode(ListClustersResponse, "
        "data)` vs `ListClustersResponse.model_validate_json(data)` (pydantic v2 models of "
        "the same schema) vs `json.loads(data)`; the three take turns for 25 rounds of 10 "
        "decodes and the best round of each counts, garbage collector on as in a real "
        "program.",
        "- 7: fresh processes, best of 5 wall times. The package loads its names on first "
        "use, so `import ccloud_async` alone costs little; importing the client pulls in "
        "aiohttp and the models, and that is the figure with the goal.",
        "",
    ]
    path.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for a fast check")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    started = time.monotonic()
    figures: list[Figure] = []
    for step in (start_up, decode, transport, audit, fleet, pacing, latency, blocking):
        figures += step(sizes)
    write_results(figures, args.quick, time.monotonic() - started, args.output)
    print()
    print(_table(figures))
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
