"""A warung owner's sign-in without a password: the coordinator issues a signed, single-use
link (sent by WhatsApp), the owner opens it and gets a session on that phone for 30 days; the
owner signs out, or the coordinator ends all of the warung's sessions at once.

Sessions are rows of ``web_session`` (kind ``warung``), in PostgreSQL like the console's, so
every process sees them and ending them takes effect on the next request everywhere. The rules
(validity, single use, lifetime) are ``services.domain.warung_session``.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

import msgspec

from contracts.errors import NotFound
from services.app.web_sessions import token_id
from services.auth import Principal, Role
from services.db.tx import Tx
from services.domain import warung_session as rules

SIGN_IN_PATH = "/w/masuk"


class WarungViewer(msgspec.Struct, frozen=True, kw_only=True):
    """The warung a phone is signed in for."""

    satker_id: int
    warung_id: int
    name: str
    owner_name: str
    satker_name: str
    timezone: str
    session_id: str  # the stored id (a hash) of this phone's session

    def principal(self) -> Principal:
        """The principal a warung's API key gives, so use cases apply one tenancy."""
        return Principal(
            key_id=0, role=Role.WARUNG, satker_id=self.satker_id, warung_id=self.warung_id
        )


class IssuedLink(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    expires_at: datetime
    warung_id: int
    warung_name: str
    owner_name: str
    phone: str


class LinkOutcome(enum.StrEnum):
    SIGNED_IN = "signed_in"
    TAMPERED = "tampered"
    SPENT = "spent"


class OpenResult(msgspec.Struct, frozen=True, kw_only=True):
    outcome: LinkOutcome
    token: str | None = None  # the session cookie, on SIGNED_IN


async def _warung(raw: object, principal: Principal, warung_id: int) -> dict[str, object]:
    principal.require(Role.ADMIN, Role.COORDINATOR)
    row = await raw.fetchrow(  # type: ignore[attr-defined]
        "SELECT satker_id, id, name, owner_name, phone, active FROM warung"
        " WHERE id = $1 AND ($2::bigint IS NULL OR satker_id = $2)",
        warung_id,
        None if principal.role == Role.ADMIN else principal.satker_id,
    )
    if row is None:
        raise NotFound(f"warung {warung_id} not found")
    return dict(row)


async def issue_link(
    tx: Tx, principal: Principal, warung_id: int, *, secret: str, base_url: str, now: datetime
) -> IssuedLink:
    """A new sign-in link for a warung of the coordinator's satker (404 for another's)."""
    raw = await tx.raw()
    warung = await _warung(raw, principal, warung_id)
    nonce = secrets.token_urlsafe(24)
    expires_at = rules.link_expires_at(now)
    await raw.execute(
        "INSERT INTO warung_sign_in_link (id, satker_id, warung_id, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        rules.link_id(nonce),
        warung["satker_id"],
        warung_id,
        now,
        expires_at,
    )
    return IssuedLink(
        url=f"{base_url.rstrip('/')}{SIGN_IN_PATH}/{rules.make_token(secret, nonce)}",
        expires_at=expires_at,
        warung_id=warung_id,
        warung_name=str(warung["name"]),
        owner_name=str(warung["owner_name"]),
        phone=str(warung["phone"]),
    )


async def check_link(tx: Tx, secret: str, token: str, now: datetime) -> LinkOutcome:
    """What opening the link would do, without using it (the page before the button)."""
    _, _, verdict = await _find_link(tx, secret, token, now, lock=False)
    return _outcome(verdict)


async def _find_link(
    tx: Tx, secret: str, token: str, now: datetime, *, lock: bool
) -> tuple[str | None, Any, rules.LinkVerdict]:
    """The link's nonce (None when the token is not ours), its row for an active warung
    (locked when ``lock``), and what opening it would do."""
    raw = await tx.raw()
    nonce = rules.nonce_of(secret, token)
    row = None
    if nonce is not None:
        # the link's satker first, then the row by its whole key: on Citus a lookup on one
        # shard, where the row lock works
        satker_id = await raw.fetchval(
            "SELECT satker_id FROM warung_sign_in_link WHERE id = $1", rules.link_id(nonce)
        )
        row = await raw.fetchrow(
            "SELECT l.satker_id, l.warung_id, l.expires_at, l.used_at"
            " FROM warung_sign_in_link l JOIN warung w"
            " ON w.satker_id = $2 AND w.id = l.warung_id"
            " WHERE l.satker_id = $2 AND l.id = $1 AND w.active"
            + (" FOR UPDATE OF l" if lock else ""),
            rules.link_id(nonce),
            satker_id,
        )
    verdict = rules.link_verdict(
        nonce is not None,
        row["expires_at"] if row else None,
        row["used_at"] if row else None,
        now,
    )
    return nonce, row, verdict


def _outcome(verdict: rules.LinkVerdict) -> LinkOutcome:
    if verdict is rules.LinkVerdict.TAMPERED:
        return LinkOutcome.TAMPERED
    if verdict is rules.LinkVerdict.SPENT:
        return LinkOutcome.SPENT
    return LinkOutcome.SIGNED_IN


async def open_link(
    tx: Tx, secret: str, token: str, now: datetime, user_agent: str = ""
) -> OpenResult:
    """Use the link: once, within its 30 minutes, for an active warung. The row is locked, so
    two phones opening one link at once get one session."""
    raw = await tx.raw()
    nonce, row, verdict = await _find_link(tx, secret, token, now, lock=True)
    if verdict is not rules.LinkVerdict.VALID:
        return OpenResult(outcome=_outcome(verdict))
    assert row is not None and nonce is not None
    await raw.execute(
        "UPDATE warung_sign_in_link SET used_at = $3 WHERE satker_id = $2 AND id = $1",
        rules.link_id(nonce),
        row["satker_id"],
        now,
    )
    session = secrets.token_urlsafe(32)
    await raw.execute(
        "DELETE FROM web_session WHERE kind = 'warung' AND satker_id = $1 AND warung_id = $2"
        " AND expires_at <= $3",
        row["satker_id"],
        row["warung_id"],
        now,
    )
    await raw.execute(
        "INSERT INTO web_session (id, kind, satker_id, warung_id, created_at, last_seen_at,"
        " expires_at, user_agent) VALUES ($1, 'warung', $2, $3, $4, $4, $5, $6)",
        token_id(session),
        row["satker_id"],
        row["warung_id"],
        now,
        rules.session_expires_at(now),
        user_agent[:300],
    )
    return OpenResult(outcome=LinkOutcome.SIGNED_IN, token=session)


async def current_warung(tx: Tx, token: str | None, now: datetime) -> WarungViewer | None:
    """The warung a session token is signed in for, or None (no, unknown, expired or ended
    session, or an inactive warung)."""
    if not token or len(token) > 100:
        return None
    sid = token_id(token)
    raw = await tx.raw()
    row = await raw.fetchrow(
        "SELECT s.created_at, w.satker_id, w.id AS warung_id, w.name, w.owner_name,"
        " k.name AS satker_name, k.timezone"
        " FROM web_session s"
        " JOIN warung w ON w.satker_id = s.satker_id AND w.id = s.warung_id"
        " JOIN satker k ON k.id = w.satker_id"
        " WHERE s.id = $1 AND s.kind = 'warung' AND w.active",
        sid,
    )
    if row is None or not rules.session_alive(row["created_at"], now):
        return None
    fields = {k: row[k] for k in WarungViewer.__struct_fields__ if k != "session_id"}
    return WarungViewer(**fields, session_id=sid)


async def end_session(tx: Tx, token: str | None) -> None:
    if token:
        raw = await tx.raw()
        await raw.execute(
            "DELETE FROM web_session WHERE id = $1 AND kind = 'warung'", token_id(token)
        )


async def end_warung_sessions(tx: Tx, principal: Principal, warung_id: int) -> int:
    """Sign every phone of a warung out, and withdraw its unused links; returns the number of
    sessions ended. For the coordinator of the warung's satker (404 otherwise)."""
    raw = await tx.raw()
    warung = await _warung(raw, principal, warung_id)
    await raw.execute(
        "DELETE FROM warung_sign_in_link WHERE satker_id = $1 AND warung_id = $2",
        warung["satker_id"],
        warung_id,
    )
    status = await raw.execute(
        "DELETE FROM web_session WHERE kind = 'warung' AND satker_id = $1 AND warung_id = $2",
        warung["satker_id"],
        warung_id,
    )
    return int(status.split()[-1])
