"""settlement rows without per-row reference checks: warung_delivery and invoice_line keep the
foreign key to the row they belong to (settlement, invoice) and drop the ones to product,
supplier and warung

Settlement writes about 75,000 rows into each table for a 2,500-warung cycle in one
transaction. Each foreign key is a check per row (a lookup and a row lock on the referenced
row): about 0.7 s per key per 75,000 rows on a two-core machine, 5 of the 7 keys here. The
values come from rows already checked against the same tables (restock requests → warung,
restock and purchase-order lines → product, purchase orders → supplier), read in the same
transaction, and none of product, supplier or warung is ever deleted (they are deactivated).

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

DROPPED = [
    ("warung_delivery", "fk_warung_delivery_product_id_product", ["product_id"], "product", ["id"]),
    (
        "warung_delivery",
        "fk_warung_delivery_supplier_id_supplier",
        ["supplier_id"],
        "supplier",
        ["id"],
    ),
    (
        "warung_delivery",
        "fk_warung_delivery_satker_id_warung_id_warung",
        ["satker_id", "warung_id"],
        "warung",
        ["satker_id", "id"],
    ),
    ("invoice_line", "fk_invoice_line_product_id_product", ["product_id"], "product", ["id"]),
    ("invoice_line", "fk_invoice_line_supplier_id_supplier", ["supplier_id"], "supplier", ["id"]),
]


def upgrade() -> None:
    for table, name, _, _, _ in DROPPED:
        op.drop_constraint(name, table, type_="foreignkey")


def downgrade() -> None:
    for table, name, columns, referred, referred_columns in DROPPED:
        op.create_foreign_key(name, table, referred, columns, referred_columns)
