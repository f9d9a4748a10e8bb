"""Registry bodies: satkers, warungs, API keys."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from contracts.api.catalogue import Category
from contracts.api.common import (
    Body,
    Fraction,
    Id,
    Name,
    Out,
    Phone,
    ShortText,
    TimeZone,
    field_error,
    single_line,
)
from contracts.money import Rupiah

Margin = Fraction
PriceStep = Annotated[int, msgspec.Meta(ge=1, le=10_000)]


def check_margins(target: Decimal | None, minimum: Decimal | None) -> None:
    """The minimum margin may not exceed the target: one rule for a satker's defaults and a
    category's margin rule."""
    if target is not None and minimum is not None and minimum > target:
        raise field_error("min_margin", "must not exceed target_margin")


class PackPolicy(enum.StrEnum):
    ROUND_UP = "round_up"
    ROUND_DOWN = "round_down"


class SatkerCreate(Body):
    name: Name
    kecamatan: Name
    kota: Name
    province: Name
    timezone: TimeZone
    second_approval_threshold_idr: Rupiah = 50_000_000
    below_market_pct: Margin = Decimal("0.05")
    target_margin: Margin = Decimal("0.08")
    min_margin: Margin = Decimal("0.02")
    price_step_idr: PriceStep = 100
    price_tolerance_pct: Margin = Decimal("0.03")
    pack_policy: PackPolicy = PackPolicy.ROUND_UP

    def __post_init__(self) -> None:
        super().__post_init__()
        check_margins(self.target_margin, self.min_margin)


class SatkerUpdate(Body):
    name: Name | None = None
    second_approval_threshold_idr: Rupiah | None = None
    below_market_pct: Margin | None = None
    target_margin: Margin | None = None
    min_margin: Margin | None = None
    price_step_idr: PriceStep | None = None
    price_tolerance_pct: Margin | None = None
    pack_policy: PackPolicy | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        check_margins(self.target_margin, self.min_margin)


class SatkerOut(Out):
    id: int
    name: str
    kecamatan: str
    kota: str
    province: str
    timezone: str
    second_approval_threshold_idr: int
    below_market_pct: Decimal
    target_margin: Decimal
    min_margin: Decimal
    price_step_idr: int
    price_tolerance_pct: Decimal
    pack_policy: PackPolicy
    version: int
    created_at: datetime


class WarungCreate(Body):
    name: Name
    owner_name: Name
    phone: Phone
    address: ShortText
    kota: Name | None = None  # defaults to the satker's kota


class WarungUpdate(Body):
    name: Name | None = None
    owner_name: Name | None = None
    phone: Phone | None = None
    address: ShortText | None = None
    active: bool | None = None


class WarungOut(Out):
    id: int
    satker_id: int
    name: str
    owner_name: str
    phone: str
    address: str
    kota: str
    active: bool
    version: int
    created_at: datetime


class KeyRole(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    WARUNG = "warung"
    SUPPLIER = "supplier"


class ApiKeyCreate(Body):
    role: KeyRole
    satker_id: Id | None = None
    warung_id: Id | None = None
    supplier_id: Id | None = None
    label: Annotated[str, single_line(200)] = ""


class ApiKeyOut(Out):
    id: int
    prefix: str
    role: KeyRole
    satker_id: int | None
    warung_id: int | None
    supplier_id: int | None
    label: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str  # shown once; only its hash is kept


class MarginRuleSet(Body):
    """A satker's margins for one product category: used for products without their own."""

    target_margin: Margin
    min_margin: Margin

    def __post_init__(self) -> None:
        super().__post_init__()
        check_margins(self.target_margin, self.min_margin)


class MarginRuleOut(Out):
    category: Category
    target_margin: Decimal
    min_margin: Decimal
