"""Warung demand: stock levels and their movements, customer pre-orders, order cycles (templates
and instances) and restock requests with their lines. All tenant tables: ``satker_id`` leads
every primary key, unique constraint and foreign key to another tenant table."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, Versioned, child_of, created_at_column

CATEGORIES = "('sembako','fresh','protein','household')"


class StockLevel(Base):
    """What a warung holds of a product, with its reorder point (minimum) and target (maximum)."""

    __tablename__ = "stock_level"
    __table_args__ = (
        sa.ForeignKeyConstraint(["satker_id", "warung_id"], ["warung.satker_id", "warung.id"]),
        sa.CheckConstraint("on_hand >= 0", name="on_hand"),
        sa.CheckConstraint("minimum >= 0 AND maximum >= minimum", name="min_max"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    warung_id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id"), primary_key=True)
    on_hand: Mapped[Decimal] = mapped_column(server_default=sa.text("0"))
    minimum: Mapped[Decimal] = mapped_column(server_default=sa.text("0"))
    maximum: Mapped[Decimal] = mapped_column(server_default=sa.text("0"))
    version: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("1"))
    updated_at: Mapped[datetime] = created_at_column()


class StockMovement(Base):
    """Every change of on hand, with its reason, so on hand is explainable."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["satker_id", "warung_id", "product_id"],
            ["stock_level.satker_id", "stock_level.warung_id", "stock_level.product_id"],
        ),
        sa.CheckConstraint("reason IN ('count','receipt','sale','adjustment')", name="reason"),
        sa.Index("ix_stock_movement_level", "satker_id", "warung_id", "product_id", "id"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    warung_id: Mapped[int]
    product_id: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(20))
    delta: Mapped[Decimal]
    on_hand_after: Mapped[Decimal]
    note: Mapped[str] = mapped_column(sa.String(500), server_default=sa.text("''"))
    created_at: Mapped[datetime] = created_at_column()


class Preorder(Base):
    """A customer's order placed at the warung; served first when goods are short."""

    __tablename__ = "preorder"
    __table_args__ = (
        sa.ForeignKeyConstraint(["satker_id", "warung_id"], ["warung.satker_id", "warung.id"]),
        sa.CheckConstraint("quantity > 0", name="quantity"),
        sa.CheckConstraint("status IN ('open','served','cancelled')", name="status"),
        sa.Index("ix_preorder_open", "satker_id", "warung_id", "product_id", "status"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    warung_id: Mapped[int]
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id"))
    quantity: Mapped[Decimal]
    customer_ref: Mapped[str] = mapped_column(sa.String(100))
    needed_by: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(20), server_default=sa.text("'open'"))
    created_at: Mapped[datetime] = created_at_column()


class CycleTemplate(Base):
    """A recurring order cycle of a satker, in the satker's local time: e.g. fresh food daily,
    open 06:00, cut-off 12:00, delivered next day; staples weekly, cut-off Monday 12:00."""

    __tablename__ = "cycle_template"
    __table_args__ = (
        sa.ForeignKeyConstraint(["satker_id"], ["satker.id"]),
        sa.UniqueConstraint("satker_id", "name"),
        sa.CheckConstraint("cadence IN ('daily','weekly')", name="cadence"),
        sa.CheckConstraint("weekday IS NULL OR weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint("open_days_before >= 0 AND delivery_days_after >= 0", name="days"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    categories: Mapped[list[str]] = mapped_column(ARRAY(sa.String(20)))
    cadence: Mapped[str] = mapped_column(sa.String(10))
    weekday: Mapped[int | None] = mapped_column(sa.SmallInteger)  # of the cut-off, Monday = 0
    opens_at: Mapped[time] = mapped_column(sa.Time)
    cutoff_at: Mapped[time] = mapped_column(sa.Time)
    open_days_before: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    delivery_days_after: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("1"))
    active: Mapped[bool] = mapped_column(server_default=sa.text("true"))
    version: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("1"))
    created_at: Mapped[datetime] = created_at_column()


class OrderCycle(Base):
    """One instance of a template: when it opens, its cut-off (UTC instants computed in the
    satker's zone) and its delivery date."""

    __tablename__ = "order_cycle"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["satker_id", "template_id"], ["cycle_template.satker_id", "cycle_template.id"]
        ),
        sa.UniqueConstraint("satker_id", "template_id", "cutoff_at"),
        sa.CheckConstraint(
            "status IN ('scheduled','open','closed','consolidated','settled')", name="status"
        ),
        sa.CheckConstraint("opens_at < cutoff_at", name="window"),
        sa.Index("ix_order_cycle_due", "status", "cutoff_at"),
        sa.Index("ix_order_cycle_satker_cutoff", "satker_id", "cutoff_at"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    template_id: Mapped[int | None]
    name: Mapped[str] = mapped_column(sa.String(200))
    categories: Mapped[list[str]] = mapped_column(ARRAY(sa.String(20)))
    opens_at: Mapped[datetime]
    cutoff_at: Mapped[datetime]
    delivery_date: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(20), server_default=sa.text("'scheduled'"))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(sa.String(60))
    version: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("1"))
    created_at: Mapped[datetime] = created_at_column()


class RestockRequest(Versioned, Base):
    __tablename__ = "restock_request"
    __table_args__ = (
        sa.ForeignKeyConstraint(["satker_id", "warung_id"], ["warung.satker_id", "warung.id"]),
        sa.ForeignKeyConstraint(
            ["satker_id", "cycle_id"], ["order_cycle.satker_id", "order_cycle.id"]
        ),
        sa.CheckConstraint(
            "status IN ('draft','submitted','locked','consolidated','ordered','delivered',"
            "'received','cancelled')",
            name="status",
        ),
        sa.Index("ix_restock_request_cycle", "satker_id", "cycle_id", "status"),
        sa.Index("ix_restock_request_warung", "satker_id", "warung_id", "id"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    warung_id: Mapped[int]
    cycle_id: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(500), server_default=sa.text("''"))


class RestockLine(Base):
    __tablename__ = "restock_line"
    __table_args__ = (
        child_of("restock_request", "request_id"),
        sa.UniqueConstraint("satker_id", "request_id", "product_id"),
        sa.CheckConstraint("quantity > 0", name="quantity"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id"))
    quantity: Mapped[Decimal]
    for_preorder: Mapped[bool] = mapped_column(server_default=sa.text("false"))
    dropped_reason: Mapped[str | None] = mapped_column(sa.String(1000))  # left out of the bulk buy
