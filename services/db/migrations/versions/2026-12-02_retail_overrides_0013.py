"""retail overrides: a line whose retail price a coordinator changed keeps the record of it
(who, when, the pricing rules' suggestion it replaced, the new price, the reason)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "bulk_buy_line",
        sa.Column("retail_override", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("bulk_buy_line", "retail_override")
