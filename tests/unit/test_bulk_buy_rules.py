"""Bulk-buy rules without a database: the life cycle, what blocks approval, how many
approvals are needed, the stored approvals, and a build's claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.errors import Conflict, IllegalTransition, RuleViolation
from services.domain.bulk_buy import (
    Action,
    Approval,
    BulkBuyStatus,
    ClaimedVersions,
    LineState,
    approvals_needed,
    blocking_lines,
    check_claim_held,
    check_cycle_quotable,
    check_override,
    decide_approval,
    decode_approvals,
    encode_approvals,
    is_blocking,
    move,
    stale_claims_before,
)

NOW = datetime(2026, 11, 24, 3, tzinfo=UTC)
ALL = list(BulkBuyStatus)

ALLOWED = {
    Action.QUOTE: {"draft": "draft", "proposed": "draft"},
    Action.PROPOSE: {"draft": "proposed"},
    Action.CHANGE_LINES: {"proposed": "proposed"},
    Action.REJECT: {"proposed": "rejected"},
    Action.ORDER: {"approved": "ordered"},
}


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("current", ALL)
def test_every_move_goes_where_the_life_cycle_says_or_is_refused_naming_the_state(action, current):
    target = ALLOWED[action].get(current)
    if target is not None:
        assert move(current, action) == target
        return
    with pytest.raises(IllegalTransition) as refused:
        move(current, action)
    assert isinstance(refused.value, Conflict)
    assert refused.value.current == current
    assert refused.value.extra["current_state"] == current
    assert f"bulk buy is {current}; cannot {action.words}" == refused.value.detail


def test_a_stored_state_from_the_database_is_a_plain_string():
    assert move("proposed", Action.REJECT) is BulkBuyStatus.REJECTED


@pytest.mark.parametrize("status", ["closed", "consolidated"])
def test_a_bulk_buy_is_built_from_a_closed_or_consolidated_cycle(status):
    check_cycle_quotable(status)


@pytest.mark.parametrize("status", ["scheduled", "open", "settled"])
def test_a_cycle_before_its_cut_off_or_settled_is_not_quoted(status):
    with pytest.raises(IllegalTransition) as refused:
        check_cycle_quotable(status)
    assert refused.value.entity == "order cycle" and refused.value.current == status


@pytest.mark.parametrize(
    ("flags", "dropped", "override", "blocks"),
    [
        ([], False, None, False),
        (["NO_MARKET_REFERENCE"], False, None, True),
        (["MARGIN_SQUEEZED", "ABOVE_HET"], False, "", True),  # an empty reason is no reason
        (["SHORT"], True, None, False),
        (["SHORT"], False, "harga wajar", False),
    ],
)
def test_a_flagged_line_blocks_until_dropped_or_overridden(flags, dropped, override, blocks):
    assert is_blocking(flags, dropped, override) is blocks
    line = LineState("TELUR", flags, dropped, override)
    assert blocking_lines([line]) == ([line] if blocks else [])


def test_only_a_flagged_line_can_be_overridden():
    check_override(["MARGIN_SQUEEZED"])
    with pytest.raises(RuleViolation):
        check_override([])


@pytest.mark.parametrize(
    ("total", "threshold", "needed"),
    [(0, 10_000_000, 1), (10_000_000, 10_000_000, 1), (10_000_001, 10_000_000, 2)],
)
def test_above_the_threshold_two_coordinators_must_approve(total, threshold, needed):
    assert approvals_needed(total, threshold) == needed


def test_approvals_decode_from_text_or_from_the_drivers_list_and_round_trip():
    stored = '[{"key_id": 7, "at": "2026-11-24T03:00:00+00:00"}]'
    expected = [Approval(key_id=7, at=NOW)]
    assert decode_approvals(stored) == expected
    assert decode_approvals([{"key_id": 7, "at": "2026-11-24T03:00:00+00:00"}]) == expected
    assert decode_approvals(None) == [] and decode_approvals("[]") == []
    assert decode_approvals(encode_approvals(expected)) == expected


def approve(approvals=(), lines=(), total=1_000, threshold=5_000, key_id=1, status="proposed"):
    return decide_approval(
        status=status,
        approvals=list(approvals),
        lines=list(lines),
        total_idr=total,
        second_approval_threshold_idr=threshold,
        key_id=key_id,
        now=NOW,
    )


def test_one_approval_below_the_threshold_approves():
    decision = approve()
    assert decision.status == BulkBuyStatus.APPROVED
    assert decision.approvals == (Approval(key_id=1, at=NOW),)
    assert move(decision.status, Action.ORDER) == BulkBuyStatus.ORDERED


def test_above_the_threshold_the_first_approval_waits_for_a_different_second():
    first = approve(total=9_000)
    assert first.status == BulkBuyStatus.PROPOSED and len(first.approvals) == 1
    with pytest.raises(RuleViolation, match="different coordinator"):
        approve(first.approvals, total=9_000, key_id=1)
    second = approve(first.approvals, total=9_000, key_id=2)
    assert second.status == BulkBuyStatus.APPROVED
    assert [a.key_id for a in second.approvals] == [1, 2]


def test_blocking_lines_refuse_approval_and_name_each_line():
    lines = [
        LineState("CBI-MRH", [], False, None),
        LineState("TELUR", ["NO_MARKET_REFERENCE"], False, None),
        LineState("BRS", ["MARGIN_SQUEEZED", "ABOVE_HET"], False, None),
        LineState("GULA", ["SHORT"], True, None),
    ]
    with pytest.raises(RuleViolation) as refused:
        approve(lines=lines)
    assert [(e.pointer, e.detail) for e in refused.value.errors] == [
        ("/lines/TELUR", "NO_MARKET_REFERENCE"),
        ("/lines/BRS", "MARGIN_SQUEEZED, ABOVE_HET"),
    ]


@pytest.mark.parametrize("status", ["draft", "approved", "ordered", "rejected"])
def test_only_a_proposed_bulk_buy_is_approved(status):
    with pytest.raises(IllegalTransition) as refused:
        approve(status=status, lines=[LineState("TELUR", ["SHORT"], False, None)])
    assert refused.value.current == status  # the state is checked before the lines


def test_a_claim_holds_while_nothing_changed():
    check_claim_held(ClaimedVersions(bulk_buy_version=4, cycle_version=9), "draft", 4, 9)


@pytest.mark.parametrize(
    ("bulk_buy_version", "cycle_version", "words"),
    [(5, 9, "version 4, now 5"), (4, 10, "order cycle changed")],
)
def test_a_claim_changed_by_someone_else_is_a_conflict(bulk_buy_version, cycle_version, words):
    with pytest.raises(Conflict) as refused:
        check_claim_held(
            ClaimedVersions(bulk_buy_version=4, cycle_version=9),
            "proposed",
            bulk_buy_version,
            cycle_version,
        )
    assert words in refused.value.detail
    assert refused.value.extra["current_state"] == "proposed"


def test_a_claim_is_stale_a_minute_after_the_quote_deadline():
    assert stale_claims_before(NOW, 20.0) == NOW - timedelta(seconds=80)
