"""The embedded PostgreSQL is stopped by whoever started it: a test session that started it
stops it at its end; a server that was already running (``kulakan db start``) is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures_db import ROOT


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KULAKAN_")}
    env.update(KULAKAN_DATA_DIR=str(data_dir), KULAKAN_TEST_DATA_DIR=str(data_dir))
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def kulakan_db(data_dir: Path, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "db", command],
        cwd=ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_test_session(data_dir: Path) -> subprocess.CompletedProcess:
    """A whole pytest session on the embedded server (one test that reaches it)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "tests/integration/test_database.py::test_the_test_server_is_reachable",
        ],
        cwd=ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_session_stops_the_server_it_started_and_leaves_one_already_running(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    assert kulakan_db(data_dir, "status").returncode == 3  # nothing runs yet
    run = run_test_session(data_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (data_dir / "pg" / "PG_VERSION").exists()  # the session did start it...
    status = kulakan_db(data_dir, "status")
    assert (status.returncode, status.stdout.strip()[-11:]) == (3, "not running")  # ...and stop it

    started = kulakan_db(data_dir, "start")  # kept by hand this time
    assert started.returncode == 0, started.stderr
    try:
        run = run_test_session(data_dir)
        assert run.returncode == 0, run.stdout + run.stderr
        assert kulakan_db(data_dir, "status").returncode == 0  # still running after the session
    finally:
        stopped = kulakan_db(data_dir, "stop")
    assert "stopped" in stopped.stdout
    assert kulakan_db(data_dir, "status").returncode == 3
