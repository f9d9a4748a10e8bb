"""purchase orders and outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 13:14:16.689363
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "outbox",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("purchase_order_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending','sending','done','retry','dead')", name=op.f("ck_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_outbox_satker_id_satker")
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_outbox")),
    )
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('pending','retry','sending')"),
    )
    op.create_table(
        "purchase_order",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("po_number", sa.String(length=60), nullable=False),
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("bulk_buy_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'draft'"), nullable=False
        ),
        sa.Column("delivery_fee_idr", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("goods_idr", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=True),
        sa.Column(
            "delivery_address", sa.String(length=500), server_default=sa.text("''"), nullable=False
        ),
        sa.Column(
            "contact_name", sa.String(length=200), server_default=sa.text("''"), nullable=False
        ),
        sa.Column(
            "contact_phone", sa.String(length=30), server_default=sa.text("''"), nullable=False
        ),
        sa.Column("supplier_ref", sa.String(length=100), nullable=True),
        sa.Column("confirmation_url", sa.Text(), nullable=True),
        sa.Column("invoice_ref", sa.String(length=100), nullable=True),
        sa.Column("invoiced_total_idr", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('draft','sent','confirmed','changed','rejected','despatched','delivered','invoiced','closed','cancelled')",
            name=op.f("ck_purchase_order_status"),
        ),
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_purchase_order_satker_id_satker")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_purchase_order_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_purchase_order")),
        sa.UniqueConstraint(
            "satker_id", "po_number", name=op.f("uq_purchase_order_satker_id_po_number")
        ),
    )
    op.create_index(
        "ix_purchase_order_supplier_status",
        "purchase_order",
        ["supplier_id", "status", "id"],
        unique=False,
    )
    op.create_table(
        "supplier_event",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("purchase_order_id", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_supplier_event_satker_id_satker")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_supplier_event_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_supplier_event")),
        sa.UniqueConstraint(
            "satker_id",
            "supplier_id",
            "event_id",
            name=op.f("uq_supplier_event_satker_id_supplier_id_event_id"),
        ),
    )
    op.create_table(
        "outbox_attempt",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("outbox_id", sa.BigInteger(), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["satker_id", "outbox_id"],
            ["outbox.satker_id", "outbox.id"],
            name=op.f("fk_outbox_attempt_satker_id_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_outbox_attempt")),
    )
    op.create_table(
        "purchase_order_line",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("purchase_order_id", sa.BigInteger(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("pack_name", sa.String(length=60), nullable=False),
        sa.Column("units_per_pack", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("packs", sa.Integer(), nullable=False),
        sa.Column("price_per_pack_idr", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'open'"), nullable=False),
        sa.Column("confirmed_packs", sa.Integer(), nullable=True),
        sa.Column("confirmed_price_per_pack_idr", sa.BigInteger(), nullable=True),
        sa.Column("proposed_price_per_pack_idr", sa.BigInteger(), nullable=True),
        sa.Column("delivered_quantity", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("delivered_price_per_pack_idr", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("packs > 0", name=op.f("ck_purchase_order_line_packs")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_purchase_order_line_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "purchase_order_id"],
            ["purchase_order.satker_id", "purchase_order.id"],
            name=op.f("fk_purchase_order_line_satker_id_purchase_order_id_purchase_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "satker_id", "purchase_order_id", "line_no", name=op.f("pk_purchase_order_line")
        ),
    )


def downgrade() -> None:

    op.drop_table("purchase_order_line")
    op.drop_table("outbox_attempt")
    op.drop_table("supplier_event")
    op.drop_index("ix_purchase_order_supplier_status", table_name="purchase_order")
    op.drop_table("purchase_order")
    op.drop_index(
        "ix_outbox_due",
        table_name="outbox",
        postgresql_where=sa.text("status IN ('pending','retry','sending')"),
    )
    op.drop_table("outbox")
