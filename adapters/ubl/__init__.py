"""UBL 2.1 supplier systems (ERPs such as Odoo with the OCA UBL modules): Orders and
OrderCancellations out; OrderResponse, DespatchAdvice and Invoice in; kulakan's own Orders and
warung Invoices as documents; and a simulator of such a supplier."""

from adapters.ubl.adapter import UblAdapter, UblConfig, parse_config, read_document
from adapters.ubl.factory import UblAdapterFactory, UblFactory

__all__ = [
    "UblAdapter",
    "UblAdapterFactory",
    "UblConfig",
    "UblFactory",
    "parse_config",
    "read_document",
]
