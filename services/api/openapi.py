"""What the generated OpenAPI document cannot know by itself, added in one place.

Litestar describes each handler's parameters, body and success response. This module adds,
from the tables below and the routes' own facts:

- the error statuses each operation can answer, all ``application/problem+json`` with one
  shared ``Problem`` schema (public routes have no 401/403; the trader page answers HTML);
- the ``Idempotency-Key`` header on every POST, and the 412 of every route taking If-Match;
- ``links`` from operations that create something to those that act on it, so a client (and
  stateful fuzzing) can walk the flows;
- the bearer security scheme.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.routes import HTTPRoute

from contracts.api.common import MAX_ID

PROBLEM_JSON = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; a problem may carry more members (e.g."
    " current_state, current_version).",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "/problems/<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ProblemFieldError"},
        },
    },
    "additionalProperties": True,
}
FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One bad field: ``pointer`` (a JSON pointer into the body) or ``parameter``"
    " with ``in``.",
    "required": ["detail"],
    "properties": {
        "pointer": {"type": "string"},
        "parameter": {"type": "string"},
        "in": {"type": "string", "enum": ["query", "path", "header", "cookie"]},
        "detail": {"type": "string"},
    },
    "additionalProperties": False,
}

REASONS = {
    400: "Bad input: malformed syntax, a value out of range, or an unknown field",
    401: "No API key, an unknown key, or a revoked key",
    403: "The caller's role may not do this",
    404: "Not found, or not visible to the caller",
    409: "The object's state refuses the action",
    410: "The link has expired or its order was cancelled",
    412: "If-Match names another version of the object",
    413: "The request body is too large",
    415: "The body's Content-Type is not one this operation takes",
    422: "Well-formed input a business rule refuses, or an Idempotency-Key reused with another"
    " request",
    428: "This change needs If-Match",
}

IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Repeating a POST with the same key and body returns the first response;"
    " the same key with another body is refused (422). 1 to 200 characters.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}

# Routes answering HTML, and the statuses they answer with it (besides 200).
HTML_ROUTES: dict[tuple[str, str], tuple[int, ...]] = {
    ("get", "/v1/trader-links/{token}"): (400, 410),
    ("post", "/v1/trader-links/{token}"): (400, 410, 422),
}
# Public routes that authenticate the caller by other means (a signature) and answer 401.
SIGNED_ROUTES = {("post", "/v1/suppliers/{supplier_id}/webhooks")}
# GETs that refuse for the object's state (409), e.g. the board of a supplier keeping none.
STATEFUL_READS = {("get", "/v1/suppliers/{supplier_id}/price-board")}
# Operations whose If-Match is required (a missing one is refused).
IF_MATCH_REQUIRED: dict[tuple[str, str], int] = {
    ("post", "/v1/satkers/{satker_id}/bulk-buys/{bulk_buy_id}/approve"): 400,
}


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

_METHODS = ("get", "put", "post", "patch", "delete")


def _doc_path(path: str) -> str:
    """``/v1/satkers/{satker_id:int}`` → ``/v1/satkers/{satker_id}``."""
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


def public_operations(app: Litestar) -> set[tuple[str, str]]:
    """(method, path) of the routes that take no API key."""
    out: set[tuple[str, str]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.opt.get("public"):
                out.update((m.lower(), _doc_path(route.path)) for m in handler.http_methods)
    return out


def error_statuses(method: str, path: str, op: dict[str, Any], public: bool) -> list[int]:
    statuses = {400, 404}
    if not public:
        statuses |= {401, 403}
    elif (method, path) in SIGNED_ROUTES:
        statuses.add(401)
    if method != "get":
        statuses |= {409, 422}
    elif (method, path) in STATEFUL_READS:
        statuses.add(409)
    if "requestBody" in op or method in ("post", "put", "patch"):
        statuses |= {413, 415}
    if any(p.get("name") == "If-Match" for p in op.get("parameters", [])):
        statuses.add(412)
    required = IF_MATCH_REQUIRED.get((method, path))
    if required is not None:
        statuses.add(required)
    if path.startswith("/health"):
        statuses = set()
    return sorted(statuses)


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": REASONS[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _html_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _offer_formats(path: str, responses: dict[str, Any]) -> None:
    """Routes with ``?format=`` (or Accept) answer CSV too; buying lists also HTML."""
    ok = responses.get("200")
    if ok is None:
        return
    content = ok.setdefault("content", {})
    content["text/csv"] = {"schema": {"type": "string"}}
    if path.endswith("/buying-list"):
        content["text/html"] = {"schema": {"type": "string"}}


def complete(doc: dict[str, Any], public: set[tuple[str, str]]) -> dict[str, Any]:
    """The generated document with errors, headers, links and security added (a copy)."""
    doc = copy.deepcopy(doc)
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemFieldError"] = FIELD_ERROR_SCHEMA
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: kul_<prefix>_<secret>",
        }
    }
    for path, item in doc.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            is_public = (method, path) in public or path.startswith("/health")
            if not is_public:
                op["security"] = [{"bearer": []}]
            else:
                op["security"] = []
            responses = op.setdefault("responses", {})
            for status in error_statuses(method, path, op, is_public):
                responses[str(status)] = _problem_response(status)
            if any(p.get("name") == "format" for p in op.get("parameters", [])):
                _offer_formats(path, responses)
            html = HTML_ROUTES.get((method, path))
            if html is not None:
                for code, response in responses.items():
                    if code.startswith("2"):
                        responses[code] = _html_response(response.get("description", "The page"))
                for status in html:
                    # a page, unless the request never reached it (e.g. a bad Idempotency-Key)
                    page = _html_response(f"{REASONS[status]}: a page, or a problem")
                    problem = responses.get(str(status), _problem_response(status))["content"]
                    page["content"].update(problem)
                    responses[str(status)] = page
            if method == "post":
                params = op.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in params):
                    params.append(dict(IDEMPOTENCY_KEY))
            for (l_method, l_path, l_status), links in LINKS.items():
                if (l_method, l_path) == (method, path) and l_status in responses:
                    responses[l_status]["links"] = links
    _exact_integer_bounds(doc)
    return doc


def _exact_integer_bounds(node: Any) -> None:
    """Litestar writes numeric bounds as floats, so an id's maximum 2⁶³−1 reads 2⁶³: give
    integer schemas their bounds as exact integers again."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                value = node.get(bound)
                if isinstance(value, float) and value.is_integer():
                    exact = int(value)
                    node[bound] = min(exact, MAX_ID) if bound == "maximum" else exact
        for child in node.values():
            _exact_integer_bounds(child)
    elif isinstance(node, list):
        for child in node:
            _exact_integer_bounds(child)


class CompletedOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin serving :func:`complete`'s document (built once, lazily)."""

    __slots__ = ()

    def provide_openapi_schema(self) -> dict[str, Any]:
        if not self._openapi_schema:
            generated = self.provide_openapi().to_schema()
            self._openapi_schema = complete(generated, public_operations(self.app))
        return self._openapi_schema


def install(app: Litestar) -> Litestar:
    """Make ``app`` serve the completed document at ``/schema/openapi.json`` (and its docs)."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = CompletedOpenAPIPlugin
    return app
