"""invoice serials and cancel reasons: each satker numbers its invoices 1, 2, 3, … in the
order they are issued, and a cancelled purchase order keeps the coordinator's reason

A per-satker counter (``invoice_counter``) hands out serials at settlement; ``invoice.serial``
is unique per satker and so is ``invoice.number``. Invoices issued before keep the number they
were issued with (a number never changes once issued) and get serials in the order they were
written; the counter starts after them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "purchase_order", sa.Column("cancel_reason", sa.String(length=500), nullable=True)
    )
    op.create_table(
        "invoice_counter",
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["satker_id"], ["satker.id"], name=op.f("fk_invoice_counter_satker_id_satker")
        ),
        sa.PrimaryKeyConstraint("satker_id", name=op.f("pk_invoice_counter")),
    )
    op.add_column("invoice", sa.Column("serial", sa.BigInteger(), nullable=True))
    op.execute(
        """
        UPDATE invoice i SET serial = s.serial
        FROM (SELECT satker_id, id,
                     row_number() OVER (PARTITION BY satker_id ORDER BY created_at, id) AS serial
              FROM invoice) s
        WHERE i.satker_id = s.satker_id AND i.id = s.id
        """
    )
    # numbers issued before were unique per (cycle, warung); should two bulk buys of one cycle
    # ever have been settled, the later ones take the serial form
    op.execute(
        """
        UPDATE invoice i SET number = 'INV-' || i.satker_id || '-' || lpad(i.serial::text, 6, '0')
        WHERE EXISTS (SELECT 1 FROM invoice o WHERE o.satker_id = i.satker_id
                      AND o.number = i.number AND o.serial < i.serial)
        """
    )
    op.execute(
        "INSERT INTO invoice_counter (satker_id, last_serial)"
        " SELECT satker_id, max(serial) FROM invoice GROUP BY satker_id"
    )
    op.alter_column("invoice", "serial", nullable=False)
    op.create_unique_constraint(
        op.f("uq_invoice_satker_id_serial"), "invoice", ["satker_id", "serial"]
    )
    op.create_unique_constraint(
        op.f("uq_invoice_satker_id_number"), "invoice", ["satker_id", "number"]
    )


def downgrade() -> None:
    op.drop_constraint(op.f("uq_invoice_satker_id_number"), "invoice", type_="unique")
    op.drop_constraint(op.f("uq_invoice_satker_id_serial"), "invoice", type_="unique")
    op.drop_column("invoice", "serial")
    op.drop_table("invoice_counter")
    op.drop_column("purchase_order", "cancel_reason")
