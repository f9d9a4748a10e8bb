"""demand and cycles: stock, pre-orders, order cycles, restock requests

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-24 12:16:24.756387
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cycle_template",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("cadence", sa.String(length=10), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=True),
        sa.Column("opens_at", sa.Time(), nullable=False),
        sa.Column("cutoff_at", sa.Time(), nullable=False),
        sa.Column("open_days_before", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("delivery_days_after", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("cadence IN ('daily','weekly')", name=op.f("ck_cycle_template_cadence")),
        sa.CheckConstraint(
            "open_days_before >= 0 AND delivery_days_after >= 0",
            name=op.f("ck_cycle_template_days"),
        ),
        sa.CheckConstraint(
            "weekday IS NULL OR weekday BETWEEN 0 AND 6", name=op.f("ck_cycle_template_weekday")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_cycle_template_satker_id_satker")
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_cycle_template")),
        sa.UniqueConstraint("satker_id", "name", name=op.f("uq_cycle_template_satker_id_name")),
    )
    op.create_table(
        "order_cycle",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("template_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cutoff_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'scheduled'"), nullable=False
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=60), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('scheduled','open','closed','consolidated','settled')",
            name=op.f("ck_order_cycle_status"),
        ),
        sa.CheckConstraint("opens_at < cutoff_at", name=op.f("ck_order_cycle_window")),
        sa.ForeignKeyConstraint(
            ["satker_id", "template_id"],
            ["cycle_template.satker_id", "cycle_template.id"],
            name=op.f("fk_order_cycle_satker_id_template_id_cycle_template"),
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_order_cycle")),
        sa.UniqueConstraint(
            "satker_id",
            "template_id",
            "cutoff_at",
            name=op.f("uq_order_cycle_satker_id_template_id_cutoff_at"),
        ),
    )
    op.create_index("ix_order_cycle_due", "order_cycle", ["status", "cutoff_at"], unique=False)
    op.create_index(
        "ix_order_cycle_satker_cutoff", "order_cycle", ["satker_id", "cutoff_at"], unique=False
    )
    op.create_table(
        "preorder",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("warung_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("customer_ref", sa.String(length=100), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'open'"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open','served','cancelled')", name=op.f("ck_preorder_status")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_preorder_quantity")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_preorder_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "warung_id"],
            ["warung.satker_id", "warung.id"],
            name=op.f("fk_preorder_satker_id_warung_id_warung"),
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_preorder")),
    )
    op.create_index(
        "ix_preorder_open",
        "preorder",
        ["satker_id", "warung_id", "product_id", "status"],
        unique=False,
    )
    op.create_table(
        "stock_level",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("warung_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "on_hand",
            sa.Numeric(precision=14, scale=3),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "minimum",
            sa.Numeric(precision=14, scale=3),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "maximum",
            sa.Numeric(precision=14, scale=3),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "minimum >= 0 AND maximum >= minimum", name=op.f("ck_stock_level_min_max")
        ),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_level_on_hand")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_stock_level_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "warung_id"],
            ["warung.satker_id", "warung.id"],
            name=op.f("fk_stock_level_satker_id_warung_id_warung"),
        ),
        sa.PrimaryKeyConstraint(
            "satker_id", "warung_id", "product_id", name=op.f("pk_stock_level")
        ),
    )
    op.create_table(
        "restock_request",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("warung_id", sa.BigInteger(), nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), server_default=sa.text("''"), nullable=False),
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
            "status IN ('draft','submitted','locked','consolidated','ordered','delivered','received','cancelled')",
            name=op.f("ck_restock_request_status"),
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "cycle_id"],
            ["order_cycle.satker_id", "order_cycle.id"],
            name=op.f("fk_restock_request_satker_id_cycle_id_order_cycle"),
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "warung_id"],
            ["warung.satker_id", "warung.id"],
            name=op.f("fk_restock_request_satker_id_warung_id_warung"),
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_restock_request")),
    )
    op.create_index(
        "ix_restock_request_cycle",
        "restock_request",
        ["satker_id", "cycle_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_restock_request_warung",
        "restock_request",
        ["satker_id", "warung_id", "id"],
        unique=False,
    )
    op.create_table(
        "stock_movement",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("warung_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("delta", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("on_hand_after", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("note", sa.String(length=500), server_default=sa.text("''"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "reason IN ('count','receipt','sale','adjustment')",
            name=op.f("ck_stock_movement_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "warung_id", "product_id"],
            ["stock_level.satker_id", "stock_level.warung_id", "stock_level.product_id"],
            name=op.f("fk_stock_movement_satker_id_warung_id_product_id_stock_level"),
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_stock_movement")),
    )
    op.create_index(
        "ix_stock_movement_level",
        "stock_movement",
        ["satker_id", "warung_id", "product_id", "id"],
        unique=False,
    )
    op.create_table(
        "restock_line",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("for_preorder", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_restock_line_quantity")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_restock_line_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "request_id"],
            ["restock_request.satker_id", "restock_request.id"],
            name=op.f("fk_restock_line_satker_id_request_id_restock_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("satker_id", "request_id", "line_no", name=op.f("pk_restock_line")),
        sa.UniqueConstraint(
            "satker_id",
            "request_id",
            "product_id",
            name=op.f("uq_restock_line_satker_id_request_id_product_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("restock_line")
    op.drop_index("ix_stock_movement_level", table_name="stock_movement")
    op.drop_table("stock_movement")
    op.drop_index("ix_restock_request_warung", table_name="restock_request")
    op.drop_index("ix_restock_request_cycle", table_name="restock_request")
    op.drop_table("restock_request")
    op.drop_table("stock_level")
    op.drop_index("ix_preorder_open", table_name="preorder")
    op.drop_table("preorder")
    op.drop_index("ix_order_cycle_satker_cutoff", table_name="order_cycle")
    op.drop_index("ix_order_cycle_due", table_name="order_cycle")
    op.drop_table("order_cycle")
    op.drop_table("cycle_template")
