"""margin rules and dropped lines

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 13:37:54.660037
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "margin_rule",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("target_margin", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("min_margin", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.CheckConstraint(
            "category IN ('sembako','fresh','protein','household')",
            name=op.f("ck_margin_rule_category"),
        ),
        sa.CheckConstraint("min_margin <= target_margin", name=op.f("ck_margin_rule_order")),
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_margin_rule_satker_id_satker")
        ),
        sa.PrimaryKeyConstraint("satker_id", "category", name=op.f("pk_margin_rule")),
    )
    op.add_column(
        "restock_line", sa.Column("dropped_reason", sa.String(length=1000), nullable=True)
    )


def downgrade() -> None:

    op.drop_column("restock_line", "dropped_reason")
    op.drop_table("margin_rule")
