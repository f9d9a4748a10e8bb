"""Purchase orders, their lines, the outbox that sends them, and supplier events."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, Versioned, child_of, created_at_column

PO_STATUSES = (
    "'draft','sent','confirmed','changed','rejected','despatched','delivered','invoiced',"
    "'closed','cancelled'"
)


class PurchaseOrder(Versioned, Base):
    __tablename__ = "purchase_order"
    __table_args__ = (
        sa.UniqueConstraint("satker_id", "po_number"),
        sa.CheckConstraint(f"status IN ({PO_STATUSES})", name="status"),
        sa.Index("ix_purchase_order_supplier_status", "supplier_id", "status", "id"),
    )

    satker_id: Mapped[int] = mapped_column(sa.ForeignKey("satker.id"), primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    po_number: Mapped[str] = mapped_column(sa.String(60))
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("supplier.id"))
    bulk_buy_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(sa.String(20), server_default=sa.text("'draft'"))
    delivery_fee_idr: Mapped[int] = mapped_column(server_default=sa.text("0"))
    goods_idr: Mapped[int] = mapped_column(server_default=sa.text("0"))
    delivery_date: Mapped[date | None]
    delivery_address: Mapped[str] = mapped_column(sa.String(500), server_default=sa.text("''"))
    contact_name: Mapped[str] = mapped_column(sa.String(200), server_default=sa.text("''"))
    contact_phone: Mapped[str] = mapped_column(sa.String(30), server_default=sa.text("''"))
    supplier_ref: Mapped[str | None] = mapped_column(sa.String(100))
    confirmation_url: Mapped[str | None] = mapped_column(sa.Text)
    invoice_ref: Mapped[str | None] = mapped_column(sa.String(100))
    invoiced_total_idr: Mapped[int | None]
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None]


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_line"
    __table_args__ = (
        child_of("purchase_order", "purchase_order_id"),
        sa.CheckConstraint("packs > 0", name="packs"),
    )

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id"))
    sku: Mapped[str] = mapped_column(sa.String(40))
    pack_name: Mapped[str] = mapped_column(sa.String(60))
    units_per_pack: Mapped[Decimal]
    packs: Mapped[int] = mapped_column(sa.Integer)
    price_per_pack_idr: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), server_default=sa.text("'open'"))
    confirmed_packs: Mapped[int | None] = mapped_column(sa.Integer)
    confirmed_price_per_pack_idr: Mapped[int | None]
    proposed_price_per_pack_idr: Mapped[int | None]
    delivered_quantity: Mapped[Decimal | None]
    delivered_price_per_pack_idr: Mapped[int | None]


class OutboxMessage(Base):
    """A message to send to a supplier, written in the same transaction as what caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending','sending','done','retry','dead')", name="status"),
        sa.Index(
            "ix_outbox_due",
            "due_at",
            postgresql_where=sa.text("status IN ('pending','retry','sending')"),
        ),
    )

    satker_id: Mapped[int] = mapped_column(sa.ForeignKey("satker.id"), primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # place_order | cancel_order
    purchase_order_id: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), server_default=sa.text("'pending'"))
    attempts: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    due_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    done_at: Mapped[datetime | None]


class OutboxAttempt(Base):
    __tablename__ = "outbox_attempt"
    __table_args__ = (child_of("outbox", "outbox_id"),)

    satker_id: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    outbox_id: Mapped[int]
    worker: Mapped[str] = mapped_column(sa.String(100))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(sa.String(20))  # sent | retryable | failed
    error: Mapped[str | None] = mapped_column(sa.Text)


class SupplierEventRecord(Base):
    """Every supplier event, once: the (supplier, event id) key makes re-deliveries no-ops."""

    __tablename__ = "supplier_event"
    __table_args__ = (sa.UniqueConstraint("satker_id", "supplier_id", "event_id"),)

    satker_id: Mapped[int] = mapped_column(sa.ForeignKey("satker.id"), primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("supplier.id"))
    event_id: Mapped[str] = mapped_column(sa.String(200))
    purchase_order_id: Mapped[int]
    event_type: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    outcome: Mapped[str] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = created_at_column()


class SupplierDocumentRecord(Base):
    """Every business document (UBL) a supplier system posted, once per (supplier, document
    type, document ID): the UUID and digest tell a repeat (no change) from a reused ID."""

    __tablename__ = "supplier_document"
    __table_args__ = (
        sa.UniqueConstraint("satker_id", "supplier_id", "kind", "document_id"),
        child_of("purchase_order", "purchase_order_id"),
    )

    satker_id: Mapped[int] = mapped_column(sa.ForeignKey("satker.id"), primary_key=True)
    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("supplier.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))  # OrderResponse | DespatchAdvice | Invoice
    document_id: Mapped[str] = mapped_column(sa.String(200))
    uuid: Mapped[str] = mapped_column(sa.String(100))
    digest: Mapped[str] = mapped_column(sa.String(64))  # sha256 of the body
    purchase_order_id: Mapped[int]
    outcome: Mapped[str] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = created_at_column()
