"""Supplier split on generated hard sets: the 1 s split vs the stored optimum vs the greedy.

    .venv/bin/python benchmarks/split/run.py [--sizes 200x5 500x8 1000x10] [--seeds 10]
        [--code DIR] [--write]

Instances come from ``instances.py`` (seeded); the optimum of each, computed offline by
``oracle.py`` with a long HiGHS limit on a model of its own, is read from ``optima.json``
(where the limit came first, its best plan and its proven bound are both stored, and the
split is compared with each). Per instance: the split's own wall time and CPU time (its
process, HiGHS's threads included), its total, the greedy's, and checks that every plan
covers the demand, keeps every supplier's minimum order value, and that a reported
``mip_gap`` is a true bound (total × (1 − mip_gap) ≤ the optimum). ``--code DIR`` runs
the split of another checkout (say the commit before) on the same instances. The machine's
load (``/proc/loadavg``) is printed with each size: wall time on a busy machine is
pessimistic, CPU time less so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _load_code(code: Path | None) -> None:
    sys.path.insert(0, str(ROOT if code is None else code))
    sys.path.insert(1, str(HERE))


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _wait_for_solver_threads() -> None:
    """A solve left to unwind at a deadline must not eat into the next instance's time."""
    import threading

    for thread in threading.enumerate():
        if thread.name == "split-highs":
            thread.join()


def measure(n: int, k: int, seed: int, limit: float) -> dict[str, object]:
    from instances import instance

    from services.domain.split import plan_split

    demand, quotes = instance(n, seed, k)
    _wait_for_solver_threads()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    plan = plan_split(demand, quotes, time_limit=limit, mip_gap=1e-4)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    greedy = plan_split(demand, quotes, use_solver=False)
    movs = {q.supplier_id: q.min_order_value_idr for q in quotes}
    for p in (plan, greedy):
        assert all(o.backorder == 0 for o in p.products), "every plan must cover demand"
        assert all(s.goods_idr >= movs[s.supplier_id] for s in p.suppliers), "minimum value"
    return {
        "key": f"{n}x{k}:{seed}",
        "size": f"{n} × {k}",
        "seed": seed,
        "total": plan.total_idr,
        "greedy": greedy.total_idr,
        "wall": wall,
        "cpu": cpu,
        "status": plan.status,
        "mip_gap": getattr(plan, "mip_gap", None),
        "gap_note": getattr(plan, "gap_note", ""),
    }


def compare(row: dict[str, object], optima: dict[str, dict[str, object]]) -> dict[str, object]:
    """The row with its gaps to the stored optimum and bound, and whether a reported
    mip_gap is a true bound."""
    row = {k: v for k, v in row.items() if k not in ("optimum", "bound", "gap", "bound_valid")}
    best = optima.get(str(row["key"]))
    if best is None:
        return row
    total = int(str(row["total"]))
    opt, bound = int(str(best["total_idr"])), int(str(best["bound_idr"]))
    row["optimum"], row["bound"], row["proven"] = opt, bound, best["status"] == "optimal"
    row["gap"] = (total - opt) / opt * 100
    row["gap_to_bound"] = (total - bound) / bound * 100
    mip_gap = row["mip_gap"]
    if isinstance(mip_gap, float):
        row["bound_valid"] = total * (1 - mip_gap) <= opt * (1 + 1e-9)
    return row


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| size | seed | split IDR | wall s | CPU s | status | mip_gap | optimum IDR | "
        "split vs optimum | split vs bound | greedy vs optimum |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        opt = r.get("optimum")
        mip_gap = r["mip_gap"]
        lines.append(
            f"| {r['size']} | {r['seed']} | {r['total']:,} | {r['wall']:.3f} | {r['cpu']:.3f} | "
            f"{r['status']} | "
            + (f"{mip_gap * 100:.3f} %" if isinstance(mip_gap, float) else "null")
            + " | "
            + (
                f"{opt:,}{'' if r['proven'] else ' (limit)'} | {r['gap']:+.3f} % | "
                f"{r['gap_to_bound']:+.3f} % | "
                f"{(int(str(r['greedy'])) - int(str(opt))) / int(str(opt)) * 100:+.2f} % |"
                if isinstance(opt, int)
                else "– | – | – | – |"
            )
        )
    return "\n".join(lines)


def summary(rows: list[dict[str, object]], loads: dict[str, str]) -> str:
    lines = [
        "| size | load (1/5/15 min) | vs optimum mean / max | vs bound mean / max | "
        "wall s mean / max | CPU s mean / max | over 1.00 s | statuses | mip_gap true bound |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in dict.fromkeys(str(r["size"]) for r in rows):
        rs = [r for r in rows if r["size"] == size]
        gaps = [float(str(r["gap"])) for r in rs if "gap" in r]
        bgaps = [float(str(r["gap_to_bound"])) for r in rs if "gap_to_bound" in r]
        walls = [float(str(r["wall"])) for r in rs]
        cpus = [float(str(r["cpu"])) for r in rs]
        statuses: dict[str, int] = {}
        for r in rs:
            statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
        reported = [r for r in rs if "bound_valid" in r]
        valid = sum(1 for r in reported if r["bound_valid"])
        fmt = lambda xs: f"{statistics.mean(xs):.3f} % / {max(xs):.3f} %" if xs else "–"  # noqa: E731
        lines.append(
            f"| {size} | {loads[size]} | {fmt(gaps)} | {fmt(bgaps)} | "
            f"{statistics.mean(walls):.3f} / {max(walls):.3f} | "
            f"{statistics.mean(cpus):.3f} / {max(cpus):.3f} | "
            f"{sum(1 for w in walls if w > 1.0)} of {len(walls)} | "
            + ", ".join(f"{v} {k}" for k, v in sorted(statuses.items()))
            + f" | {valid} of {len(reported)} reported ({len(rs) - len(reported)} null) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", default=["200x5", "500x8", "1000x10"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--code", type=Path, help="the checkout whose split to run")
    parser.add_argument("--limit", type=float, default=1.0, help="the split's time limit, s")
    parser.add_argument("--write", type=Path, help="write the tables to this file")
    parser.add_argument("--rows", type=Path, help="save the measured rows (JSON) to this file")
    parser.add_argument(
        "--from-rows", type=Path, help="tabulate saved rows against the stored optima again"
    )
    args = parser.parse_args()
    optima = json.loads((HERE / "optima.json").read_text())
    if args.from_rows:
        saved = json.loads(args.from_rows.read_text())
        rows = [compare(r, optima) for r in saved["rows"]]
        _report(rows, saved["loads"], saved["header"], args.write)
        return
    _load_code(args.code)
    from instances import instance

    from services.domain.split import plan_split

    plan_split(*instance(20, 0), time_limit=0.3)  # load highspy and numpy first
    rows, loads = [], {}
    for size in args.sizes:
        n, k = (int(v) for v in size.split("x"))
        before = load()
        for seed in range(args.seeds):
            rows.append(compare(measure(n, k, seed, args.limit), optima))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
        loads[f"{n} × {k}"] = f"{before} → {load()}"
    header = (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, "
        f"code: {args.code or ROOT}, time limit {args.limit} s."
    )
    if args.rows:
        args.rows.write_text(json.dumps({"header": header, "loads": loads, "rows": rows}))
    _report(rows, loads, header, args.write)


def _report(
    rows: list[dict[str, object]], loads: dict[str, str], header: str, write: Path | None
) -> None:
    text = header + "\n\n" + summary(rows, loads) + "\n\n" + table(rows) + "\n"
    if write:
        write.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
