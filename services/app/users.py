"""People who sign in to the console: create, find, disable, and their passwords.

Passwords (and the one-time setup code) are hashed with Argon2id. Hashing is deliberately slow
CPU work that releases the GIL, so it runs in a thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from datetime import datetime
from typing import Any

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from contracts.errors import Conflict, FieldError, InvalidInput, NotFound
from contracts.phone import normalise_phone
from services.auth import Principal, Role
from services.db.tx import Tx
from services.domain import web_session as rules

# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~0.1 s per check here
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the phone is unknown, so both answers take the same time."""
    return _HASHER.hash("kulakan-no-such-user")


USER_COLUMNS = (
    "id, role, satker_id, phone, name, password_hash IS NULL AS must_set_password,"
    " failed_attempts, locked_until, disabled_at IS NOT NULL AS disabled"
)


class WebUser(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    role: str  # "coordinator" | "admin"
    satker_id: int | None
    phone: str
    name: str
    must_set_password: bool = False

    def principal(self) -> Principal:
        """The same principal the JSON API builds from a key, so use cases apply one tenancy."""
        return Principal(key_id=0, user_id=self.id, role=Role(self.role), satker_id=self.satker_id)


class CreatedUser(msgspec.Struct, frozen=True, kw_only=True):
    user: WebUser
    setup_code: str | None  # shown once; None when a password was given


async def hash_secret(secret: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, secret)


async def verify_secret(stored: str | None, secret: str) -> bool:
    def check() -> bool:
        try:
            return _HASHER.verify(stored or _dummy_hash(), secret) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def phone_or_invalid(raw: str, pointer: str = "phone") -> str:
    try:
        return normalise_phone(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc), errors=[FieldError(pointer, str(exc))]) from exc


def web_user(row: Any) -> WebUser:
    """A ``web_user`` row as a WebUser."""
    return WebUser(
        id=row["id"],
        role=row["role"],
        satker_id=row["satker_id"],
        phone=row["phone"],
        name=row["name"],
        must_set_password=row["must_set_password"],
    )


async def create_user(
    tx: Tx,
    *,
    role: str,
    satker_id: int | None,
    phone: str,
    name: str,
    password: str | None = None,
) -> CreatedUser:
    """A coordinator of one satker, or an admin of all. Without ``password`` a one-time setup
    code is made: the person signs in with it once and then chooses their password."""
    if role not in ("coordinator", "admin"):
        raise InvalidInput("role must be coordinator or admin", errors=[FieldError("role", role)])
    if (role == "coordinator") != (satker_id is not None):
        raise InvalidInput(
            "a coordinator needs --satker; an admin has none",
            errors=[FieldError("satker_id", "required for a coordinator, absent for an admin")],
        )
    if not name.strip():
        raise InvalidInput("name is required", errors=[FieldError("name", "required")])
    number = phone_or_invalid(phone)
    raw = await tx.raw()
    if satker_id is not None and not await raw.fetchval(
        "SELECT true FROM satker WHERE id = $1", satker_id
    ):
        raise NotFound(f"satker {satker_id} not found")
    setup_code = None
    if password is not None:
        _check_password(password, phone=number, name=name)
        password_hash, code_hash = await hash_secret(password), None
    else:
        setup_code = "-".join(secrets.token_hex(3) for _ in range(3))
        password_hash, code_hash = None, await hash_secret(setup_code)
    row = await raw.fetchrow(
        "INSERT INTO app_user (role, satker_id, phone, name, password_hash, setup_code_hash)"
        f" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (phone) DO NOTHING RETURNING {USER_COLUMNS}",
        role,
        satker_id,
        number,
        name.strip(),
        password_hash,
        code_hash,
    )
    if row is None:
        raise Conflict(f"a user with phone {number} already exists")
    return CreatedUser(user=web_user(row), setup_code=setup_code)


async def find_user_by_phone(tx: Tx, phone: str) -> WebUser | None:
    raw = await tx.raw()
    row = await raw.fetchrow(f"SELECT {USER_COLUMNS} FROM app_user WHERE phone = $1", phone)
    return web_user(row) if row else None


def _check_password(password: str, *, phone: str, name: str) -> None:
    problems = rules.password_problems(password, phone=phone, name=name)
    if problems:
        raise InvalidInput(
            "the password does not meet the policy",
            errors=[FieldError("password", p) for p in problems],
        )


async def set_password(tx: Tx, user: WebUser, password: str) -> None:
    """The user's own choice, on first sign-in; the setup code stops working."""
    _check_password(password, phone=user.phone, name=user.name)
    digest = await hash_secret(password)
    raw = await tx.raw()
    await raw.execute(
        "UPDATE app_user SET password_hash = $2, setup_code_hash = NULL WHERE id = $1",
        user.id,
        digest,
    )


async def disable_user(tx: Tx, phone: str, now: datetime) -> WebUser:
    """Refuse the user's sign-ins from now on and end every session they have, at once."""
    raw = await tx.raw()
    row = await raw.fetchrow(
        "UPDATE app_user SET disabled_at = coalesce(disabled_at, $2) WHERE phone = $1"
        f" RETURNING {USER_COLUMNS}",
        phone_or_invalid(phone),
        now,
    )
    if row is None:
        raise NotFound(f"no user with phone {phone}")
    await raw.execute("DELETE FROM web_session WHERE user_id = $1", row["id"])
    return web_user(row)


async def load_account(tx: Tx, phone: str) -> tuple[WebUser, rules.Account, str | None] | None:
    """The user, their lockout state and the hash a sign-in is checked against (the password,
    or the setup code before the first sign-in), locked against concurrent attempts."""
    raw = await tx.raw()
    row = await raw.fetchrow(
        f"SELECT {USER_COLUMNS}, coalesce(password_hash, setup_code_hash) AS secret_hash"
        " FROM app_user WHERE phone = $1 FOR UPDATE",
        phone,
    )
    if row is None:
        return None
    account = rules.Account(
        failed_attempts=row["failed_attempts"],
        locked_until=row["locked_until"],
        disabled=row["disabled"],
    )
    return web_user(row), account, row["secret_hash"]


async def record_attempt(tx: Tx, user_id: int, result: rules.AttemptResult) -> None:
    raw = await tx.raw()
    await raw.execute(
        "UPDATE app_user SET failed_attempts = $2, locked_until = $3 WHERE id = $1",
        user_id,
        result.failed_attempts,
        result.locked_until,
    )
