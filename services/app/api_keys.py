"""Creating, listing and revoking API keys (used by the admin API and the CLI)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import select, text

from contracts.api.registry import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, KeyRole
from contracts.errors import FieldError, InvalidInput, NotFound
from services.auth import KEY_REVOKED_CHANNEL, new_key
from services.db.models import ApiKey, Satker, Supplier, Warung
from services.db.tx import Tx


async def create_api_key(tx: Tx, data: ApiKeyCreate) -> ApiKeyCreated:
    session = await tx.session()
    scope = {
        "satker_id": data.satker_id,
        "warung_id": data.warung_id,
        "supplier_id": data.supplier_id,
    }
    needed = {
        KeyRole.ADMIN: set(),
        KeyRole.COORDINATOR: {"satker_id"},
        KeyRole.WARUNG: {"satker_id", "warung_id"},
        KeyRole.SUPPLIER: {"supplier_id"},
    }[data.role]
    errors = [
        FieldError(f"/{name}", f"required for role {data.role}")
        for name in sorted(needed)
        if scope[name] is None
    ] + [
        FieldError(f"/{name}", f"not used for role {data.role}")
        for name, value in scope.items()
        if value is not None and name not in needed
    ]
    if errors:
        raise InvalidInput("the key's scope does not fit its role", errors=errors)
    if data.role == KeyRole.WARUNG:
        if await session.get(Warung, (data.satker_id, data.warung_id)) is None:
            raise InvalidInput(
                "no such warung in that satker",
                errors=[FieldError("/warung_id", "no such warung in that satker")],
            )
    elif data.role == KeyRole.COORDINATOR:
        if await session.get(Satker, data.satker_id) is None:
            raise InvalidInput(
                "no such satker", errors=[FieldError("/satker_id", "no such satker")]
            )
    elif data.role == KeyRole.SUPPLIER and await session.get(Supplier, data.supplier_id) is None:
        raise InvalidInput(
            "no such supplier", errors=[FieldError("/supplier_id", "no such supplier")]
        )
    plaintext, prefix, key_hash = new_key()
    row = ApiKey(prefix=prefix, key_hash=key_hash, role=str(data.role), label=data.label, **scope)
    session.add(row)
    await session.flush()
    await session.refresh(row)
    out = msgspec.convert(row, ApiKeyOut, from_attributes=True)
    return ApiKeyCreated(**msgspec.structs.asdict(out), key=plaintext)


async def list_api_keys(
    tx: Tx,
    *,
    limit: int,
    after_id: int | None,
    role: KeyRole | None = None,
    satker_id: int | None = None,
) -> list[ApiKeyOut]:
    session = await tx.session()
    stmt = select(ApiKey).order_by(ApiKey.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(ApiKey.id > after_id)
    if role is not None:
        stmt = stmt.where(ApiKey.role == str(role))
    if satker_id is not None:
        stmt = stmt.where(ApiKey.satker_id == satker_id)
    rows = (await session.scalars(stmt)).all()
    return [msgspec.convert(r, ApiKeyOut, from_attributes=True) for r in rows]


async def revoke_api_key(tx: Tx, key_id: int, now: datetime) -> ApiKeyOut:
    session = await tx.session()
    row = await session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"api key {key_id} not found")
    if row.revoked_at is None:
        row.revoked_at = now
        await session.flush()
    # Delivered on commit to every API process listening (services.bootstrap), which then
    # forgets the key at once instead of when its cache entry expires.
    await session.execute(
        text("SELECT pg_notify(:channel, :prefix)"),
        {"channel": KEY_REVOKED_CHANNEL, "prefix": row.prefix},
    )
    return msgspec.convert(row, ApiKeyOut, from_attributes=True)
