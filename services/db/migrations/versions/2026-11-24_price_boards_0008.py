"""price boards

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 15:21:50.403620
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "price_board_entry",
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("board_date", sa.Date(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("grade", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("min_idr", sa.BigInteger(), nullable=False),
        sa.Column("max_idr", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.String(length=60), nullable=False),
        sa.CheckConstraint("min_idr <= max_idr", name=op.f("ck_price_board_entry_range")),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier.id"],
            name=op.f("fk_price_board_entry_supplier_id_supplier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "supplier_id", "board_date", "sku", "grade", "unit", name=op.f("pk_price_board_entry")
        ),
    )


def downgrade() -> None:
    op.drop_table("price_board_entry")
