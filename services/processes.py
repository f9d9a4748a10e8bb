"""kulakan's own commands as processes, for the demo and the tests: a free port, starting
``python -m services.cli …``, waiting for a URL to answer, and stopping."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 90.0) -> None:
    """Until ``url`` answers 200; RuntimeError after ``seconds`` (generous: on a busy two-core
    machine importing the app alone has taken 14 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s")


def start(
    command: list[str], *, env: Mapping[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """``python -m services.cli <command>`` from the repository; its output goes to ``log``
    (discarded without one)."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        return subprocess.Popen(
            [sys.executable, "-m", "services.cli", *command],
            cwd=ROOT,
            env=None if env is None else dict(env),
            stdout=out,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        )


def stop(*procs: subprocess.Popen[bytes], seconds: float = 10.0) -> None:
    """Ask each process to end, then kill what has not ended after ``seconds``."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def running(
    commands: list[list[str]], *, env: Mapping[str, str] | None = None, logs: Path | None = None
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """The commands as processes for the ``with`` block; each one's output goes to
    ``logs/<command>.log`` (discarded without ``logs``)."""
    procs: list[subprocess.Popen[bytes]] = []
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
    try:
        for command in commands:
            procs.append(start(command, env=env, log=logs / f"{command[0]}.log" if logs else None))
        yield procs
    finally:
        stop(*procs)
