"""What the restock benchmark reads from /proc about the processes it runs (for run.py)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from pathlib import Path

import asyncpg


def worker_pids(proc: subprocess.Popen[bytes]) -> list[int]:
    """The server's worker processes (Granian forks them from the process we started)."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time each process has used (from /proc/<pid>/stat)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between the two readings; a process that started between counts whole."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


class WaitSampler:
    """What the database's busy backends wait on, sampled every 50 ms while wrk runs
    (``pg_stat_activity`` joined with the ungranted ``pg_locks``)."""

    QUERY = """
        SELECT coalesce(a.wait_event_type || ':' || a.wait_event, 'on CPU') AS wait,
               coalesce(l.locktype, '') AS lock,
               coalesce((regexp_match(a.query, '^[[:space:]]*([[:alpha:]]+)'))[1], '') AS verb
        FROM pg_stat_activity a
        LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
        WHERE a.datname = $1 AND a.state = 'active' AND a.backend_type = 'client backend'
          AND a.pid <> pg_backend_pid()
    """

    def __init__(self, dsn: str, database: str) -> None:
        self.dsn, self.database = dsn, database
        self.counts: dict[str, int] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            while not self._stop.is_set():
                for r in await conn.fetch(self.QUERY, self.database):
                    key = f"{r['wait']} {r['lock']} {r['verb']}".replace("  ", " ").strip()
                    self.counts[key] = self.counts.get(key, 0) + 1
                self.samples += 1
                await asyncio.sleep(0.05)
        finally:
            await conn.close()

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
