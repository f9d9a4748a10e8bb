"""After delivery: what each warung got of a bulk buy (break-bulk), what it received, and
its invoice."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, child_of, created_at_column


class Settlement(Base):
    """A bulk buy whose deliveries are in: allocated to warungs and invoiced, once."""

    __tablename__ = "settlement"
    __table_args__ = (
        ForeignKeyConstraint(["satker_id", "bulk_buy_id"], ["bulk_buy.satker_id", "bulk_buy.id"]),
    )

    satker_id: Mapped[int] = mapped_column(ForeignKey("satker.id"), primary_key=True)
    bulk_buy_id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int]
    delivered_on: Mapped[date]  # in the satker's time zone
    supplier_billed_idr: Mapped[int]  # what the suppliers bill, goods and fees
    invoiced_idr: Mapped[int]  # the sum of the cycle's invoices: always equal
    ordered_value_idr: Mapped[int]
    delivered_value_idr: Mapped[int]
    settled_at: Mapped[datetime] = created_at_column()


class ProductDelivery(Base):
    """One product of a settled bulk buy: delivered in all, and what the satker keeps."""

    __tablename__ = "product_delivery"
    __table_args__ = (
        ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"], ["settlement.satker_id", "settlement.bulk_buy_id"]
        ),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    bulk_buy_id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    ordered: Mapped[Decimal]
    delivered: Mapped[Decimal]
    satker_stock: Mapped[Decimal]


class WarungDelivery(Base):
    """What one warung gets of one product: asked, allocated (surplus included), and what it
    says it received.

    Settlement writes tens of thousands of these at once, so only the key to the settlement is
    checked per row; warung, product and supplier are copied from rows already checked
    against them (restock requests and lines, purchase orders) and are never deleted."""

    __tablename__ = "warung_delivery"
    __table_args__ = (
        ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"], ["settlement.satker_id", "settlement.bulk_buy_id"]
        ),
        CheckConstraint("receipt IN ('pending','received','short','damaged')", name="receipt"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    bulk_buy_id: Mapped[int] = mapped_column(primary_key=True)
    warung_id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(primary_key=True)
    requested: Mapped[Decimal]
    preorder: Mapped[Decimal]
    allocated: Mapped[Decimal]  # for its lines, at most what it asked
    surplus: Mapped[Decimal]  # extra from rounded-up packs, below its maximum stock
    supplier_id: Mapped[int]  # the main source
    receipt: Mapped[str] = mapped_column(String(20), server_default=text("'pending'"))
    received: Mapped[Decimal | None]
    damaged: Mapped[Decimal | None]
    note: Mapped[str] = mapped_column(String(500), server_default=text("''"))
    received_at: Mapped[datetime | None]


class Invoice(Base):
    """A warung's bill for a cycle (or the satker's, for the stock it keeps)."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("satker_id", "bulk_buy_id", "warung_id"),
        UniqueConstraint("satker_id", "serial"),
        UniqueConstraint("satker_id", "number"),
        ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"], ["settlement.satker_id", "settlement.bulk_buy_id"]
        ),
        CheckConstraint("status IN ('open','paid')", name="status"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    bulk_buy_id: Mapped[int]
    cycle_id: Mapped[int]
    warung_id: Mapped[int | None]  # None: the satker's own stock
    serial: Mapped[int]  # 1, 2, 3, … per satker, in the order invoices are issued
    number: Mapped[str] = mapped_column(String(60))  # never changes once issued
    goods_idr: Mapped[int]
    fees_idr: Mapped[int]
    total_idr: Mapped[int]
    market_value_idr: Mapped[int]
    savings_idr: Mapped[int]
    customer_savings_idr: Mapped[int]
    due_on: Mapped[date | None]  # the earliest due date of its lines; None: consignment only
    status: Mapped[str] = mapped_column(String(20), server_default=text("'open'"))
    paid_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = created_at_column()


class InvoiceCounter(Base):
    """The last invoice serial a satker has issued (settlement takes the next ones)."""

    __tablename__ = "invoice_counter"

    satker_id: Mapped[int] = mapped_column(ForeignKey("satker.id"), primary_key=True)
    last_serial: Mapped[int] = mapped_column(server_default=text("0"))


class InvoiceLine(Base):
    """One supplier's part of one product on an invoice. Written with the invoice, tens of
    thousands at a settlement: only the key to the invoice is checked per row (supplier and
    product come from purchase-order lines checked against them)."""

    __tablename__ = "invoice_line"
    __table_args__ = (child_of("invoice", "invoice_id"),)

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplier_id: Mapped[int]
    product_id: Mapped[int]
    sku: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[Decimal]
    goods_idr: Mapped[int]
    fee_idr: Mapped[int]
    terms: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date | None]
