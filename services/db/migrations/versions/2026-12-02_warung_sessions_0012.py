"""warung sessions: a web session may belong to a warung owner's phone, opened by a signed,
single-use sign-in link

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "web_session",
        sa.Column("kind", sa.String(length=10), server_default=sa.text("'user'"), nullable=False),
    )
    op.add_column("web_session", sa.Column("satker_id", sa.BigInteger(), nullable=True))
    op.add_column("web_session", sa.Column("warung_id", sa.BigInteger(), nullable=True))
    op.alter_column("web_session", "user_id", existing_type=sa.BigInteger(), nullable=True)
    op.create_check_constraint(
        op.f("ck_web_session_kind"),
        "web_session",
        "(kind = 'user' AND user_id IS NOT NULL AND warung_id IS NULL)"
        " OR (kind = 'warung' AND user_id IS NULL AND satker_id IS NOT NULL"
        " AND warung_id IS NOT NULL)",
    )
    op.create_foreign_key(
        op.f("fk_web_session_satker_id_warung"),
        "web_session",
        "warung",
        ["satker_id", "warung_id"],
        ["satker_id", "id"],
        ondelete="CASCADE",
    )
    op.create_index("ix_web_session_warung", "web_session", ["satker_id", "warung_id"])
    op.create_table(
        "warung_sign_in_link",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("satker_id", sa.BigInteger(), nullable=False),
        sa.Column("warung_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["satker_id", "warung_id"],
            ["warung.satker_id", "warung.id"],
            name=op.f("fk_warung_sign_in_link_satker_id_warung"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warung_sign_in_link")),
    )
    op.create_index(
        "ix_warung_sign_in_link_warung", "warung_sign_in_link", ["satker_id", "warung_id"]
    )


def downgrade() -> None:
    op.drop_table("warung_sign_in_link")
    op.execute("DELETE FROM web_session WHERE kind <> 'user'")
    op.drop_index("ix_web_session_warung", table_name="web_session")
    op.drop_constraint(op.f("fk_web_session_satker_id_warung"), "web_session", type_="foreignkey")
    op.drop_constraint(op.f("ck_web_session_kind"), "web_session", type_="check")
    op.alter_column("web_session", "user_id", existing_type=sa.BigInteger(), nullable=False)
    op.drop_column("web_session", "warung_id")
    op.drop_column("web_session", "satker_id")
    op.drop_column("web_session", "kind")
