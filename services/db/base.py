"""Declarative base: constraint naming convention and UTC timestamps at the column."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, MetaData, Numeric, func
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
