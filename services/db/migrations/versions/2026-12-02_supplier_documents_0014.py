"""supplier documents: each UBL document a supplier system posted, once per (supplier, type,
document ID), with its UUID and digest, so a repeat changes nothing and a reused ID with other
content is refused

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplier_document",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=200), nullable=False),
        sa.Column("uuid", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("purchase_order_id", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_supplier_document_satker_id_satker")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier.id"],
            name=op.f("fk_supplier_document_supplier_id_supplier"),
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "purchase_order_id"],
            ["purchase_order.satker_id", "purchase_order.id"],
            name=op.f("fk_supplier_document_satker_id_purchase_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("satker_id", "id", name=op.f("pk_supplier_document")),
        sa.UniqueConstraint(
            "satker_id",
            "supplier_id",
            "kind",
            "document_id",
            name=op.f("uq_supplier_document_satker_id_supplier_id_kind_document_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("supplier_document")
