"""``kulakan serve --workers 2``: two server processes behind one port, each answering with its
own pool, and ``/metrics`` from either one counting the requests both answered."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest, multiprocess

from tests.support_process import api_server

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

LIVE = re.compile(r'kulakan_requests_total\{[^}]*path="/health/live"[^}]*status_code="200"\} (\S+)')


def live_count(text: str) -> float:
    """Requests to /health/live that a Prometheus exposition counts."""
    return sum(float(n) for n in LIVE.findall(text))


def counts_by_process(folder: Path, into: Path) -> dict[str, float]:
    """Each process's own /health/live count, read from its files alone."""
    counts: dict[str, float] = {}
    for counter in folder.glob("counter_*.db"):
        pid = counter.stem.removeprefix("counter_")
        alone = into / pid
        alone.mkdir(parents=True)
        shutil.copy(counter, alone / counter.name)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(alone))
        counts[pid] = live_count(generate_latest(registry).decode())
    return counts


def test_two_processes_serve_and_their_metrics_add_up(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    env = {"PROMETHEUS_MULTIPROC_DIR": str(folder), "KULAKAN_LOG_LEVEL": "WARNING"}
    with api_server(database_url, env, workers=2) as base:

        def hit(_: int) -> int:  # a new connection each time, so either process may take it
            return httpx.get(f"{base}/health/live", timeout=10).status_code

        sent = 0
        with ThreadPoolExecutor(8) as pool:
            while sent < 4000:  # both processes answer long before this bound
                assert set(pool.map(hit, range(200))) == {200}
                sent += 200
                if len(list(folder.glob("counter_*.db"))) == 2:
                    by_process = counts_by_process(folder, tmp_path / f"alone-{sent}")
                    if all(by_process.values()):
                        break
        exposed = live_count(httpx.get(f"{base}/metrics", timeout=10).text)
        by_process = counts_by_process(folder, tmp_path / "alone")

    assert len(by_process) == 2, "two processes answered"
    assert all(n > 0 for n in by_process.values())
    assert sum(by_process.values()) == sent
    assert exposed == sent, "/metrics in one process counts what both answered"
