"""People who sign in to the web console, and their server-side sessions.

Users are few and span tenants (an admin has no satker), so ``app_user`` is a reference-style
table keyed by ``id``; a coordinator's ``satker_id`` scopes everything they see.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, created_at_column


class AppUser(Base):
    __tablename__ = "app_user"
    __table_args__ = (
        sa.CheckConstraint("role IN ('coordinator','admin')", name="role"),
        sa.CheckConstraint(
            "(role = 'admin' AND satker_id IS NULL)"
            " OR (role = 'coordinator' AND satker_id IS NOT NULL)",
            name="scope",
        ),
        sa.CheckConstraint("failed_attempts >= 0", name="failed_attempts"),
    )

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    satker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("satker.id"))
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)  # normalised: 62812…
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))  # None until first sign-in
    # the one-time code ``kulakan users create`` prints; it signs in once, to choose a password
    setup_code_hash: Mapped[str | None] = mapped_column(sa.String(200))
    failed_attempts: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    locked_until: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()


class WebSession(Base):
    """One signed-in browser. ``id`` is the SHA-256 of the cookie's random token, so a leaked
    table does not hand out sessions. ``kind`` says whose: a console ``user``, or a ``warung``
    owner's phone (signed in by a link, scoped to that warung)."""

    __tablename__ = "web_session"
    __table_args__ = (
        sa.Index("ix_web_session_user_id", "user_id"),
        sa.Index("ix_web_session_expires_at", "expires_at"),
        sa.Index("ix_web_session_warung", "satker_id", "warung_id"),
        sa.CheckConstraint(
            "(kind = 'user' AND user_id IS NOT NULL AND warung_id IS NULL)"
            " OR (kind = 'warung' AND user_id IS NULL AND satker_id IS NOT NULL"
            " AND warung_id IS NOT NULL)",
            name="kind",
        ),
        sa.ForeignKeyConstraint(
            ["satker_id", "warung_id"], ["warung.satker_id", "warung.id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), server_default=sa.text("'user'"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"))
    satker_id: Mapped[int | None]
    warung_id: Mapped[int | None]
    created_at: Mapped[datetime] = created_at_column()
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    user_agent: Mapped[str] = mapped_column(sa.String(300), server_default="")


class WarungSignInLink(Base):
    """A sign-in link sent to a warung owner: single use, valid 30 minutes. ``id`` is the
    SHA-256 of the link's nonce."""

    __tablename__ = "warung_sign_in_link"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["satker_id", "warung_id"], ["warung.satker_id", "warung.id"], ondelete="CASCADE"
        ),
        sa.Index("ix_warung_sign_in_link_warung", "satker_id", "warung_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    satker_id: Mapped[int] = mapped_column(primary_key=True)
    warung_id: Mapped[int]
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
