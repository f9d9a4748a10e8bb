"""API keys and stored idempotent responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Identity, Index, Integer, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, created_at_column


class ApiKey(Base):
    """A bearer key: ``kul_<prefix>_<secret>``. Only the prefix and a SHA-256 of the whole key
    are stored; the key itself is shown once."""

    __tablename__ = "api_key"
    __table_args__ = (
        CheckConstraint("role IN ('admin','coordinator','warung','supplier')", name="role"),
        CheckConstraint(
            "(role = 'admin') OR (role = 'coordinator' AND satker_id IS NOT NULL)"
            " OR (role = 'warung' AND satker_id IS NOT NULL AND warung_id IS NOT NULL)"
            " OR (role = 'supplier' AND supplier_id IS NOT NULL)",
            name="scope",
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    satker_id: Mapped[int | None]
    warung_id: Mapped[int | None]
    supplier_id: Mapped[int | None]
    label: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[datetime] = created_at_column()
    revoked_at: Mapped[datetime | None]


class IdempotencyRecord(Base):
    """The first response to a POST with an ``Idempotency-Key``, per principal, kept 24 h.

    The row is inserted in the same transaction as the request's own writes, so two
    concurrent requests with one key serialise on its primary key and only one does the work.
    """

    __tablename__ = "idempotency_record"
    __table_args__ = (Index("ix_idempotency_record_expires_at", "expires_at"),)

    principal: Mapped[str] = mapped_column(String(60), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status_code: Mapped[int] = mapped_column(Integer)
    response_headers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    response_body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
