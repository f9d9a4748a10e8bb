"""All tables. Importing this package registers every model on the shared metadata."""

from services.db.models.access import ApiKey, IdempotencyRecord
from services.db.models.registry import (
    MarketPrice,
    PriceCeiling,
    Product,
    ProductPack,
    Satker,
    Supplier,
    Warung,
)

__all__ = [
    "ApiKey",
    "IdempotencyRecord",
    "MarketPrice",
    "PriceCeiling",
    "Product",
    "ProductPack",
    "Satker",
    "Supplier",
    "Warung",
]
