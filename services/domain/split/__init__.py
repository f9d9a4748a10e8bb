"""The supplier split: how many packs of each product to buy from whom, at the lowest total
landed cost.

A mixed-integer programme solved with HiGHS:

- one integer variable per (offer, tier) with a binary "this tier is the one reached", so a
  tier's price applies to every pack (all-units discounts); each tier's variable is bounded
  by its own range ``[max(tier min, MOQ), min(next tier min − 1, stock)]`` — the tight form
  that lets the solver prune;
- a binary per supplier, paying its delivery fee once and enforcing its minimum order value;
- coverage per product: round up (cover the demand, hold the surplus) or round down (never
  exceed it, back-order the rest), with an uncovered-quantity slack at a penalty so the model
  is always feasible and tells *why* demand went uncovered.

Round up buys surplus only to reach a cheaper tier or the MOQ, never to pad an order up to a
minimum order value.

The warm start is the better of a careful greedy and a Lagrangian heuristic that reaches
minimum order values (the greedy's weak spot: it can only give up on such a supplier). The
greedy is also the fallback when HiGHS fails or has found nothing by the time limit, which
holds for the whole split, model building included. Money is integer rupiah: pack counts
come back as floats from the solver, are rounded, and every amount is recomputed from
integers.
"""

from services.domain.split.base import (
    Allocation,
    PackPolicy,
    ProductOutcome,
    SplitFlag,
    SplitPlan,
    SupplierTotal,
)
from services.domain.split.plan import plan_split

__all__ = [
    "Allocation",
    "PackPolicy",
    "ProductOutcome",
    "SplitFlag",
    "SplitPlan",
    "SupplierTotal",
    "plan_split",
]
