"""fulfilment and settlement

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 15:34:16.738279
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settlement",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("bulk_buy_id", sa.BigInteger(), nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("supplier_billed_idr", sa.BigInteger(), nullable=False),
        sa.Column("invoiced_idr", sa.BigInteger(), nullable=False),
        sa.Column("ordered_value_idr", sa.BigInteger(), nullable=False),
        sa.Column("delivered_value_idr", sa.BigInteger(), nullable=False),
        sa.Column(
            "settled_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"],
            ["bulk_buy.satker_id", "bulk_buy.id"],
            name=op.f("fk_settlement_satker_id_bulk_buy_id_bulk_buy"),
        ),
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_settlement_satker_id_satker")
        ),
        sa.PrimaryKeyConstraint("satker_id", "bulk_buy_id", name=op.f("pk_settlement")),
    )
    op.create_table(
        "invoice",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bulk_buy_id", sa.BigInteger(), nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column("warung_id", sa.BigInteger(), nullable=True),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("goods_idr", sa.BigInteger(), nullable=False),
        sa.Column("fees_idr", sa.BigInteger(), nullable=False),
        sa.Column("total_idr", sa.BigInteger(), nullable=False),
        sa.Column("market_value_idr", sa.BigInteger(), nullable=False),
        sa.Column("savings_idr", sa.BigInteger(), nullable=False),
        sa.Column("customer_savings_idr", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'open'"), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("status IN ('open','paid')", name=op.f("ck_invoice_status")),
        sa.ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"],
            ["settlement.satker_id", "settlement.bulk_buy_id"],
            name=op.f("fk_invoice_satker_id_bulk_buy_id_settlement"),
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_invoice")),
        sa.UniqueConstraint(
            "satker_id",
            "bulk_buy_id",
            "warung_id",
            name=op.f("uq_invoice_satker_id_bulk_buy_id_warung_id"),
        ),
    )
    op.create_table(
        "product_delivery",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("bulk_buy_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("ordered", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("delivered", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("satker_stock", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_product_delivery_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"],
            ["settlement.satker_id", "settlement.bulk_buy_id"],
            name=op.f("fk_product_delivery_satker_id_bulk_buy_id_settlement"),
        ),
        sa.PrimaryKeyConstraint(
            "satker_id", "bulk_buy_id", "product_id", name=op.f("pk_product_delivery")
        ),
    )
    op.create_table(
        "warung_delivery",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("bulk_buy_id", sa.BigInteger(), nullable=False),
        sa.Column("warung_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("requested", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("preorder", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("allocated", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("surplus", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "receipt", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("received", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("damaged", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("note", sa.String(length=500), server_default=sa.text("''"), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "receipt IN ('pending','received','short','damaged')",
            name=op.f("ck_warung_delivery_receipt"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_warung_delivery_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"],
            ["settlement.satker_id", "settlement.bulk_buy_id"],
            name=op.f("fk_warung_delivery_satker_id_bulk_buy_id_settlement"),
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "warung_id"],
            ["warung.satker_id", "warung.id"],
            name=op.f("fk_warung_delivery_satker_id_warung_id_warung"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_warung_delivery_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint(
            "satker_id", "bulk_buy_id", "warung_id", "product_id", name=op.f("pk_warung_delivery")
        ),
    )
    op.create_table(
        "invoice_line",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("goods_idr", sa.BigInteger(), nullable=False),
        sa.Column("fee_idr", sa.BigInteger(), nullable=False),
        sa.Column("terms", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_invoice_line_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "invoice_id"],
            ["invoice.satker_id", "invoice.id"],
            name=op.f("fk_invoice_line_satker_id_invoice_id_invoice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_invoice_line_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("satker_id", "invoice_id", "line_no", name=op.f("pk_invoice_line")),
    )


def downgrade() -> None:
    op.drop_table("invoice_line")
    op.drop_table("warung_delivery")
    op.drop_table("product_delivery")
    op.drop_table("invoice")
    op.drop_table("settlement")
