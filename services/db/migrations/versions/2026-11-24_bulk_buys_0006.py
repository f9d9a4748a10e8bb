"""bulk buys

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-24 13:19:40.576920
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "bulk_buy",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'draft'"), nullable=False
        ),
        sa.Column("pack_policy", sa.String(length=20), nullable=False),
        sa.Column("solver", sa.String(length=20), server_default=sa.text("''"), nullable=False),
        sa.Column(
            "solver_status", sa.String(length=20), server_default=sa.text("''"), nullable=False
        ),
        sa.Column("mip_gap", sa.Float(), nullable=True),
        sa.Column("solve_ms", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("goods_idr", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("fees_idr", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_idr", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("market_value_idr", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "approvals",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column(
            "pins",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("rejected_reason", sa.Text(), nullable=True),
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
            "status IN ('draft','proposed','approved','ordered','rejected')",
            name=op.f("ck_bulk_buy_status"),
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "cycle_id"],
            ["order_cycle.satker_id", "order_cycle.id"],
            name=op.f("fk_bulk_buy_satker_id_cycle_id_order_cycle"),
        ),
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_bulk_buy_satker_id_satker")
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_bulk_buy")),
        sa.UniqueConstraint("satker_id", "cycle_id", name=op.f("uq_bulk_buy_satker_id_cycle_id")),
    )
    op.create_table(
        "bulk_buy_allocation",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("bulk_buy_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("pack_name", sa.String(length=60), nullable=False),
        sa.Column("units_per_pack", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("packs", sa.Integer(), nullable=False),
        sa.Column("price_per_pack_idr", sa.BigInteger(), nullable=False),
        sa.Column("goods_idr", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_bulk_buy_allocation_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"],
            ["bulk_buy.satker_id", "bulk_buy.id"],
            name=op.f("fk_bulk_buy_allocation_satker_id_bulk_buy_id_bulk_buy"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier.id"],
            name=op.f("fk_bulk_buy_allocation_supplier_id_supplier"),
        ),
        sa.PrimaryKeyConstraint(
            "satker_id",
            "bulk_buy_id",
            "product_id",
            "supplier_id",
            "pack_name",
            name=op.f("pk_bulk_buy_allocation"),
        ),
    )
    op.create_table(
        "bulk_buy_line",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("bulk_buy_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("demand", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("preorder_quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("warungs", sa.Integer(), nullable=False),
        sa.Column("covered", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("surplus", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("backorder", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("unit_cost_idr", sa.BigInteger(), nullable=True),
        sa.Column("suggested_retail_idr", sa.BigInteger(), nullable=True),
        sa.Column("market_ref_idr", sa.BigInteger(), nullable=True),
        sa.Column("het_idr", sa.BigInteger(), nullable=True),
        sa.Column(
            "flags",
            postgresql.ARRAY(sa.String(length=30)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("dropped", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_bulk_buy_line_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"],
            ["bulk_buy.satker_id", "bulk_buy.id"],
            name=op.f("fk_bulk_buy_line_satker_id_bulk_buy_id_bulk_buy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "satker_id", "bulk_buy_id", "product_id", name=op.f("pk_bulk_buy_line")
        ),
    )
    op.create_table(
        "bulk_buy_quote",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("bulk_buy_id", sa.BigInteger(), nullable=False),
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("quote_ref", sa.String(length=100), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_fee_idr", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("quote", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["satker_id", "bulk_buy_id"],
            ["bulk_buy.satker_id", "bulk_buy.id"],
            name=op.f("fk_bulk_buy_quote_satker_id_bulk_buy_id_bulk_buy"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_bulk_buy_quote_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint(
            "satker_id", "bulk_buy_id", "supplier_id", name=op.f("pk_bulk_buy_quote")
        ),
    )


def downgrade() -> None:

    op.drop_table("bulk_buy_quote")
    op.drop_table("bulk_buy_line")
    op.drop_table("bulk_buy_allocation")
    op.drop_table("bulk_buy")
