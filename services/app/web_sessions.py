"""Server-side sessions of the console, in PostgreSQL so every API process sees them, and the
sign-in use case that makes them.

The browser holds a random token; the table keeps its SHA-256 as the id. Signing out deletes
the row, and so does disabling the user, so the session ends at once everywhere.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

import msgspec

from contracts.errors import InvalidInput
from services.app import users
from services.db.tx import Tx
from services.domain import web_session as rules


class Outcome(enum.StrEnum):
    SIGNED_IN = "signed_in"
    WRONG = "wrong"  # unknown phone, wrong password or disabled: one answer for all three
    LOCKED = "locked"


class SignInResult(msgspec.Struct, frozen=True, kw_only=True):
    outcome: Outcome
    token: str | None = None  # for the cookie, on SIGNED_IN
    user: users.WebUser | None = None
    locked_until: datetime | None = None


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def sign_in(
    tx: Tx, phone: str, password: str, now: datetime, user_agent: str = ""
) -> SignInResult:
    """Check a phone and password (or the setup code, before the first sign-in) under the
    lockout rule and, if right, start a session. The caller commits even a failure, so that
    failed attempts count."""
    try:
        number = users.phone_or_invalid(phone)
    except InvalidInput:  # a malformed number is just a wrong sign-in
        await users.verify_secret(None, password)
        return SignInResult(outcome=Outcome.WRONG)
    found = await users.load_account(tx, number)
    if found is None:
        await users.verify_secret(None, password)
        return SignInResult(outcome=Outcome.WRONG)
    user, account, secret_hash = found
    verdict = rules.sign_in_verdict(account, now)
    if verdict is rules.Verdict.LOCKED:
        return SignInResult(outcome=Outcome.LOCKED, locked_until=account.locked_until)
    if verdict is rules.Verdict.DISABLED:
        await users.verify_secret(None, password)
        return SignInResult(outcome=Outcome.WRONG)
    if not await users.verify_secret(secret_hash, password):
        result = rules.after_failure(account, now)
        await users.record_attempt(tx, user.id, result)
        if result.locked_until is not None:
            return SignInResult(outcome=Outcome.LOCKED, locked_until=result.locked_until)
        return SignInResult(outcome=Outcome.WRONG)
    await users.record_attempt(tx, user.id, rules.after_success())
    token = await start_session(tx, user.id, now, user_agent)
    return SignInResult(outcome=Outcome.SIGNED_IN, token=token, user=user)


async def start_session(tx: Tx, user_id: int, now: datetime, user_agent: str = "") -> str:
    token = secrets.token_urlsafe(32)
    raw = await tx.raw()
    await raw.execute(
        "DELETE FROM web_session WHERE user_id = $1 AND expires_at <= $2", user_id, now
    )
    await raw.execute(
        "INSERT INTO web_session (id, user_id, created_at, last_seen_at, expires_at, user_agent)"
        " VALUES ($1, $2, $3, $3, $4, $5)",
        token_id(token),
        user_id,
        now,
        rules.session_expires_at(now, now),
        user_agent[:300],
    )
    return token


async def current_user(tx: Tx, token: str | None, now: datetime) -> users.WebUser | None:
    """The signed-in user of a session token, or None (no, unknown, expired or ended session,
    or a disabled user). Refreshes the idle timer at most once a minute."""
    if not token or len(token) > 100:
        return None
    sid = token_id(token)
    raw = await tx.raw()
    row = await raw.fetchrow(
        "SELECT s.created_at, s.last_seen_at, u.id, u.role, u.satker_id, u.phone, u.name,"
        " u.password_hash IS NULL AS must_set_password"
        " FROM web_session s JOIN app_user u ON u.id = s.user_id"
        " WHERE s.id = $1 AND u.disabled_at IS NULL",
        sid,
    )
    if row is None or not rules.session_alive(row["created_at"], row["last_seen_at"], now):
        return None
    if rules.needs_touch(row["last_seen_at"], now):
        await raw.execute(
            "UPDATE web_session SET last_seen_at = $2, expires_at = $3 WHERE id = $1",
            sid,
            now,
            rules.session_expires_at(row["created_at"], now),
        )
    return users.web_user(row)


async def end_session(tx: Tx, token: str | None) -> None:
    if token:
        raw = await tx.raw()
        await raw.execute("DELETE FROM web_session WHERE id = $1", token_id(token))


async def end_user_sessions(tx: Tx, user_id: int) -> int:
    raw = await tx.raw()
    status = await raw.execute("DELETE FROM web_session WHERE user_id = $1", user_id)
    return int(status.split()[-1])


async def session_scope(tx: Tx, token: str | None) -> str | None:
    """Whose a live-or-not session is, for scoping what it stores (idempotency keys):
    ``user:<id>`` (as a user's principal) or ``warung:<satker>:<warung>``; None if unknown."""
    if not token or len(token) > 100:
        return None
    raw = await tx.raw()
    row = await raw.fetchrow(
        "SELECT kind, user_id, satker_id, warung_id FROM web_session WHERE id = $1",
        token_id(token),
    )
    if row is None:
        return None
    if row["kind"] == "warung":
        return f"warung:{row['satker_id']}:{row['warung_id']}"
    return f"user:{row['user_id']}"
