"""The rules of human sign-in to the console: lockout after failed attempts, session expiry
(idle and absolute), and the password policy. Pure: the caller passes ``now``.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import msgspec

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(hours=12)
ABSOLUTE_LIFETIME = timedelta(days=7)
# last_seen_at is written at most this often, so reading pages does not write on every request
TOUCH_EVERY = timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


class Account(msgspec.Struct, frozen=True, kw_only=True):
    """What sign-in needs to know of a user."""

    failed_attempts: int = 0
    locked_until: datetime | None = None
    disabled: bool = False


class Verdict(enum.StrEnum):
    ALLOWED = "allowed"  # check the password
    LOCKED = "locked"
    DISABLED = "disabled"


class AttemptResult(msgspec.Struct, frozen=True, kw_only=True):
    failed_attempts: int
    locked_until: datetime | None


def is_locked(account: Account, now: datetime) -> bool:
    return account.locked_until is not None and now < account.locked_until


def sign_in_verdict(account: Account, now: datetime) -> Verdict:
    """Whether a sign-in may even check a password: a disabled account stays refused, a locked
    one is refused until its lock ends (and the attempt does not extend it)."""
    if account.disabled:
        return Verdict.DISABLED
    if is_locked(account, now):
        return Verdict.LOCKED
    return Verdict.ALLOWED


def after_failure(account: Account, now: datetime) -> AttemptResult:
    """One more wrong password. The fifth in a row locks the account for 15 minutes; a lock
    that has run out starts the count again."""
    previous = (
        0 if (account.locked_until and now >= account.locked_until) else account.failed_attempts
    )
    failed = previous + 1
    if failed >= MAX_FAILED_ATTEMPTS:
        return AttemptResult(failed_attempts=failed, locked_until=now + LOCKOUT)
    return AttemptResult(failed_attempts=failed, locked_until=None)


def after_success() -> AttemptResult:
    return AttemptResult(failed_attempts=0, locked_until=None)


def session_expires_at(created_at: datetime, last_seen_at: datetime) -> datetime:
    """12 hours after the last request, and never beyond 7 days after sign-in."""
    return min(last_seen_at + IDLE_TIMEOUT, created_at + ABSOLUTE_LIFETIME)


def session_alive(created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
    return now < session_expires_at(created_at, last_seen_at)


def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= TOUCH_EVERY


def password_problems(password: str, *, phone: str = "", name: str = "") -> list[str]:
    """What is wrong with a new password, as message keys for the catalogue; empty: fine.

    The policy follows NIST SP 800-63B: a long enough secret, no composition rules, and none
    that is the user's own phone number or name, or one character repeated."""
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("too_long")
    if password and len(set(password)) == 1:
        problems.append("one_character")
    bare = "".join(c for c in password if c not in " +-.()")
    phone_digits = "".join(c for c in phone if c.isdigit())
    if bare.isdigit() and phone_digits and phone_digits.endswith(bare.lstrip("0")[-10:]):
        problems.append("is_phone")
    if name and password.strip().lower() == name.strip().lower():
        problems.append("is_name")
    return problems
