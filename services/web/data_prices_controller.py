"""Data: market reference prices (list, add one, upload the CSV) and a wholesale market's
price board (upload its sheet). A file with any bad row saves nothing, and the page lists
every error as "line N, column C: message". As in the JSON API, market prices are an admin's;
a board may be posted by an admin or a coordinator."""

from __future__ import annotations

import re
from typing import Any

from litestar import Response, get, post
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from contracts.api.catalogue import MarketPriceCreate, PriceSource
from contracts.errors import InvalidInput, KulakanError
from services.app import console_home, field_suppliers, market_prices, suppliers
from services.app.csv_import import import_market_prices
from services.auth import Role
from services.web.data_pages import PAGE_SIZE, acting, render, saved
from services.web.forms import errors_by_field, form_fields, given, to_struct
from services.web.render import CONSOLE, ConsolePages, Visit, satker_of

BOARD_ADAPTER = "wholesale_market"
_BOARD_POINTER = re.compile(r"^/board/(\d+)(?:/([^/]+))?$")


def row_errors(exc: KulakanError) -> list[str]:
    """Every error of a file as "line N, column C: message"."""
    rows = exc.extra.get("row_errors")
    if isinstance(rows, list):
        return [f"line {r['line']}, column {r['column']}: {r['message']}" for r in rows]
    out = []
    for e in exc.errors:
        found = _BOARD_POINTER.match(e.pointer)
        if found is None:
            out.append(e.detail)
            continue
        line, column = found.group(1), found.group(2) or "?"
        message = re.sub(rf"^line {line}(, {re.escape(column)})?: ", "", e.detail)
        out.append(f"line {line}, column {column}: {message}")
    return out or [exc.detail]


async def _upload(request: HTMXRequest, name: str = "file") -> tuple[dict[str, str], bytes]:
    values, files = await form_fields(request)
    upload = files.get(name)
    data = await upload.read() if upload is not None else b""
    if not data:
        raise InvalidInput("choose a file to upload")
    return values, data


class DataPricesController(ConsolePages):
    path = f"{CONSOLE}/satkers/{{satker_id:int}}/data"

    @get("/market-prices", name="console:data:market-prices")
    async def prices(
        self,
        visit: Visit,
        satker_id: int,
        kota: str | None = None,
        sku: str | None = None,
    ) -> Template:
        return await _prices_page(visit, satker_id, kota, sku)

    @post("/market-prices", name="console:data:market-price-add")
    async def add_price(self, visit: Visit, satker_id: int) -> Response:
        acting(visit, satker_id, Role.ADMIN)  # the API's admin_only
        values, _ = await form_fields(visit.request)
        fields = ("sku", "kota", "price_date", "price_idr", "source")
        try:
            data = to_struct(given(values, fields), MarketPriceCreate)
            await market_prices.upsert_market_prices(visit.tx, [data])
        except InvalidInput as exc:
            return await _prices_page(visit, satker_id, None, None, values=values, errors=exc)
        return saved(visit.request, satker_id, "market-prices", "price")

    @post("/market-prices/import", name="console:data:market-price-import")
    async def import_prices(self, visit: Visit, satker_id: int) -> Response:
        acting(visit, satker_id, Role.ADMIN)  # as POST /v1/market-prices/import
        try:
            _, data = await _upload(visit.request)
            await import_market_prices(
                visit.tx, data, now=visit.now, adapters=visit.container.adapters
            )
        except InvalidInput as exc:
            return await _prices_page(visit, satker_id, None, None, file_errors=row_errors(exc))
        return saved(visit.request, satker_id, "market-prices", "prices")

    @get("/price-board", name="console:data:price-board")
    async def board(self, visit: Visit, satker_id: int, supplier: int | None = None) -> Template:
        return await _board_page(visit, satker_id, supplier)

    @post("/price-board", name="console:data:price-board-post")
    async def post_board(self, visit: Visit, satker_id: int) -> Response:
        principal = acting(visit, satker_id, Role.ADMIN, Role.COORDINATOR)  # as the API's
        await console_home.satker_header(visit.tx, principal, satker_id)
        supplier_id = None
        try:
            values, data = await _upload(visit.request)
            supplier_id = int(values.get("supplier_id") or 0) or None
            if supplier_id is None:
                raise InvalidInput("choose the market")
            await field_suppliers.post_board(
                visit.tx, visit.container, principal, supplier_id, data, "text/csv", visit.now
            )
        except InvalidInput as exc:
            return await _board_page(visit, satker_id, supplier_id, file_errors=row_errors(exc))
        return saved(visit.request, satker_id, "price-board", "board", supplier=supplier_id)


async def _prices_page(
    visit: Visit,
    satker_id: int,
    kota: str | None,
    sku: str | None,
    *,
    values: dict[str, str] | None = None,
    errors: InvalidInput | None = None,
    file_errors: list[str] | None = None,
) -> Template:
    satker = await satker_of(visit, satker_id)
    kota = satker.kota if kota is None else kota
    rows = await market_prices.list_market_prices(
        visit.tx, limit=PAGE_SIZE, after_id=None, kota=kota or None, sku=sku or None
    )
    context: dict[str, Any] = {
        "rows": rows[:PAGE_SIZE],
        "more": len(rows) > PAGE_SIZE,
        "kota": kota,
        "sku": sku or "",
        "satker_kota": satker.kota,
        "sources": [(s.value, s.value) for s in PriceSource],
        "values": values or {},
        "errors": errors_by_field(errors) if errors is not None else {},
        "file_errors": file_errors or [],
    }
    bad = errors is not None or bool(file_errors)
    return await render(
        visit,
        satker_id,
        "market-prices",
        "console/data/market_prices.html",
        context,
        status_code=400 if bad else 200,
    )


async def _board_page(
    visit: Visit,
    satker_id: int,
    supplier_id: int | None,
    *,
    file_errors: list[str] | None = None,
) -> Template:
    await satker_of(visit, satker_id)
    markets = [
        s
        for s in await suppliers.list_suppliers(visit.tx, limit=500, after_id=None)
        if s.adapter_key == BOARD_ADAPTER
    ][:500]
    chosen = next((m for m in markets if m.id == supplier_id), markets[0] if markets else None)
    latest = (
        await field_suppliers.get_board(visit.tx, visit.container, chosen.id) if chosen else None
    )
    context = {
        "markets": [(m.id, m.name) for m in markets],
        "chosen": chosen,
        "latest": latest,
        "file_errors": file_errors or [],
    }
    return await render(
        visit,
        satker_id,
        "price-board",
        "console/data/price_board.html",
        context,
        status_code=400 if file_errors else 200,
    )
