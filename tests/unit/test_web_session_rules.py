"""The console's sign-in rules: lockout, session expiry, password policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.domain.web_session import (
    Account,
    Verdict,
    after_failure,
    after_success,
    needs_touch,
    password_problems,
    session_alive,
    session_expires_at,
    sign_in_verdict,
)

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def test_the_fifth_failure_in_a_row_locks_for_15_minutes():
    account = Account()
    for n in range(1, 5):
        result = after_failure(account, NOW)
        assert (result.failed_attempts, result.locked_until) == (n, None)
        account = Account(failed_attempts=result.failed_attempts)
    locked = after_failure(account, NOW)
    assert locked.failed_attempts == 5 and locked.locked_until == NOW + timedelta(minutes=15)


def test_a_locked_account_is_refused_until_the_lock_ends():
    account = Account(failed_attempts=5, locked_until=NOW + timedelta(minutes=15))
    assert sign_in_verdict(account, NOW) is Verdict.LOCKED
    assert sign_in_verdict(account, NOW + timedelta(minutes=14, seconds=59)) is Verdict.LOCKED
    assert sign_in_verdict(account, NOW + timedelta(minutes=15)) is Verdict.ALLOWED


def test_after_a_lock_runs_out_the_count_starts_again():
    account = Account(failed_attempts=5, locked_until=NOW)
    result = after_failure(account, NOW + timedelta(seconds=1))
    assert (result.failed_attempts, result.locked_until) == (1, None)


def test_success_clears_the_count_and_disabled_stays_refused():
    assert (after_success().failed_attempts, after_success().locked_until) == (0, None)
    assert sign_in_verdict(Account(disabled=True), NOW) is Verdict.DISABLED
    assert sign_in_verdict(Account(failed_attempts=4), NOW) is Verdict.ALLOWED


def test_a_session_lives_12_idle_hours_and_at_most_7_days():
    assert session_expires_at(NOW, NOW) == NOW + timedelta(hours=12)
    assert session_alive(NOW, NOW, NOW + timedelta(hours=11, minutes=59))
    assert not session_alive(NOW, NOW, NOW + timedelta(hours=12))
    seen = NOW + timedelta(days=6, hours=23)
    assert session_expires_at(NOW, seen) == NOW + timedelta(days=7)
    assert not session_alive(NOW, seen, NOW + timedelta(days=7))


def test_the_idle_timer_is_written_at_most_once_a_minute():
    assert not needs_touch(NOW, NOW + timedelta(seconds=59))
    assert needs_touch(NOW, NOW + timedelta(minutes=1))


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("kopi-susu-pagi", []),
        ("pendek", ["too_short"]),
        ("x" * 201, ["too_long", "one_character"]),
        ("aaaaaaaaaaaa", ["one_character"]),
        ("081234567890", ["is_phone"]),
        ("+62 812 3456 7890", ["is_phone"]),
        ("Sari Wulandari", ["is_name"]),
        ("sari081234567890", []),  # contains the number, is not just the number
    ],
)
def test_password_policy(password, problems):
    assert password_problems(password, phone="6281234567890", name="sari wulandari") == problems
