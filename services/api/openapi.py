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
from services.api.openapi_links import LINKS

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
SIGNED_ROUTES = {
    ("post", "/v1/suppliers/{supplier_id}/webhooks"),
    ("post", "/v1/suppliers/{supplier_id}/documents"),
}
# Public routes that also take an API key, and answer 403 to one of another role.
KEYED_PUBLIC_ROUTES = {("post", "/v1/suppliers/{supplier_id}/documents")}
XML = "application/xml"
_XML_STRING = {"type": "string", "contentMediaType": XML}
# Bodies in XML (UBL 2.1 documents), which the handler reads itself.
XML_BODIES: dict[tuple[str, str], str] = {
    ("post", "/v1/suppliers/{supplier_id}/documents"): "A UBL 2.1 OrderResponse, DespatchAdvice"
    " or Invoice, valid against the OASIS schema; at most 1 MiB, no DOCTYPE, at most 24 levels"
    " deep",
}
# Reads that answer a UBL 2.1 document to ``Accept: application/xml``.
XML_RESPONSES: dict[tuple[str, str], str] = {
    ("get", "/v1/satkers/{satker_id}/purchase-orders/{po_id}"): "the UBL 2.1 Order",
    ("get", "/v1/warungs/{warung_id}/invoices/{invoice_id}"): "the UBL 2.1 Invoice",
}
# GETs that refuse for the object's state (409), e.g. the board of a supplier keeping none.
STATEFUL_READS = {("get", "/v1/suppliers/{supplier_id}/price-board")}
# Operations whose If-Match is required (a missing one is refused).
IF_MATCH_REQUIRED: dict[tuple[str, str], int] = {
    ("post", "/v1/satkers/{satker_id}/bulk-buys/{bulk_buy_id}/approve"): 400,
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
        if (method, path) in KEYED_PUBLIC_ROUTES:
            statuses.add(403)
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


def _offer_xml(method: str, path: str, op: dict[str, Any], responses: dict[str, Any]) -> None:
    """UBL documents: the XML request bodies, and the XML alternative of some reads."""
    body = XML_BODIES.get((method, path))
    if body is not None:
        xml_body = {"schema": {**_XML_STRING, "description": body}}
        op["requestBody"] = {
            "required": True,
            "content": {XML: xml_body, "text/xml": copy.deepcopy(xml_body)},
        }
    answer = XML_RESPONSES.get((method, path))
    ok = responses.get("200")
    if answer is not None and ok is not None:
        ok.setdefault("content", {})[XML] = {
            "schema": {**_XML_STRING, "description": f"{answer} (with Accept: {XML})"}
        }


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
            elif (method, path) in KEYED_PUBLIC_ROUTES:
                op["security"] = [{}, {"bearer": []}]  # a signature, or the supplier's key
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
            _offer_xml(method, path, op, responses)
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
