"""registry and access

Revision ID: 0001
Revises:
Create Date: 2026-11-24 11:54:03.769059
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_key",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("satker_id", sa.BigInteger(), nullable=True),
        sa.Column("warung_id", sa.BigInteger(), nullable=True),
        sa.Column("supplier_id", sa.BigInteger(), nullable=True),
        sa.Column("label", sa.String(length=200), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(role = 'admin') OR (role = 'coordinator' AND satker_id IS NOT NULL) OR (role = 'warung' AND satker_id IS NOT NULL AND warung_id IS NOT NULL) OR (role = 'supplier' AND supplier_id IS NOT NULL)",
            name=op.f("ck_api_key_scope"),
        ),
        sa.CheckConstraint(
            "role IN ('admin','coordinator','warung','supplier')", name=op.f("ck_api_key_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("principal", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("response_body", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_index(
        "ix_idempotency_record_expires_at", "idempotency_record", ["expires_at"], unique=False
    )
    op.create_table(
        "product",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("retail_unit", sa.String(length=20), nullable=False),
        sa.Column("fractional", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("vat", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("target_margin", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("min_margin", sa.Numeric(precision=7, scale=4), nullable=True),
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
            "category IN ('sembako','fresh','protein','household')",
            name=op.f("ck_product_category"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_sku")),
    )
    op.create_table(
        "satker",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kecamatan", sa.String(length=100), nullable=False),
        sa.Column("kota", sa.String(length=100), nullable=False),
        sa.Column("province", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.Column(
            "second_approval_threshold_idr",
            sa.BigInteger(),
            server_default=sa.text("50000000"),
            nullable=False,
        ),
        sa.Column(
            "below_market_pct",
            sa.Numeric(precision=7, scale=4),
            server_default=sa.text("0.05"),
            nullable=False,
        ),
        sa.Column(
            "target_margin",
            sa.Numeric(precision=7, scale=4),
            server_default=sa.text("0.08"),
            nullable=False,
        ),
        sa.Column(
            "min_margin",
            sa.Numeric(precision=7, scale=4),
            server_default=sa.text("0.02"),
            nullable=False,
        ),
        sa.Column("price_step_idr", sa.Integer(), server_default=sa.text("100"), nullable=False),
        sa.Column(
            "price_tolerance_pct",
            sa.Numeric(precision=7, scale=4),
            server_default=sa.text("0.03"),
            nullable=False,
        ),
        sa.Column(
            "pack_policy",
            sa.String(length=20),
            server_default=sa.text("'round_up'"),
            nullable=False,
        ),
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
            "pack_policy IN ('round_up','round_down')", name=op.f("ck_satker_pack_policy")
        ),
        sa.CheckConstraint(
            "timezone IN ('Asia/Jakarta','Asia/Makassar','Asia/Jayapura')",
            name=op.f("ck_satker_tz"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satker")),
        sa.UniqueConstraint("name", name=op.f("uq_satker_name")),
    )
    op.create_table(
        "supplier",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("adapter_key", sa.String(length=60), nullable=False),
        sa.Column(
            "adapter_config",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "regions",
            postgresql.ARRAY(sa.String(length=100)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("delivery_fee_idr", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "min_order_value_idr", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "payment_terms", sa.String(length=20), server_default=sa.text("'cod'"), nullable=False
        ),
        sa.Column("tempo_days", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "contact_phone", sa.String(length=30), server_default=sa.text("''"), nullable=False
        ),
        sa.Column("webhook_secret", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
            "payment_terms IN ('cod','tempo','consignment')", name=op.f("ck_supplier_payment_terms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier")),
        sa.UniqueConstraint("name", name=op.f("uq_supplier_name")),
    )
    op.create_table(
        "market_price",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("kota", sa.String(length=100), nullable=False),
        sa.Column("price_date", sa.Date(), nullable=False),
        sa.Column("price_idr", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_market_price_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_price")),
        sa.UniqueConstraint(
            "product_id",
            "kota",
            "price_date",
            "source",
            name=op.f("uq_market_price_product_id_kota_price_date_source"),
        ),
    )
    op.create_index(
        "ix_market_price_lookup", "market_price", ["product_id", "kota", "price_date"], unique=False
    )
    op.create_table(
        "price_ceiling",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("price_idr", sa.BigInteger(), nullable=False),
        sa.Column(
            "regulation", sa.String(length=200), server_default=sa.text("''"), nullable=False
        ),
        sa.CheckConstraint("kind IN ('HET','HAP')", name=op.f("ck_price_ceiling_kind")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_price_ceiling_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_ceiling")),
        sa.UniqueConstraint(
            "product_id", "region", "kind", name=op.f("uq_price_ceiling_product_id_region_kind")
        ),
    )
    op.create_table(
        "product_pack",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("pack_name", sa.String(length=60), nullable=False),
        sa.Column("units_per_pack", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.CheckConstraint("units_per_pack > 0", name=op.f("ck_product_pack_units_positive")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_pack_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_pack")),
        sa.UniqueConstraint(
            "product_id", "pack_name", name=op.f("uq_product_pack_product_id_pack_name")
        ),
    )
    op.create_table(
        "warung",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("kota", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_warung_satker_id_satker")
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_warung")),
        sa.UniqueConstraint("satker_id", "name", name=op.f("uq_warung_satker_id_name")),
    )


def downgrade() -> None:

    op.drop_table("warung")
    op.drop_table("product_pack")
    op.drop_table("price_ceiling")
    op.drop_index("ix_market_price_lookup", table_name="market_price")
    op.drop_table("market_price")
    op.drop_table("supplier")
    op.drop_table("satker")
    op.drop_table("product")
    op.drop_index("ix_idempotency_record_expires_at", table_name="idempotency_record")
    op.drop_table("idempotency_record")
    op.drop_table("api_key")
