"""Declarative base: constraint naming convention, UTC timestamps at the column, the columns of
a versioned row and the foreign key of a tenant's child row."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKeyConstraint, Integer, MetaData, Numeric, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

Quantity = Numeric(14, 3)
Fraction = Numeric(7, 4)


class Base(DeclarativeBase):
    metadata = metadata
    type_annotation_map = {
        datetime: DateTimeUTC(timezone=True),
        int: BigInteger,
        Decimal: Quantity,
    }


def created_at_column() -> Mapped[datetime]:
    return mapped_column(DateTimeUTC(timezone=True), server_default=func.now(), nullable=False)


class Versioned:
    """A row changed under If-Match: its version, when it was made and when last changed."""

    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()


def child_of(parent: str, key: str) -> ForeignKeyConstraint:
    """``(satker_id, key)`` → ``parent(satker_id, id)``: a row deleted with its parent."""
    return ForeignKeyConstraint(
        ["satker_id", key], [f"{parent}.satker_id", f"{parent}.id"], ondelete="CASCADE"
    )
