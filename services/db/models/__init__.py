"""All tables. Importing this package registers every model on the shared metadata."""

from services.db.models.access import ApiKey, IdempotencyRecord
from services.db.models.bulk_buy import BulkBuy, BulkBuyAllocation, BulkBuyLine, BulkBuyQuote
from services.db.models.demand import (
    CycleTemplate,
    OrderCycle,
    Preorder,
    RestockLine,
    RestockRequest,
    StockLevel,
    StockMovement,
)
from services.db.models.fulfilment import (
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    ProductDelivery,
    Settlement,
    WarungDelivery,
)
from services.db.models.purchasing import (
    OutboxAttempt,
    OutboxMessage,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplierDocumentRecord,
    SupplierEventRecord,
)
from services.db.models.registry import (
    MarginRule,
    MarketPrice,
    PriceBoardEntry,
    PriceCeiling,
    Product,
    ProductPack,
    Satker,
    Supplier,
    Warung,
)
from services.db.models.web import AppUser, WarungSignInLink, WebSession

__all__ = [
    "ApiKey",
    "AppUser",
    "BulkBuy",
    "BulkBuyAllocation",
    "BulkBuyLine",
    "BulkBuyQuote",
    "CycleTemplate",
    "IdempotencyRecord",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "MarginRule",
    "MarketPrice",
    "OrderCycle",
    "OutboxAttempt",
    "OutboxMessage",
    "Preorder",
    "PriceBoardEntry",
    "PriceCeiling",
    "Product",
    "ProductDelivery",
    "ProductPack",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "RestockLine",
    "RestockRequest",
    "Satker",
    "Settlement",
    "StockLevel",
    "StockMovement",
    "Supplier",
    "SupplierDocumentRecord",
    "SupplierEventRecord",
    "Warung",
    "WarungDelivery",
    "WarungSignInLink",
    "WebSession",
]
