"""citus distribution: on a database with the citus extension, tenant tables become
distributed tables on satker_id (colocated), shared tables reference tables; on plain
PostgreSQL only the sign-in link's key changes

The rule is in ``services.db.citus`` (``place_tables``); a later migration that creates a
table calls it too. ``warung_sign_in_link`` gains ``satker_id`` in its primary key, as every
tenant table has. On Citus the foreign key from ``web_session`` (a local table on the
coordinator: console sessions have no satker) to ``warung`` is dropped, because Citus has no
foreign keys from a local table to a distributed one; a warung's sessions are ended by the
code that deactivates it, and a session of a missing or inactive warung is never honoured.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from alembic import op

from services.db.citus import has_citus, place_tables

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f("pk_warung_sign_in_link"), "warung_sign_in_link", type_="primary")
    op.create_primary_key(
        op.f("pk_warung_sign_in_link"), "warung_sign_in_link", ["id", "satker_id"]
    )
    conn = op.get_bind()
    if has_citus(conn):
        op.drop_constraint(
            op.f("fk_web_session_satker_id_warung"), "web_session", type_="foreignkey"
        )
        place_tables(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if has_citus(conn):
        raise NotImplementedError(
            "undistributing a Citus database is done by hand (undistribute_table per table)"
        )
    op.drop_constraint(op.f("pk_warung_sign_in_link"), "warung_sign_in_link", type_="primary")
    op.create_primary_key(op.f("pk_warung_sign_in_link"), "warung_sign_in_link", ["id"])
