"""People who sign in to the web console, and their server-side sessions.

Users are few and span tenants (an admin has no satker), so ``app_user`` is a reference-style
table keyed by ``id``; a coordinator's ``satker_id`` scopes everything they see.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Identity, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, created_at_column


class AppUser(Base):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('coordinator','admin')", name="role"),
        CheckConstraint(
            "(role = 'admin' AND satker_id IS NULL)"
            " OR (role = 'coordinator' AND satker_id IS NOT NULL)",
            name="scope",
        ),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    satker_id: Mapped[int | None] = mapped_column(ForeignKey("satker.id"))
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # normalised: 62812…
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None until first sign-in
    # the one-time code ``kulakan users create`` prints; it signs in once, to choose a password
    setup_code_hash: Mapped[str | None] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    locked_until: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()


class WebSession(Base):
    """One signed-in browser. ``id`` is the SHA-256 of the cookie's random token, so a leaked
    table does not hand out sessions."""

    __tablename__ = "web_session"
    __table_args__ = (
        Index("ix_web_session_user_id", "user_id"),
        Index("ix_web_session_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    user_agent: Mapped[str] = mapped_column(String(300), server_default="")
