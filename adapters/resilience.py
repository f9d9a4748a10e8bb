"""Retries and a circuit breaker for HTTP supplier adapters.

Retry on time-outs, connection errors, 5xx and 429 (honouring ``Retry-After``), with jittered
exponential back-off; never on other 4xx. A breaker per supplier fails fast while a supplier
is down and lets one call through after a cool-down.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from contracts.errors import SupplierError

T = TypeVar("T")
MAX_RETRY_AFTER = 60.0
KEPT_WAITS = 100


class RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"{response.status_code} from supplier")
        self.response = response


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, httpx.TimeoutException | httpx.TransportError | RetryableStatus)


class CircuitBreaker:
    def __init__(
        self,
        failures: int = 5,
        cool_down: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = failures
        self.cool_down = cool_down
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.cool_down else "open"

    def before(self) -> None:
        if self.state == "open":
            raise SupplierError("supplier circuit open: failing fast", retryable=True)

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def failure(self) -> None:
        self.failures += 1
        if self.state == "half_open" or self.failures >= self.threshold:
            self.opened_at = self.clock()


class ResilientCaller:
    """Runs an HTTP call with retries inside a circuit breaker; returns the response of the
    first attempt that is neither a retryable status nor a transport failure."""

    def __init__(
        self,
        *,
        attempts: int = 4,
        breaker: CircuitBreaker | None = None,
        wait: Callable[[RetryCallState], float] | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
    ) -> None:
        self.attempts = attempts
        self.breaker = breaker or CircuitBreaker()
        self._wait = wait or wait_exponential_jitter(multiplier=0.5, max=10.0)
        self._sleep = sleep
        # what the latest retries waited, for tests and logs (bounded: one caller lives as
        # long as its supplier's adapter)
        self.waits: list[float] = []

    def _wait_for(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus):
            hinted = retry_after_seconds(exc.response)
            if hinted is not None:
                return self._noted(hinted)
        return self._noted(self._wait(state))

    def _noted(self, seconds: float) -> float:
        self.waits.append(seconds)
        del self.waits[:-KEPT_WAITS]
        return seconds

    async def call(self, send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        self.breaker.before()
        kwargs: dict[str, Any] = {}
        if self._sleep is not None:
            kwargs["sleep"] = self._sleep
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait_for,
            retry=retry_if_exception(_retryable),
            reraise=True,
            **kwargs,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await send()
                    if response.status_code == 429 or response.status_code >= 500:
                        raise RetryableStatus(response)
        except RetryableStatus as exc:
            self.breaker.failure()
            raise SupplierError(str(exc), retryable=True) from exc
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            self.breaker.failure()
            raise SupplierError(
                f"supplier unreachable: {type(exc).__name__}", retryable=True
            ) from exc
        self.breaker.success()
        return response
