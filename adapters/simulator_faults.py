"""The faults every supplier simulator can inject, and the gate that applies them to a request:
latency, a burst of 429s with Retry-After, and random 503s."""

from __future__ import annotations

import asyncio
import random

import msgspec


class Faults(msgspec.Struct, kw_only=True):
    latency_ms: int = 0
    error_rate: float = 0.0  # share of requests answered 503
    burst_429: int = 0  # the next N requests get 429 with Retry-After
    retry_after_seconds: int = 1
    hang_ms: int = 0  # order placement waits this long (longer than a client's time-out)
    fail_first: int = 0  # the first N order attempts get 503
    partial_fill: float = 1.0  # delivered share of each line
    out_of_order: bool = False


class Refusal(msgspec.Struct, frozen=True):
    """A fault's answer: the simulator shapes its body (JSON or text)."""

    status_code: int
    message: str
    headers: dict[str, str] = {}


async def gate(faults: Faults, rnd: random.Random) -> Refusal | None:
    """Apply latency and random or burst faults to one request (None: let it through)."""
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    if faults.burst_429 > 0:
        faults.burst_429 -= 1
        return Refusal(429, "slow down", {"Retry-After": str(faults.retry_after_seconds)})
    if faults.error_rate and rnd.random() < faults.error_rate:
        return Refusal(503, "temporarily unavailable")
    return None
