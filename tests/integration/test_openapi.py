"""The served OpenAPI document tells the truth about errors, headers and links, and an
unsupported method is a 405 with Allow."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration

METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture
async def doc(client: Any) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(doc: dict[str, Any]):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


async def test_every_operation_declares_its_errors_as_problems(doc: dict[str, Any]) -> None:
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status"}
    field = doc["components"]["schemas"]["ProblemFieldError"]
    assert set(field["properties"]) == {"pointer", "parameter", "in", "detail"}
    public = {"/v1/suppliers/{supplier_id}/webhooks", "/v1/trader-links/{token}"}
    signed_or_keyed = "/v1/suppliers/{supplier_id}/documents"
    for method, path, op in operations(doc):
        if path.startswith("/health"):
            continue
        responses = op["responses"]
        expected = {"400", "404"}
        if path == signed_or_keyed:
            expected |= {"401", "403"}
            assert op["security"] == [{}, {"bearer": []}], (method, path)
        elif path not in public:
            expected |= {"401", "403"}
            assert op["security"] == [{"bearer": []}], (method, path)
        else:
            assert op["security"] == [], (method, path)
            assert "403" not in responses, (method, path)
        if method != "get":
            expected |= {"409", "422"}
        if method in ("post", "put", "patch"):
            expected |= {"413", "415"}
        assert expected <= set(responses), (method, path, sorted(responses))
        for status in expected:
            content = responses[status]["content"]
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }, (method, path, status)


async def test_every_post_declares_idempotency_key(doc: dict[str, Any]) -> None:
    posts = [(path, op) for method, path, op in operations(doc) if method == "post"]
    assert len(posts) > 30
    for path, op in posts:
        names = [p["name"] for p in op["parameters"] if p["in"] == "header"]
        assert "Idempotency-Key" in names, path


async def test_every_if_match_route_declares_412(doc: dict[str, Any]) -> None:
    with_if_match = [
        (method, path, op)
        for method, path, op in operations(doc)
        if any(p["name"] == "If-Match" for p in op.get("parameters", []))
    ]
    assert len(with_if_match) >= 15
    for method, path, op in with_if_match:
        assert "412" in op["responses"], (method, path)


async def test_links_walk_the_flows(doc: dict[str, Any]) -> None:
    def links(method: str, path: str, status: str) -> dict[str, Any]:
        return doc["paths"][path][method]["responses"][status]["links"]

    restock = links("post", "/v1/restock-requests", "201")
    assert {"GetRestockRequest", "SubmitRestockRequest", "CancelRestockRequest"} <= set(restock)
    assert restock["SubmitRestockRequest"]["parameters"]["header.If-Match"] == (
        "$response.header.ETag"
    )
    built = links("post", "/v1/satkers/{satker_id}/cycles/{cycle_id}/bulk-buy", "201")
    assert built["ApproveBulkBuy"]["operationId"] == (
        "V1SatkersSatkerIdBulkBuysBulkBuyIdApproveApprove"
    )
    assert "BuildBulkBuy" in links("get", "/v1/satkers/{satker_id}/cycles/{cycle_id}", "200")
    assert "PostEvent" in links("get", "/v1/supplier/purchase-orders", "200")
    ids = {op.get("operationId") for _, _, op in operations(doc)}
    for _, _, op in operations(doc):
        for response in op["responses"].values():
            for link in response.get("links", {}).values():
                assert link["operationId"] in ids, link


async def test_the_trader_page_declares_html(doc: dict[str, Any]) -> None:
    page = doc["paths"]["/v1/trader-links/{token}"]["get"]["responses"]
    assert "text/html" in page["200"]["content"]
    assert "text/html" in page["400"]["content"]
    assert "401" not in page


async def test_an_unsupported_method_is_405_with_allow(client: Any) -> None:
    response = await client.delete("/v1/products")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST", "OPTIONS"}


async def test_integer_bounds_are_exact_integers(doc: dict[str, Any]) -> None:
    """An id's maximum is 2⁶³−1 exactly, not the float 2⁶³ a client would take at its word."""
    bounds = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "integer":
                bounds.extend(node[b] for b in ("minimum", "maximum") if b in node)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(doc)
    assert 2**63 - 1 in bounds
    assert all(isinstance(b, int) and b <= 2**63 - 1 for b in bounds), {
        b for b in bounds if not isinstance(b, int) or b > 2**63 - 1
    }


async def test_ubl_documents_are_declared_as_xml(doc: dict[str, Any]) -> None:
    body = doc["paths"]["/v1/suppliers/{supplier_id}/documents"]["post"]["requestBody"]
    assert body["required"] is True
    assert set(body["content"]) == {"application/xml", "text/xml"}
    for path in (
        "/v1/satkers/{satker_id}/purchase-orders/{po_id}",
        "/v1/warungs/{warung_id}/invoices/{invoice_id}",
    ):
        content = doc["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"application/json", "application/xml"} <= set(content), path
