"""Prometheus metrics at ``/metrics``, right across server processes.

``kulakan serve --workers N`` runs N processes behind one port, and a scrape reaches any one
of them. So the server points ``PROMETHEUS_MULTIPROC_DIR`` at a folder before any worker
starts: each process writes its counters to its own files there, and ``/metrics`` in any
process adds up every process's files (prometheus-client's multiprocess mode, which
Litestar's controller uses when the variable is set). A process that stops marks its files
dead, so its in-progress gauge leaves the sum while its counts stay in it.

prometheus-client picks its storage when first imported, so this module imports it only
inside functions: the server process sets the variable before anything imports it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def prepare_shared_metrics() -> Path:
    """Before the server's processes start: the folder they share, emptied of an earlier run's
    files (``PROMETHEUS_MULTIPROC_DIR`` when set, else a new temporary one), named in the
    environment the processes inherit."""
    given = os.environ.get(MULTIPROC_DIR)
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="kulakan-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_DIR] = str(folder)
    return folder


def process_stopped() -> None:
    """This process is ending: its live gauges leave the shared sum."""
    if os.environ.get(MULTIPROC_DIR):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())
