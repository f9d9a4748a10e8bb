"""Writing the restock benchmark's figures into RESULTS.md (for run.py)."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WARUNGS = 1000


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, Python"
        f" {platform.python_version()}, {pg} server on 127.0.0.1"
    )


def rss_at(trace: list[tuple[float, int, float]], requests: int) -> tuple[float, int, float] | None:
    return next((t for t in trace if t[1] >= requests), None)


def write_results(
    results: dict[tuple[str, int], dict[str, float]],
    rounds: dict[tuple[str, int], list[dict[str, float]]],
    ratios: dict[int, tuple[float, float]],
    waits: dict[str, dict[str, int]],
    samples: int,
    opts: argparse.Namespace,
) -> None:
    rows = "\n".join(
        f"| {name} | {p} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {int(r['errors'])} |"
        f" {int(r['requests'])} | {int(r['stored'])} | {r['app_ms']:.2f} | {r['db_ms']:.2f} |"
        f" {r['rss']:.0f} |"
        for (name, p), r in results.items()
    )
    per_round = "\n".join(
        f"| {name} | {p} | "
        + " | ".join(f"{m['rps']:.0f} ({m['p99']:.0f} ms, load {m['load']:.1f})" for m in ms)
        + " |"
        for (name, p), ms in rounds.items()
    )
    verdicts = "\n".join(
        f"- **{p} process{'es' if p > 1 else ''}: full/floor {ratio:.2f}** (target ≥ 0.8);"
        f" full p99 = **{p99x:.2f}×** the floor's (target ≤ 1.5)."
        for p, (ratio, p99x) in ratios.items()
    )
    waited = "\n".join(
        f"| {key} | {n['full'] / max(samples, 1):.2f} | {n['floor'] / max(samples, 1):.2f} |"
        for key, n in sorted(waits.items(), key=lambda kv: -kv[1]["full"])[:8]
    )
    text = (HERE / "RESULTS.md").read_text() if (HERE / "RESULTS.md").exists() else ""
    marker, soak_marker = "<!-- measured -->", "<!-- soak -->"
    head = text.split(marker)[0] if marker in text else text or "# restock_api benchmark\n\n"
    kept_soak = soak_marker + text.split(soak_marker, 1)[1] if soak_marker in text else ""
    (HERE / "RESULTS.md").write_text(
        f"{head}{marker}\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {commit()} on {machine()}.\n"
        f"wrk -t2 -c{opts.connections} -d{opts.seconds}s (after a {opts.warmup} s warm-up),"
        f" {opts.rounds} rounds in alternating order, averaged (errors and requests summed),"
        f" 20 lines per request, {WARUNGS} warungs, one open cycle; both under Granian with"
        " the same number of processes.\n\n"
        "| endpoint | processes | requests/s | p50 ms | p99 ms | errors | requests | stored |"
        " server CPU ms/request | PostgreSQL CPU ms/request | worker RSS MB |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
        f"{rows}\n\n{verdicts}\n\n"
        "Each round (requests/s, p99, 1-minute load average at its end):\n\n"
        "| endpoint | processes | "
        + " | ".join(f"round {i + 1}" for i in range(opts.rounds))
        + " |\n|---|---|"
        + "---|" * opts.rounds
        + f"\n{per_round}\n\n"
        f"What the busy backends waited on ({samples} samples of pg_stat_activity and pg_locks"
        " per endpoint, 50 ms apart, 1 and 2 processes together; mean backends per sample):\n\n"
        f"| wait, lock, statement | full | floor |\n|---|---|---|\n{waited}\n\n{kept_soak}"
    )


def write_soak(trace: list[tuple[float, int, float]], opts: argparse.Namespace) -> None:
    """The soak's figures after ``<!-- soak -->`` in RESULTS.md."""
    path = HERE / "RESULTS.md"
    text = path.read_text() if path.exists() else "# restock_api benchmark\n\n"
    early, late = rss_at(trace, 50_000), trace[-1]
    peak = max(t[2] for t in trace)
    growth = f"{(late[2] / early[2] - 1) * 100:+.1f} %" if early else "n/a (under 50,000)"
    samples = "\n".join(
        f"| {t:.0f} | {n:,} | {rss:.1f} |" for t, n, rss in trace[:: max(len(trace) // 12, 1)]
    )
    section = (
        "<!-- soak -->\n"
        f"Memory, measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {commit()}:"
        " the full endpoint in one"
        f" process under wrk -c{opts.connections} until {opts.soak:,} requests were stored or"
        f" {opts.soak_seconds} s passed; the worker's RSS from /proc every 2 s."
        f" {late[1]:,} requests in {late[0]:.0f} s; RSS "
        + (f"{early[2]:.1f} MB after {early[1]:,}, " if early else "")
        + f"{late[2]:.1f} MB at the end, peak {peak:.1f} MB; growth from 50,000 to the end"
        f" {growth} (targets: ≤ 150 MB, within 5 %).\n\n"
        f"| s | requests stored | RSS MB |\n|---|---|---|\n{samples}\n"
    )
    path.write_text(text.split("<!-- soak -->")[0].rstrip() + "\n\n" + section)
