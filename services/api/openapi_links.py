"""The OpenAPI document's ``links``: from operations that create or list something to those
that act on it, so a client (and stateful fuzzing) can walk the flows."""

from __future__ import annotations

from typing import Any


def _link(operation_id: str, description: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "description": description, "parameters": parameters}


_RESTOCK = "$response.body#/id"
_ETAG = "$response.header.ETag"
# (method, path, status) -> links; expressions follow OpenAPI 3.1 runtime expressions.
LINKS: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {
    ("post", "/v1/restock-requests", "201"): {
        "GetRestockRequest": _link(
            "V1RestockRequestsRequestIdGetRequest", "the request made", request_id=_RESTOCK
        ),
        "SubmitRestockRequest": _link(
            "V1RestockRequestsRequestIdSubmitSubmit",
            "submit it",
            request_id=_RESTOCK,
            **{"header.If-Match": _ETAG},
        ),
        "CancelRestockRequest": _link(
            "V1RestockRequestsRequestIdCancelCancel",
            "cancel it",
            request_id=_RESTOCK,
            **{"header.If-Match": _ETAG},
        ),
        "ReplaceRestockLines": _link(
            "V1RestockRequestsRequestIdLinesReplaceLines",
            "change its lines",
            request_id=_RESTOCK,
            **{"header.If-Match": _ETAG},
        ),
    },
    ("get", "/v1/satkers/{satker_id}/cycles", "200"): {
        "GetCycle": _link(
            "V1SatkersSatkerIdCyclesCycleIdGetCycle",
            "the first cycle listed",
            satker_id="$request.path.satker_id",
            cycle_id="$response.body#/items/0/id",
        ),
        "BuildBulkBuy": _link(
            "V1SatkersSatkerIdCyclesCycleIdBulkBuyBuild",
            "consolidate the first cycle listed",
            satker_id="$request.path.satker_id",
            cycle_id="$response.body#/items/0/id",
        ),
    },
    ("get", "/v1/satkers/{satker_id}/cycles/{cycle_id}", "200"): {
        "BuildBulkBuy": _link(
            "V1SatkersSatkerIdCyclesCycleIdBulkBuyBuild",
            "consolidate this cycle",
            satker_id="$request.path.satker_id",
            cycle_id="$response.body#/id",
        ),
        "CycleDemand": _link(
            "V1SatkersSatkerIdCyclesCycleIdDemandDemand",
            "its demand",
            satker_id="$request.path.satker_id",
            cycle_id="$response.body#/id",
        ),
    },
    ("post", "/v1/satkers/{satker_id}/cycles/{cycle_id}/bulk-buy", "201"): {
        "ReviewBulkBuy": _link(
            "V1SatkersSatkerIdBulkBuysBulkBuyIdReview",
            "review the bulk buy",
            satker_id="$request.path.satker_id",
            bulk_buy_id="$response.body#/id",
        ),
        "ApproveBulkBuy": _link(
            "V1SatkersSatkerIdBulkBuysBulkBuyIdApproveApprove",
            "approve the version built",
            satker_id="$request.path.satker_id",
            bulk_buy_id="$response.body#/id",
            **{"header.If-Match": _ETAG},
        ),
        "RejectBulkBuy": _link(
            "V1SatkersSatkerIdBulkBuysBulkBuyIdRejectReject",
            "reject it",
            satker_id="$request.path.satker_id",
            bulk_buy_id="$response.body#/id",
            **{"header.If-Match": _ETAG},
        ),
    },
    ("get", "/v1/satkers/{satker_id}/bulk-buys/{bulk_buy_id}", "200"): {
        "ApproveBulkBuy": _link(
            "V1SatkersSatkerIdBulkBuysBulkBuyIdApproveApprove",
            "approve the version reviewed",
            satker_id="$request.path.satker_id",
            bulk_buy_id="$request.path.bulk_buy_id",
            **{"header.If-Match": _ETAG},
        ),
        "Settlement": _link(
            "V1SatkersSatkerIdBulkBuysBulkBuyIdSettlementSettlement",
            "its settlement",
            satker_id="$request.path.satker_id",
            bulk_buy_id="$request.path.bulk_buy_id",
        ),
    },
    ("get", "/v1/satkers/{satker_id}/purchase-orders", "200"): {
        "GetPurchaseOrder": _link(
            "V1SatkersSatkerIdPurchaseOrdersPoIdGetOrder",
            "the first order listed",
            satker_id="$request.path.satker_id",
            po_id="$response.body#/items/0/id",
        ),
    },
    ("get", "/v1/satkers/{satker_id}/purchase-orders/{po_id}", "200"): {
        "CancelPurchaseOrder": _link(
            "V1SatkersSatkerIdPurchaseOrdersPoIdCancelCancel",
            "cancel this order",
            satker_id="$request.path.satker_id",
            po_id="$request.path.po_id",
            **{"header.If-Match": _ETAG},
        ),
    },
    ("get", "/v1/supplier/purchase-orders", "200"): {
        "PostEvent": _link(
            "V1SupplierPurchaseOrdersPoIdEventsPostEvent",
            "report an event on the first order listed",
            po_id="$response.body#/items/0/id",
        ),
    },
    ("post", "/v1/satkers", "201"): {
        "GetSatker": _link("V1SatkersSatkerIdGetSatker", "the satker", satker_id=_RESTOCK),
        "CreateWarung": _link(
            "V1SatkersSatkerIdWarungsCreateWarung", "add a warung", satker_id=_RESTOCK
        ),
    },
    ("post", "/v1/satkers/{satker_id}/warungs", "201"): {
        "GetWarung": _link(
            "V1SatkersSatkerIdWarungsWarungIdGetWarung",
            "the warung",
            satker_id="$request.path.satker_id",
            warung_id=_RESTOCK,
        ),
    },
    ("post", "/v1/products", "201"): {
        "GetProduct": _link("V1ProductsProductIdGetProduct", "the product", product_id=_RESTOCK),
    },
    ("post", "/v1/suppliers", "201"): {
        "GetSupplier": _link(
            "V1SuppliersSupplierIdGetSupplier", "the supplier", supplier_id=_RESTOCK
        ),
    },
}
