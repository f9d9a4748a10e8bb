"""Suppliers: who we buy from, through which adapter, on what payment terms.

Reference data written by admins; adapter credentials are write-only (reads mask them).
"""

from __future__ import annotations

import secrets
from datetime import datetime

import msgspec
from sqlalchemy import any_, select

from contracts.api.catalogue import SupplierCreate, SupplierCreated, SupplierOut, SupplierUpdate
from contracts.errors import FieldError, InvalidInput, NotFound
from services.db.models import Supplier
from services.db.tx import Tx
from services.domain.versioning import check_if_match
from services.registry import AdapterRegistry

SECRET_WORDS = ("secret", "password", "token", "api_key", "apikey", "credential")


def masked_config(config: dict) -> dict:
    """Adapter credentials are write-only: reads show that they are set, not what they are."""
    return {
        key: ("***" if any(word in key.lower() for word in SECRET_WORDS) and value else value)
        for key, value in config.items()
    }


def _supplier_out(row: Supplier) -> SupplierOut:
    out = msgspec.convert(row, SupplierOut, from_attributes=True)
    return msgspec.structs.replace(out, adapter_config=masked_config(out.adapter_config))


def _supplier_problems(data: SupplierCreate | SupplierUpdate) -> list[FieldError]:
    errors = []
    if data.payment_terms == "tempo" and not data.tempo_days:
        errors.append(FieldError("/tempo_days", "tempo terms need a number of days"))
    if data.payment_terms not in (None, "tempo") and data.tempo_days:
        errors.append(FieldError("/tempo_days", "only tempo terms have days"))
    return errors


def _validate_adapter(adapters: AdapterRegistry, key: str, config: dict, *, strict: bool) -> None:
    """Refuse an unknown adapter key. The factory checks its config when it is installed;
    ``strict=False`` (demo seed, imports) accepts a known key whose package is not installed."""
    if key not in adapters.keys:
        adapters.get(key)  # raises InvalidInput naming the known keys
    if strict or adapters.available(key):
        try:
            adapters.validate(key, config)
        except InvalidInput as exc:
            raise InvalidInput(
                exc.detail, errors=exc.errors or [FieldError("/adapter_config", exc.detail)]
            ) from exc


async def create_supplier(
    tx: Tx, data: SupplierCreate, adapters: AdapterRegistry, *, strict: bool = True
) -> SupplierCreated:
    errors = _supplier_problems(data)
    if errors:
        raise InvalidInput("the supplier is not valid", errors=errors)
    _validate_adapter(adapters, data.adapter_key, data.adapter_config, strict=strict)
    session = await tx.session()
    row = Supplier(**msgspec.structs.asdict(data), webhook_secret=secrets.token_urlsafe(32))
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return SupplierCreated(
        **msgspec.structs.asdict(_supplier_out(row)), webhook_secret=row.webhook_secret
    )


async def update_supplier(
    tx: Tx,
    supplier_id: int,
    data: SupplierUpdate,
    adapters: AdapterRegistry,
    if_match: str | None,
    now: datetime,
    *,
    strict: bool = True,
) -> SupplierOut:
    session = await tx.session()
    row = await session.get(Supplier, supplier_id, with_for_update=True)
    if row is None:
        raise NotFound(f"supplier {supplier_id} not found")
    check_if_match(if_match, row.version)
    merged = msgspec.structs.replace(
        data,
        payment_terms=data.payment_terms or row.payment_terms,
        tempo_days=row.tempo_days if data.tempo_days is None else data.tempo_days,
    )
    errors = _supplier_problems(merged)
    if errors:
        raise InvalidInput("the supplier is not valid", errors=errors)
    if data.adapter_config is not None:
        _validate_adapter(adapters, row.adapter_key, data.adapter_config, strict=strict)
    for name in data.__struct_fields__:
        value = getattr(merged, name)
        if value is not None:
            setattr(row, name, value)
    row.version += 1
    row.updated_at = now
    await session.flush()
    return _supplier_out(row)


async def get_supplier(tx: Tx, supplier_id: int) -> SupplierOut:
    row = await (await tx.session()).get(Supplier, supplier_id)
    if row is None:
        raise NotFound(f"supplier {supplier_id} not found")
    return _supplier_out(row)


async def list_suppliers(
    tx: Tx, *, limit: int, after_id: int | None, region: str | None = None
) -> list[SupplierOut]:
    session = await tx.session()
    stmt = select(Supplier).order_by(Supplier.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(Supplier.id > after_id)
    if region is not None:
        stmt = stmt.where(any_(Supplier.regions) == region)
    return [_supplier_out(r) for r in (await session.scalars(stmt)).all()]
