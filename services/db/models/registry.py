"""Registry tables: satkers (tenants), warungs, and the shared reference data (products,
suppliers, HET ceilings, market prices)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, Fraction, Versioned, created_at_column


class Satker(Versioned, Base):
    """A sub-district work unit: the buying group and the tenant of its warungs' data."""

    __tablename__ = "satker"
    __table_args__ = (
        sa.CheckConstraint(
            "timezone IN ('Asia/Jakarta','Asia/Makassar','Asia/Jayapura')", name="tz"
        ),
        sa.CheckConstraint("pack_policy IN ('round_up','round_down')", name="pack_policy"),
    )

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kecamatan: Mapped[str] = mapped_column(sa.String(100))
    kota: Mapped[str] = mapped_column(sa.String(100))
    province: Mapped[str] = mapped_column(sa.String(100))
    timezone: Mapped[str] = mapped_column(sa.String(40))
    second_approval_threshold_idr: Mapped[int] = mapped_column(server_default=sa.text("50000000"))
    below_market_pct: Mapped[Decimal] = mapped_column(Fraction, server_default=sa.text("0.05"))
    target_margin: Mapped[Decimal] = mapped_column(Fraction, server_default=sa.text("0.08"))
    min_margin: Mapped[Decimal] = mapped_column(Fraction, server_default=sa.text("0.02"))
    price_step_idr: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("100"))
    price_tolerance_pct: Mapped[Decimal] = mapped_column(Fraction, server_default=sa.text("0.03"))
    pack_policy: Mapped[str] = mapped_column(sa.String(20), server_default=sa.text("'round_up'"))


class Warung(Versioned, Base):
    __tablename__ = "warung"
    __table_args__ = (sa.UniqueConstraint("satker_id", "name"),)

    satker_id: Mapped[int] = mapped_column(sa.ForeignKey("satker.id"), primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    owner_name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str] = mapped_column(sa.String(30))
    address: Mapped[str] = mapped_column(sa.String(500))
    kota: Mapped[str] = mapped_column(sa.String(100))
    active: Mapped[bool] = mapped_column(server_default=sa.text("true"))


class Product(Versioned, Base):
    __tablename__ = "product"
    __table_args__ = (
        sa.CheckConstraint(
            "category IN ('sembako','fresh','protein','household')", name="category"
        ),
    )

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(20))
    retail_unit: Mapped[str] = mapped_column(sa.String(20))
    fractional: Mapped[bool] = mapped_column(server_default=sa.text("false"))
    vat: Mapped[bool] = mapped_column(server_default=sa.text("false"))
    active: Mapped[bool] = mapped_column(server_default=sa.text("true"))
    target_margin: Mapped[Decimal | None] = mapped_column(Fraction)
    min_margin: Mapped[Decimal | None] = mapped_column(Fraction)


class ProductPack(Base):
    """A pack size of a product, e.g. a carton of 40 packs of noodles or a 25 kg sack."""

    __tablename__ = "product_pack"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "pack_name"),
        sa.CheckConstraint("units_per_pack > 0", name="units_positive"),
    )

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"))
    pack_name: Mapped[str] = mapped_column(sa.String(60))
    units_per_pack: Mapped[Decimal]


class PriceCeiling(Base):
    """A government ceiling (HET) or reference price (HAP) for a product in a region."""

    __tablename__ = "price_ceiling"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "region", "kind"),
        sa.CheckConstraint("kind IN ('HET','HAP')", name="kind"),
    )

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"))
    region: Mapped[str] = mapped_column(sa.String(100))  # a kota, or "national"
    kind: Mapped[str] = mapped_column(sa.String(3))
    price_idr: Mapped[int]
    regulation: Mapped[str] = mapped_column(sa.String(200), server_default=sa.text("''"))


class MarketPrice(Base):
    """A market reference price per retail unit in a kota on a date (PIHPS, SP2KP, manual)."""

    __tablename__ = "market_price"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "kota", "price_date", "source"),
        sa.Index("ix_market_price_lookup", "product_id", "kota", "price_date"),
    )

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"))
    kota: Mapped[str] = mapped_column(sa.String(100))
    price_date: Mapped[date]
    price_idr: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = created_at_column()


class Supplier(Versioned, Base):
    __tablename__ = "supplier"
    __table_args__ = (
        sa.CheckConstraint("payment_terms IN ('cod','tempo','consignment')", name="payment_terms"),
    )

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    adapter_key: Mapped[str] = mapped_column(sa.String(60))
    adapter_config: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=sa.text("'{}'"))
    regions: Mapped[list[str]] = mapped_column(
        ARRAY(sa.String(100)), server_default=sa.text("'{}'")
    )
    delivery_fee_idr: Mapped[int] = mapped_column(server_default=sa.text("0"))
    min_order_value_idr: Mapped[int] = mapped_column(server_default=sa.text("0"))
    payment_terms: Mapped[str] = mapped_column(sa.String(20), server_default=sa.text("'cod'"))
    tempo_days: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    contact_phone: Mapped[str] = mapped_column(sa.String(30), server_default=sa.text("''"))
    webhook_secret: Mapped[str] = mapped_column(sa.String(100))
    active: Mapped[bool] = mapped_column(server_default=sa.text("true"))


class MarginRule(Base):
    """A satker's margins for one product category, between the product's own and the
    satker's default."""

    __tablename__ = "margin_rule"
    __table_args__ = (
        sa.CheckConstraint(
            "category IN ('sembako','fresh','protein','household')", name="category"
        ),
        sa.CheckConstraint("min_margin <= target_margin", name="order"),
    )

    satker_id: Mapped[int] = mapped_column(sa.ForeignKey("satker.id"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    target_margin: Mapped[Decimal] = mapped_column(Fraction)
    min_margin: Mapped[Decimal] = mapped_column(Fraction)


class PriceBoardEntry(Base):
    """One line of a wholesale market's daily price board: min–max per product, grade, unit."""

    __tablename__ = "price_board_entry"
    __table_args__ = (
        sa.CheckConstraint("min_idr <= max_idr", name="range"),
    )  # the primary key (supplier, date, …) serves "the latest board of a market"

    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supplier.id", ondelete="CASCADE"), primary_key=True
    )
    board_date: Mapped[date] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    grade: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    unit: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    product_name: Mapped[str] = mapped_column(sa.String(200))
    min_idr: Mapped[int]
    max_idr: Mapped[int]
    posted_at: Mapped[datetime]
    posted_by: Mapped[str] = mapped_column(sa.String(60))  # admin | coordinator | market agent
