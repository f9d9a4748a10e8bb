"""Bulk buys: a closed cycle's consolidated demand, the quotes, the supplier split and the
prices, awaiting the coordinator's approval."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, Versioned, child_of


class BulkBuy(Versioned, Base):
    __tablename__ = "bulk_buy"
    __table_args__ = (
        UniqueConstraint("satker_id", "cycle_id"),
        ForeignKeyConstraint(
            ["satker_id", "cycle_id"], ["order_cycle.satker_id", "order_cycle.id"]
        ),
        CheckConstraint(
            "status IN ('draft','proposed','approved','ordered','rejected')", name="status"
        ),
    )

    satker_id: Mapped[int] = mapped_column(ForeignKey("satker.id"), primary_key=True)
    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    cycle_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), server_default=text("'draft'"))
    pack_policy: Mapped[str] = mapped_column(String(20))
    solver: Mapped[str] = mapped_column(String(20), server_default=text("''"))
    solver_status: Mapped[str] = mapped_column(String(20), server_default=text("''"))
    mip_gap: Mapped[float | None]
    solve_ms: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    goods_idr: Mapped[int] = mapped_column(server_default=text("0"))
    fees_idr: Mapped[int] = mapped_column(server_default=text("0"))
    total_idr: Mapped[int] = mapped_column(server_default=text("0"))
    market_value_idr: Mapped[int] = mapped_column(server_default=text("0"))
    approvals: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'"))
    pins: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    rejected_reason: Mapped[str | None] = mapped_column(Text)


class BulkBuyLine(Base):
    """One product of the bulk buy: demand, coverage, landed cost and suggested price."""

    __tablename__ = "bulk_buy_line"
    __table_args__ = (child_of("bulk_buy", "bulk_buy_id"),)

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    bulk_buy_id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(40))
    demand: Mapped[Decimal]
    preorder_quantity: Mapped[Decimal]
    warungs: Mapped[int] = mapped_column(Integer)
    covered: Mapped[Decimal]
    surplus: Mapped[Decimal]
    backorder: Mapped[Decimal]
    unit_cost_idr: Mapped[int | None]
    suggested_retail_idr: Mapped[int | None]
    market_ref_idr: Mapped[int | None]
    het_idr: Mapped[int | None]
    flags: Mapped[list[str]] = mapped_column(ARRAY(String(30)), server_default=text("'{}'"))
    reason: Mapped[str] = mapped_column(Text, server_default=text("''"))
    override_reason: Mapped[str | None] = mapped_column(Text)
    dropped: Mapped[bool] = mapped_column(server_default=text("false"))
    # a coordinator's retail price: at, user_id, key_id, suggested_idr, price_idr, reason
    retail_override: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class BulkBuyAllocation(Base):
    """Packs of one product from one supplier, as the split decided."""

    __tablename__ = "bulk_buy_allocation"
    __table_args__ = (child_of("bulk_buy", "bulk_buy_id"),)

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    bulk_buy_id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), primary_key=True)
    pack_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    units_per_pack: Mapped[Decimal]
    packs: Mapped[int] = mapped_column(Integer)
    price_per_pack_idr: Mapped[int]
    goods_idr: Mapped[int]


class BulkBuyQuote(Base):
    """What each supplier answered (or how it failed) when asked for a quote."""

    __tablename__ = "bulk_buy_quote"
    __table_args__ = (child_of("bulk_buy", "bulk_buy_id"),)

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    bulk_buy_id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # ok | failed | timeout
    quote_ref: Mapped[str | None] = mapped_column(String(100))
    valid_until: Mapped[datetime | None]
    delivery_fee_idr: Mapped[int] = mapped_column(server_default=text("0"))
    quote: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
