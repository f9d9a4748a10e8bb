"""The split's wall-clock budget: one deadline for everything, the plan building included.

What is left after the solvers (reading the solution back, comparing plans, building the
plan) is CPU work proportional to the offers; on a busy machine it takes longer in wall
time, so the reserve for it grows with the slowdown seen on the split's own Python work
(wall time over this thread's CPU time)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# CPU seconds of the work after the solvers (reading the solution back, comparing plans,
# building the plan): measured 0.02–0.03 s at 1,000 products × 10 suppliers (6,500
# offers), kept with a margin
_RESERVE_BASE_S = 0.01
_RESERVE_PER_OFFER_S = 6e-6
# the split leaves a solver at the deadline, but its thread may hold the GIL a while
# longer to report a last solution
_SOLVER_STOP_S = 0.02
_MAX_SLOWDOWN = 10.0


@dataclass
class Clock:
    limit: float | None  # seconds of wall time for the whole split; None: no limit
    offers: int = 0
    started: float = field(default_factory=time.perf_counter)
    cpu_started: float = field(default_factory=time.thread_time)
    slowdown: float = 1.0

    def sample(self) -> None:
        """Note the slowdown so far; call only after pure-Python work (a solver may run
        threads of its own, whose CPU time this thread does not see)."""
        wall = time.perf_counter() - self.started
        cpu = time.thread_time() - self.cpu_started
        if cpu > 0.005:
            self.slowdown = min(_MAX_SLOWDOWN, max(1.0, wall / cpu))

    def end(self) -> float | None:
        """When the solvers must have stopped, so that the plan is ready by the limit."""
        if self.limit is None:
            return None
        reserve = _RESERVE_BASE_S + _RESERVE_PER_OFFER_S * self.offers + _SOLVER_STOP_S
        return self.started + self.limit - reserve * self.slowdown

    def left(self) -> float:
        end = self.end()
        return float("inf") if end is None else end - time.perf_counter()

    def model_cost(self, per_offer: float) -> float:
        """Wall seconds a model needs to be built and reach a first bound: ``per_offer`` CPU
        seconds per offer, slowed down as the split's own work is."""
        return (0.02 + per_offer * self.offers) * self.slowdown
