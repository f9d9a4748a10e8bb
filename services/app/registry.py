"""Satkers and warungs: the tenants and their shops (ORM: registry paths are not hot)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import select

from contracts.api.catalogue import Category
from contracts.api.registry import (
    MarginRuleOut,
    MarginRuleSet,
    SatkerCreate,
    SatkerOut,
    SatkerUpdate,
    WarungCreate,
    WarungOut,
    WarungUpdate,
)
from contracts.errors import InvalidInput, NotFound
from services.app.products import margin_problems
from services.auth import Principal
from services.db.models import MarginRule, Satker, Warung
from services.db.tx import Tx
from services.domain.versioning import check_if_match


def _apply(row: Satker | Warung, changes: msgspec.Struct, now: datetime) -> None:
    for name in changes.__struct_fields__:
        value = getattr(changes, name)
        if value is not None:
            setattr(row, name, value)
    row.version += 1
    row.updated_at = now


async def create_satker(tx: Tx, data: SatkerCreate) -> SatkerOut:
    session = await tx.session()
    row = Satker(**msgspec.structs.asdict(data))
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return msgspec.convert(row, SatkerOut, from_attributes=True)


async def get_satker(tx: Tx, principal: Principal, satker_id: int) -> SatkerOut:
    principal.satker_scope(satker_id)
    row = await (await tx.session()).get(Satker, satker_id)
    if row is None:
        raise NotFound(f"satker {satker_id} not found")
    return msgspec.convert(row, SatkerOut, from_attributes=True)


async def list_satkers(
    tx: Tx, principal: Principal, *, limit: int, after_id: int | None
) -> list[SatkerOut]:
    stmt = select(Satker).order_by(Satker.id).limit(limit + 1)
    if principal.satker_id is not None:
        stmt = stmt.where(Satker.id == principal.satker_id)
    elif principal.role != "admin":
        return []
    if after_id is not None:
        stmt = stmt.where(Satker.id > after_id)
    rows = (await (await tx.session()).scalars(stmt)).all()
    return [msgspec.convert(r, SatkerOut, from_attributes=True) for r in rows]


async def update_satker(
    tx: Tx, satker_id: int, data: SatkerUpdate, if_match: str | None, now: datetime
) -> SatkerOut:
    session = await tx.session()
    row = await session.get(Satker, satker_id, with_for_update=True)
    if row is None:
        raise NotFound(f"satker {satker_id} not found")
    check_if_match(if_match, row.version)
    _apply(row, data, now)
    if errors := margin_problems(row.target_margin, row.min_margin):  # with the stored one
        raise InvalidInput("the margins are not valid", errors=errors)
    await session.flush()
    return msgspec.convert(row, SatkerOut, from_attributes=True)


async def create_warung(tx: Tx, satker_id: int, data: WarungCreate) -> WarungOut:
    session = await tx.session()
    satker = await session.get(Satker, satker_id)
    if satker is None:
        raise NotFound(f"satker {satker_id} not found")
    values = msgspec.structs.asdict(data)
    values["kota"] = data.kota or satker.kota
    row = Warung(satker_id=satker_id, **values)
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return msgspec.convert(row, WarungOut, from_attributes=True)


async def get_warung(tx: Tx, principal: Principal, satker_id: int, warung_id: int) -> WarungOut:
    principal.warung_scope(satker_id, warung_id)
    row = await (await tx.session()).get(Warung, (satker_id, warung_id))
    if row is None:
        raise NotFound(f"warung {warung_id} not found")
    return msgspec.convert(row, WarungOut, from_attributes=True)


async def list_warungs(
    tx: Tx, principal: Principal, satker_id: int, *, limit: int, after_id: int | None
) -> list[WarungOut]:
    principal.satker_scope(satker_id)
    stmt = select(Warung).where(Warung.satker_id == satker_id).order_by(Warung.id).limit(limit + 1)
    if principal.warung_id is not None:
        stmt = stmt.where(Warung.id == principal.warung_id)
    if after_id is not None:
        stmt = stmt.where(Warung.id > after_id)
    rows = (await (await tx.session()).scalars(stmt)).all()
    return [msgspec.convert(r, WarungOut, from_attributes=True) for r in rows]


async def update_warung(
    tx: Tx,
    principal: Principal,
    satker_id: int,
    warung_id: int,
    data: WarungUpdate,
    if_match: str | None,
    now: datetime,
) -> WarungOut:
    principal.satker_scope(satker_id)
    session = await tx.session()
    row = await session.get(Warung, (satker_id, warung_id), with_for_update=True)
    if row is None:
        raise NotFound(f"warung {warung_id} not found")
    check_if_match(if_match, row.version)
    return await update_warung_row(tx, row, data, now)


async def update_warung_row(tx: Tx, row: Warung, data: WarungUpdate, now: datetime) -> WarungOut:
    _apply(row, data, now)
    await (await tx.session()).flush()
    return msgspec.convert(row, WarungOut, from_attributes=True)


async def list_margin_rules(tx: Tx, principal: Principal, satker_id: int) -> list[MarginRuleOut]:
    principal.satker_scope(satker_id)
    rows = await (await tx.session()).scalars(
        select(MarginRule).where(MarginRule.satker_id == satker_id).order_by(MarginRule.category)
    )
    return [msgspec.convert(r, MarginRuleOut, from_attributes=True) for r in rows]


async def set_margin_rule(
    tx: Tx, principal: Principal, satker_id: int, category: Category, data: MarginRuleSet
) -> MarginRuleOut:
    principal.satker_scope(satker_id)
    if errors := margin_problems(data.target_margin, data.min_margin):
        raise InvalidInput("the margins are not valid", errors=errors)
    session = await tx.session()
    if await session.get(Satker, satker_id) is None:
        raise NotFound(f"satker {satker_id} not found")
    row = await session.get(MarginRule, (satker_id, str(category)), with_for_update=True)
    if row is None:
        row = MarginRule(satker_id=satker_id, category=str(category))
        session.add(row)
    row.target_margin = data.target_margin
    row.min_margin = data.min_margin
    await session.flush()
    return msgspec.convert(row, MarginRuleOut, from_attributes=True)


async def delete_margin_rule(
    tx: Tx, principal: Principal, satker_id: int, category: Category
) -> None:
    principal.satker_scope(satker_id)
    session = await tx.session()
    row = await session.get(MarginRule, (satker_id, str(category)))
    if row is None:
        raise NotFound(f"no margin rule for {category} in satker {satker_id}")
    await session.delete(row)
    await session.flush()
