"""Bulk buys: their life cycle and the rules of review and approval.

::

    draft (quoting) → proposed (split + prices) → approved → ordered
    draft | proposed → draft          (quote again)
    proposed → rejected

A bulk buy is ``draft`` while its quotes are being gathered; building it again first claims it
back into ``draft``. Approval counts coordinators: above the satker's threshold two different
ones must approve. The last approval orders it in the same step, so ``approved`` is passed
through, never stored. A line flagged by the split or by pricing blocks approval until it is
dropped or overridden with a reason.

Every move is checked here; an illegal one is refused with ``IllegalTransition`` (a 409 naming
the current state).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contracts.errors import Conflict, FieldError, IllegalTransition, RuleViolation


class BulkBuyStatus(enum.StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    APPROVED = "approved"
    ORDERED = "ordered"
    REJECTED = "rejected"


class Action(enum.Enum):
    """What someone asks of a bulk buy: (the words for a refusal, the states that allow it)."""

    QUOTE = ("quote it again", frozenset({BulkBuyStatus.DRAFT, BulkBuyStatus.PROPOSED}))
    PROPOSE = ("propose it", frozenset({BulkBuyStatus.DRAFT}))
    CHANGE_LINES = ("change its lines", frozenset({BulkBuyStatus.PROPOSED}))
    APPROVE = ("approve it", frozenset({BulkBuyStatus.PROPOSED}))
    REJECT = ("reject it", frozenset({BulkBuyStatus.PROPOSED}))
    ORDER = ("order it", frozenset({BulkBuyStatus.APPROVED}))

    @property
    def words(self) -> str:
        return self.value[0]

    @property
    def allowed_from(self) -> frozenset[BulkBuyStatus]:
        return self.value[1]


_TARGET = {
    Action.QUOTE: BulkBuyStatus.DRAFT,
    Action.PROPOSE: BulkBuyStatus.PROPOSED,
    Action.CHANGE_LINES: BulkBuyStatus.PROPOSED,
    Action.REJECT: BulkBuyStatus.REJECTED,
    Action.ORDER: BulkBuyStatus.ORDERED,
    # APPROVE: proposed (more approvals needed) or approved; see decide_approval
}


def check_move(current: str, action: Action) -> None:
    """Refuse ``action`` on a bulk buy in state ``current`` unless the life cycle allows it."""
    if current not in action.allowed_from:
        raise IllegalTransition("bulk buy", current, action.words)


def move(current: str, action: Action) -> BulkBuyStatus:
    """The state after ``action`` (any action but APPROVE, whose outcome counts approvals)."""
    check_move(current, action)
    return _TARGET[action]


# Cycles a bulk buy may be built from: closed at the cut-off, or already consolidated (again).
QUOTABLE_CYCLE_STATES = frozenset({"closed", "consolidated"})


def check_cycle_quotable(cycle_status: str) -> None:
    if cycle_status not in QUOTABLE_CYCLE_STATES:
        raise IllegalTransition("order cycle", cycle_status, "consolidate it before its cut-off")


# ---------------------------------------------------------------- claims


@dataclass(frozen=True, slots=True)
class ClaimedVersions:
    """What a build saw when it claimed the bulk buy for quoting."""

    bulk_buy_version: int
    cycle_version: int


def check_claim_held(
    claimed: ClaimedVersions, bulk_buy_status: str, bulk_buy_version: int, cycle_version: int
) -> None:
    """Before a build writes what it quoted: nobody changed the bulk buy or its cycle since
    the claim (another build claimed it again, or it was edited). Otherwise a 409: the other
    change stands and this build's result is not written over it."""
    if bulk_buy_version != claimed.bulk_buy_version:
        what = (
            "the bulk buy changed while its quotes were gathered"
            f" (version {claimed.bulk_buy_version}, now {bulk_buy_version})"
        )
    elif cycle_version != claimed.cycle_version:
        what = "its order cycle changed while the quotes were gathered"
    else:
        return
    raise Conflict(
        f"{what}; these quotes were not stored: build it again",
        extra={"current_state": bulk_buy_status, "current_version": bulk_buy_version},
    )


def stale_claims_before(now: datetime, quote_deadline_seconds: float) -> datetime:
    """A draft claimed before this moment belongs to a build that died (quoting is bounded by
    the quote deadline; the split by a second); another build may take it over."""
    return now - timedelta(seconds=quote_deadline_seconds + 60)


# ---------------------------------------------------------------- review


@dataclass(frozen=True, slots=True)
class LineState:
    sku: str
    flags: Sequence[str]
    dropped: bool
    override_reason: str | None


def is_blocking(flags: Sequence[str], dropped: bool, override_reason: str | None) -> bool:
    """A flagged line blocks approval until it is dropped or overridden with a reason."""
    return bool(flags) and not dropped and not override_reason


def blocking_lines(lines: Iterable[LineState]) -> list[LineState]:
    return [ln for ln in lines if is_blocking(ln.flags, ln.dropped, ln.override_reason)]


def check_override(
    flags: Sequence[str], retail_price_idr: int | None = None, het_idr: int | None = None
) -> None:
    """An override accepts a flagged line with a reason, and may set its retail price (flagged
    or not); a price above the HET (the legal ceiling) is refused whatever the reason."""
    if retail_price_idr is None:
        if not flags:
            raise RuleViolation("this line has no flag to override")
        return
    if het_idr is not None and retail_price_idr > het_idr:
        raise RuleViolation(
            f"the retail price may not exceed the HET of {het_idr} rupiah",
            errors=[FieldError("/retail_price_idr", f"at most {het_idr}")],
        )


def approvals_needed(total_idr: int, second_approval_threshold_idr: int) -> int:
    """Above the satker's threshold a second coordinator must approve too."""
    return 2 if total_idr > second_approval_threshold_idr else 1


@dataclass(frozen=True, slots=True)
class Approval:
    key_id: int  # the API key that approved; 0 for a person in the console
    at: datetime
    user_id: int | None = None  # the console user who approved

    @property
    def approver(self) -> tuple[int, int | None]:
        return (self.key_id, self.user_id)


def decode_approvals(stored: str | list[dict[str, Any]] | None) -> list[Approval]:
    """The approvals column as stored (JSON text, or already decoded by the driver)."""
    items = json.loads(stored) if isinstance(stored, str) else (stored or [])
    return [
        Approval(
            key_id=int(a["key_id"]),
            at=_instant(a["at"]),
            user_id=int(a["user_id"]) if a.get("user_id") is not None else None,
        )
        for a in items
    ]


def encode_approvals(approvals: Iterable[Approval]) -> str:
    return json.dumps(
        [
            {"key_id": a.key_id, "at": a.at.isoformat()}
            | ({"user_id": a.user_id} if a.user_id is not None else {})
            for a in approvals
        ]
    )


def _instant(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


@dataclass(frozen=True, slots=True)
class ApprovalDecision:
    status: BulkBuyStatus  # PROPOSED (waiting for another coordinator) or APPROVED
    approvals: tuple[Approval, ...]


def decide_approval(
    *,
    status: str,
    approvals: Sequence[Approval],
    lines: Iterable[LineState],
    total_idr: int,
    second_approval_threshold_idr: int,
    key_id: int,
    now: datetime,
    user_id: int | None = None,
) -> ApprovalDecision:
    """One coordinator's approval: refused while flagged lines block it or when this
    coordinator already approved; approved once enough different coordinators have."""
    check_move(status, Action.APPROVE)
    blocking = blocking_lines(lines)
    if blocking:
        raise RuleViolation(
            "flagged lines block approval: re-source, drop or override them with a reason",
            errors=[FieldError(f"/lines/{ln.sku}", ", ".join(ln.flags)) for ln in blocking],
        )
    approval = Approval(key_id=key_id, at=now, user_id=user_id)
    if any(a.approver == approval.approver for a in approvals):
        raise RuleViolation("a second approval must come from a different coordinator")
    given = (*approvals, approval)
    needed = approvals_needed(total_idr, second_approval_threshold_idr)
    return ApprovalDecision(
        status=BulkBuyStatus.APPROVED if len(given) >= needed else BulkBuyStatus.PROPOSED,
        approvals=given,
    )
