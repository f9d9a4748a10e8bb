"""UBL test helpers: a world with two UBL suppliers and an order, signed posting, and the
hostile documents every UBL test refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from adapters.signing import signed_headers
from adapters.ubl import supplier_side, xml
from adapters.ubl.writing import order_xml
from contracts.adapter import OrderLine, PurchaseOrderRequest
from contracts.api.catalogue import SupplierCreate
from services.app.purchase_orders import NewLine, NewPurchaseOrder, create_purchase_orders
from services.app.suppliers import create_supplier
from services.db.tx import Tx

PRICE_LIST = [
    {
        "sku": "PATIN",
        "item_id": "SP-PATIN-1KG",
        "pack_name": "kg",
        "units_per_pack": "1",
        "price_per_pack_idr": 21_000,
    },
    {
        "sku": "TEMPE",
        "item_id": "SP-TEMPE-10",
        "pack_name": "kotak 10 papan",
        "units_per_pack": "10",
        "price_per_pack_idr": 42_000,
    },
]

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol9;</Invoice>
"""


def xxe(path: str) -> bytes:
    """A document whose note would carry the contents of a local file, if entities resolved."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE OrderResponse [<!ENTITY secret SYSTEM "file://{path}">]>
<OrderResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>XXE-1</cbc:ID><cbc:Note>&secret;</cbc:Note></OrderResponse>
""".encode()


def huge(size: int = 20 * 1024 * 1024) -> bytes:
    head = b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><Note>'
    return head + b"x" * (size - len(head) - 17) + b"</Note></Invoice>"


def deep(levels: int = 5000) -> bytes:
    return b"<a>" * levels + b"</a>" * levels


def signed(secret: str, body: bytes) -> dict[str, str]:
    return {"content-type": "application/xml", **signed_headers(secret, body, datetime.now(UTC))}


async def ubl_suppliers(engine, adapters, base_url: str = "http://127.0.0.1:9") -> list:
    made = []
    async with Tx(engine) as tx:
        for name in ("CV Sumber Pangan", "UD Lain"):
            made.append(
                await create_supplier(
                    tx,
                    SupplierCreate(
                        name=name,
                        adapter_key="ubl",
                        adapter_config={"base_url": base_url, "price_list": PRICE_LIST},
                        delivery_fee_idr=30_000,
                    ),
                    adapters,
                )
            )
    return made


async def ubl_order(engine, satker: int, supplier: int, products: dict[str, int], now) -> tuple:
    """A purchase order of 12 kg patin and 3 boxes of tempe; returns (id, number)."""
    order = NewPurchaseOrder(
        supplier_id=supplier,
        delivery_fee_idr=30_000,
        lines=(
            NewLine(
                product_id=products["PATIN"],
                sku="PATIN",
                pack_name="kg",
                units_per_pack=Decimal(1),
                packs=12,
                price_per_pack_idr=21_000,
            ),
            NewLine(
                product_id=products["TEMPE"],
                sku="TEMPE",
                pack_name="kotak 10 papan",
                units_per_pack=Decimal(10),
                packs=3,
                price_per_pack_idr=42_000,
            ),
        ),
    )
    async with Tx(engine) as tx:
        [made] = await create_purchase_orders(tx, satker, [order], now)
    return made


async def products(engine) -> dict[str, int]:
    async with Tx(engine) as tx:
        raw = await tx.raw()
        return {
            sku: await raw.fetchval(
                "INSERT INTO product (sku, name, category, retail_unit) VALUES ($1, $2, $3, $4)"
                " RETURNING id",
                sku,
                name,
                category,
                unit,
            )
            for sku, name, category, unit in [
                ("PATIN", "Ikan patin", "protein", "kg"),
                ("TEMPE", "Tempe papan", "protein", "pcs"),
            ]
        }


def received(po_number: str) -> supplier_side.ReceivedOrder:
    """What the supplier system read from the Order of ``po_number`` (as ubl_order made it)."""
    order = PurchaseOrderRequest(
        po_number=po_number,
        supplier_id=0,
        delivery_fee_idr=30_000,
        lines=(
            OrderLine(
                line_no=1,
                sku="PATIN",
                pack_name="kg",
                units_per_pack=Decimal(1),
                packs=12,
                price_per_pack_idr=21_000,
                product_name="Ikan patin",
                retail_unit="kg",
            ),
            OrderLine(
                line_no=2,
                sku="TEMPE",
                pack_name="kotak 10 papan",
                units_per_pack=Decimal(10),
                packs=3,
                price_per_pack_idr=42_000,
                product_name="Tempe papan",
                retail_unit="pcs",
            ),
        ),
    )
    return supplier_side.received_order(xml.parse(order_xml(order, datetime.now(UTC))))
