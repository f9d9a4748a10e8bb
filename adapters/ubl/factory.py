"""The UBL adapter's factory: builds adapters, writes kulakan's documents as UBL (the core
asks it for a purchase order as an Order and a warung's invoice as an Invoice) and runs the
simulator of a UBL-speaking supplier."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from adapters.ubl.adapter import CAPABILITIES, KEY, UblAdapter, parse_config
from adapters.ubl.writing import invoice_xml, order_xml
from contracts.adapter import AdapterContext, PurchaseOrderRequest
from contracts.documents import InvoiceDocument


class UblFactory:
    key = KEY
    capabilities = CAPABILITIES
    media_type = "application/xml"

    def validate_config(self, config: Mapping[str, Any]) -> None:
        parse_config(config)

    def create(self, config: Mapping[str, Any], context: AdapterContext) -> UblAdapter:
        return UblAdapter(parse_config(config), context)

    def order_document(self, order: PurchaseOrderRequest, issued_at: datetime) -> bytes:
        return order_xml(order, issued_at)

    def invoice_document(self, invoice: InvoiceDocument) -> bytes:
        issued = datetime.combine(invoice.issued_on, datetime.min.time(), tzinfo=UTC)
        return invoice_xml(invoice, issued)

    def simulated_skus(self) -> frozenset[str]:
        """The simulator sells whatever its supplier's price list names; it has none of its own."""
        return frozenset()

    def check_catalogue(self, path: str) -> str | None:
        return None

    def run_simulator(self, host: str, port: int, options: Mapping[str, Any]) -> None:
        from adapters.ubl.simulator import SimulatorConfig, run_simulator

        run_simulator(host, port, msgspec.convert(dict(options), SimulatorConfig))


UblAdapterFactory = UblFactory()
