"""HiGHS set up the split's way: quiet, to a relative gap, and held to a wall deadline.

HiGHS checks its time limit and interrupt callbacks only between steps; presolve, a cut
round or setting up the root LP can run tens of milliseconds (hundreds on a busy machine)
past a deadline. So the solve runs in a thread of its own (HiGHS releases the GIL) and the
split waits for it only until the deadline: the best point and the bound come from HiGHS's
callbacks as they improve, and a solve still running then is told to stop and left to
unwind on its own."""

from __future__ import annotations

import atexit
import math
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # imported at run time where a MIP is solved
    import highspy


_unwinding: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


@atexit.register
def _join_unwinding_solvers() -> None:
    """A solver left to unwind must end before the interpreter does (HiGHS aborts the
    process if its thread is torn down mid-solve); told to stop, it ends within moments."""
    for thread in list(_unwinding):
        thread.join(timeout=10)


def new_highs(gap: float) -> highspy.Highs:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", gap)
    return h


@dataclass
class Outcome:
    """The best point HiGHS found (column values of the model passed), the lower bound it
    proved (model units; None before it had one), and whether it proved optimality."""

    solution: npt.NDArray[np.float64] | None = None
    bound: float | None = None
    optimal: bool = False
    infeasible: bool = False
    objective: float | None = None  # of an LP solved to optimality
    reduced_costs: npt.NDArray[np.float64] | None = None  # likewise
    _stop: threading.Event = field(default_factory=threading.Event)

    def note_bound(self, bound: float) -> None:
        if math.isfinite(bound) and (self.bound is None or bound > self.bound):
            self.bound = bound


def run_until(h: highspy.Highs, deadline: float | None) -> Outcome:
    """Solve the MIP passed to ``h`` until it ends or the deadline passes."""
    import highspy

    out = Outcome()
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            return out
        h.setOptionValue("time_limit", left)

    def interrupt(event: highspy.HighsCallbackEvent) -> None:
        if out._stop.is_set() or (deadline is not None and time.perf_counter() >= deadline):
            event.interrupt()

    def on_mip(event: highspy.HighsCallbackEvent) -> None:
        out.note_bound(float(event.data_out.mip_dual_bound))
        interrupt(event)

    def improved(event: highspy.HighsCallbackEvent) -> None:
        out.solution = np.array(event.data_out.mip_solution, dtype=float)
        out.note_bound(float(event.data_out.mip_dual_bound))

    h.cbSimplexInterrupt.subscribe(interrupt)
    h.cbIpmInterrupt.subscribe(interrupt)
    h.cbMipInterrupt.subscribe(on_mip)
    h.cbMipImprovingSolution.subscribe(improved)
    solver = threading.Thread(target=h.run, name="split-highs", daemon=True)
    solver.start()
    solver.join(None if deadline is None else max(0.0, deadline - time.perf_counter()))
    if solver.is_alive():
        out._stop.set()  # it stops at its next check; the split does not wait
        _unwinding.add(solver)
        return out
    status = h.getModelStatus()
    info = h.getInfo()
    out.infeasible = status == highspy.HighsModelStatus.kInfeasible
    out.optimal = status == highspy.HighsModelStatus.kOptimal
    out.note_bound(float(info.mip_dual_bound))
    if info.primal_solution_status == 2:
        solution = h.getSolution()
        out.solution = np.asarray(solution.col_value, dtype=float)
        if out.optimal and solution.dual_valid:
            out.objective = float(info.objective_function_value)
            out.reduced_costs = np.asarray(solution.col_dual, dtype=float)
    return out
