"""Helpers for tests that need rows: satkers, warungs, suppliers and keys, made directly."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.api.registry import ApiKeyCreate, KeyRole, SatkerCreate, WarungCreate
from services.app.api_keys import create_api_key
from services.app.registry import create_satker, create_warung
from services.db.tx import Tx


def ref(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def new_satker(engine: AsyncEngine, *, timezone: str = "Asia/Jakarta", **kw: object) -> int:
    async with Tx(engine) as tx:
        out = await create_satker(
            tx,
            SatkerCreate(
                name=str(kw.pop("name", ref("Satker"))),
                kecamatan=str(kw.pop("kecamatan", "Kalidoni")),
                kota=str(kw.pop("kota", "Kota Palembang")),
                province=str(kw.pop("province", "Sumatera Selatan")),
                timezone=timezone,
                **kw,  # type: ignore[arg-type]
            ),
        )
    return out.id


async def new_warung(engine: AsyncEngine, satker_id: int, **kw: str) -> int:
    async with Tx(engine) as tx:
        out = await create_warung(
            tx,
            satker_id,
            WarungCreate(
                name=kw.get("name", ref("Warung")),
                owner_name=kw.get("owner_name", "Bu Sari"),
                phone=kw.get("phone", "081234567890"),
                address=kw.get("address", "Jl. Residen Abdul Rozak No. 1"),
            ),
        )
    return out.id


async def new_key(engine: AsyncEngine, role: str, **scope: int | None) -> str:
    async with Tx(engine) as tx:
        created = await create_api_key(tx, ApiKeyCreate(role=KeyRole(role), **scope))
    return created.key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
