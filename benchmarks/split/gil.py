"""Does the split block an asyncio event loop? A ticker asks to run every millisecond while
a 200 × 5 split (about one second) runs on the loop itself, then in a worker thread.

    .venv/bin/python benchmarks/split/gil.py [--seed 0]

HiGHS releases the GIL while it solves, so in a thread the loop keeps ticking; only the
split's Python parts (greedy start, model building, read-back) share the GIL with it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import instance

from services.domain.split import plan_split


async def measure(label: str, work) -> None:
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    gaps.clear()
    started = time.perf_counter()
    await work()
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    gaps.sort()
    print(
        f"| {label} | {elapsed:.2f} | {len(gaps) / elapsed:.0f} | "
        f"{gaps[len(gaps) // 2] * 1000:.1f} | {gaps[int(len(gaps) * 0.99)] * 1000:.1f} | "
        f"{gaps[-1] * 1000:.1f} |"
    )


async def main(seed: int) -> None:
    demand, quotes = instance(200, seed)
    plan_split(demand, quotes, time_limit=0.1)  # load highspy and numpy first

    async def on_the_loop() -> None:
        plan_split(demand, quotes)
        await asyncio.sleep(0)

    print("| where | s | ticks/s | median gap ms | p99 gap ms | longest gap ms |")
    print("|---|---|---|---|---|---|")
    await measure("nothing running (1 s)", lambda: asyncio.sleep(1.0))
    await measure("200 × 5 split on the event loop", on_the_loop)
    await measure(
        "200 × 5 split in asyncio.to_thread", lambda: asyncio.to_thread(plan_split, demand, quotes)
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    asyncio.run(main(parser.parse_args().seed))
