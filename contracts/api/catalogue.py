"""Shared reference data: products with their packs and price ceilings, suppliers, market prices."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from contracts.api.common import Body, Day, Fraction, Name, Out, Quantity, single_line
from contracts.money import Rupiah

Sku = Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9][A-Z0-9-]{0,39}$", description="e.g. BRS-MED")]
Unit = Annotated[str, single_line(20, min_length=1)]  # pcs, kg, liter, sak…
Region = Annotated[str, single_line(100, min_length=1)]


class Category(enum.StrEnum):
    SEMBAKO = "sembako"
    FRESH = "fresh"
    PROTEIN = "protein"
    HOUSEHOLD = "household"


class CeilingKind(enum.StrEnum):
    HET = "HET"  # legal retail ceiling
    HAP = "HAP"  # government reference price, not a ceiling


class PaymentTerms(enum.StrEnum):
    COD = "cod"
    TEMPO = "tempo"
    CONSIGNMENT = "consignment"


class PriceSource(enum.StrEnum):
    PIHPS = "PIHPS"
    SP2KP = "SP2KP"
    MANUAL = "manual"


class Pack(Body):
    pack_name: Annotated[str, single_line(60, min_length=1)]
    units_per_pack: Quantity  # retail units in one pack


class Ceiling(Body):
    region: Region  # a kota, a HET zone, or "national"
    kind: CeilingKind
    price_idr: Rupiah
    regulation: Annotated[str, single_line(200)] = ""


class ProductCreate(Body):
    sku: Sku
    name: Name
    category: Category
    retail_unit: Unit
    fractional: bool = False
    vat: bool = False
    active: bool = True
    target_margin: Fraction | None = None
    min_margin: Fraction | None = None
    packs: list[Pack] = []
    ceilings: list[Ceiling] = []


class ProductUpdate(Body):
    name: Name | None = None
    category: Category | None = None
    retail_unit: Unit | None = None
    fractional: bool | None = None
    vat: bool | None = None
    active: bool | None = None
    target_margin: Fraction | None = None
    min_margin: Fraction | None = None
    packs: list[Pack] | None = None  # replaces the list when given
    ceilings: list[Ceiling] | None = None


class PackOut(Out):
    pack_name: str
    units_per_pack: Decimal


class CeilingOut(Out):
    region: str
    kind: CeilingKind
    price_idr: int
    regulation: str


class ProductOut(Out):
    id: int
    sku: str
    name: str
    category: Category
    retail_unit: str
    fractional: bool
    vat: bool
    active: bool
    target_margin: Decimal | None
    min_margin: Decimal | None
    packs: list[PackOut]
    ceilings: list[CeilingOut]
    version: int


class SupplierCreate(Body):
    name: Name
    adapter_key: Annotated[str, single_line(60, min_length=1)]
    adapter_config: dict[str, Any] = {}
    regions: list[Region] = []
    delivery_fee_idr: Rupiah = 0
    min_order_value_idr: Rupiah = 0
    payment_terms: PaymentTerms = PaymentTerms.COD
    tempo_days: Annotated[int, msgspec.Meta(ge=0, le=180)] = 0
    contact_phone: Annotated[str, single_line(30)] = ""
    active: bool = True


class SupplierUpdate(Body):
    name: Name | None = None
    adapter_config: dict[str, Any] | None = None
    regions: list[Region] | None = None
    delivery_fee_idr: Rupiah | None = None
    min_order_value_idr: Rupiah | None = None
    payment_terms: PaymentTerms | None = None
    tempo_days: Annotated[int, msgspec.Meta(ge=0, le=180)] | None = None
    contact_phone: Annotated[str, single_line(30)] | None = None
    active: bool | None = None


class SupplierOut(Out):
    id: int
    name: str
    adapter_key: str
    adapter_config: dict[str, Any]
    regions: list[str]
    delivery_fee_idr: int
    min_order_value_idr: int
    payment_terms: PaymentTerms
    tempo_days: int
    contact_phone: str
    active: bool
    version: int


class SupplierCreated(SupplierOut):
    webhook_secret: str  # shown once: signs this supplier's webhooks and links


class MarketPriceCreate(Body):
    sku: Sku
    kota: Region
    price_date: Day
    price_idr: Rupiah  # per retail unit
    source: PriceSource = PriceSource.MANUAL


class MarketPriceOut(Out):
    id: int
    product_id: int
    sku: str
    kota: str
    price_date: date
    price_idr: int
    source: PriceSource
    created_at: datetime
