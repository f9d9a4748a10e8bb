"""``kulakan demo run``: one whole cycle of the demo satker, end to end, through real HTTP.

It starts ``kulakan serve``, ``kulakan worker``, the marketplace simulator and the UBL
supplier simulator as processes on the same database, then plays every party through the
API: 20 warungs send restock requests into a one-off cycle, the coordinator closes it,
quotes and approves the bulk buy, the worker sends the orders; the marketplace (simulated,
delivering only part of each line), the Jakabaring runner, the WhatsApp trader and the UBL
supplier (an ERP answering the Order with an OrderResponse, a DespatchAdvice and an Invoice)
answer and deliver; the bulk buy is allocated and invoiced, the warungs confirm what arrived,
and a summary is returned.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import msgspec

from services.bootstrap import resolve_database_url
from services.db.migrate import upgrade
from services.demo import suppliers
from services.demo.cast import Cast, prepare
from services.demo.client import bearer, check, until
from services.demo.summary import DemoOrder, DemoSummary
from services.processes import free_port, running, wait_for
from services.settings import Settings

FINAL = {"delivered", "invoiced", "closed", "rejected", "cancelled"}


def _requests(cast: Cast, rng: random.Random) -> dict[int, list[dict[str, Any]]]:
    skus = sorted(cast.skus)
    out = {}
    for w in cast.warungs:
        lines = []
        for sku in rng.sample(skus, k=min(4, len(skus))):
            product_id, unit = cast.skus[sku]
            quantity = Decimal(rng.randint(2, 8)) if unit == "kg" else Decimal(rng.randint(6, 24))
            lines.append({"product_id": product_id, "quantity": str(quantity)})
        out[w] = lines
    return out


async def _play(api: httpx.AsyncClient, cast: Cast, rng: random.Random) -> DemoSummary:
    started = time.monotonic()
    coordinator = bearer(cast.coordinators[0])
    base = f"/v1/satkers/{cast.satker_id}"
    requests = _requests(cast, rng)
    for w, lines in requests.items():
        check(
            await api.post(
                "/v1/restock-requests",
                json={"lines": lines},
                headers={
                    **bearer(cast.warung_keys[w]),
                    "Idempotency-Key": f"demo-{cast.cycle_id}-{w}",
                },
            )
        )
    bb = await _close_and_approve(api, cast)

    async def orders() -> list[dict[str, Any]]:
        page = check(await api.get(f"{base}/purchase-orders?limit=500", headers=coordinator))
        return [po for po in page["items"] if po["bulk_buy_id"] == bb["id"]]

    async def all_sent() -> list[dict[str, Any]] | None:
        found = await orders()
        return found if found and all(po["status"] != "draft" for po in found) else None

    sent = await until(all_sent, 60, "the worker to send the purchase orders")
    for po in sent:
        if po["supplier_id"] == cast.market:
            await suppliers.runner_reports(api, cast, po, rng)
        elif po["supplier_id"] == cast.trader:
            await suppliers.trader_answers(api, cast, po, coordinator)

    def finished(po: dict[str, Any]) -> bool:
        # the UBL supplier's Invoice follows its DespatchAdvice: settle on its own bill
        final = FINAL - {"delivered"} if po["supplier_id"] == cast.ubl else FINAL
        return po["status"] in final

    async def all_done() -> list[dict[str, Any]] | None:
        found = await orders()
        return found if all(finished(po) for po in found) else None

    done = await until(all_done, 60, "the suppliers to deliver")
    settled = await until(
        lambda: _settle(api, f"{base}/bulk-buys/{bb['id']}", coordinator), 30, "the settlement"
    )
    receipts, discrepancies = await _confirm_receipts(api, cast, bb["id"])
    invoices = check(
        await api.get(f"{base}/invoices?bulk_buy_id={bb['id']}&limit=500", headers=coordinator)
    )
    savings = check(
        await api.get(f"{base}/reports/savings?cycle_id={cast.cycle_id}", headers=coordinator)
    )
    names = {
        s["id"]: s["name"]
        for s in (check(await api.get("/v1/suppliers?limit=500", headers=coordinator)))["items"]
    }
    return DemoSummary(
        satker_id=cast.satker_id,
        cycle_id=cast.cycle_id,
        bulk_buy_id=bb["id"],
        warungs=len(requests),
        request_lines=sum(len(lines) for lines in requests.values()),
        solver=bb["solver"],
        solver_status=bb["solver_status"],
        purchase_orders=[
            DemoOrder(
                po_number=po["po_number"],
                supplier=names.get(po["supplier_id"], str(po["supplier_id"])),
                status=po["status"],
                goods_idr=po["goods_idr"],
                delivery_fee_idr=po["delivery_fee_idr"],
            )
            for po in done
        ],
        ordered_value_idr=settled["ordered_value_idr"],
        delivered_value_idr=settled["delivered_value_idr"],
        fill_rate=Decimal(settled["fill_rate"]),
        supplier_billed_idr=settled["supplier_billed_idr"],
        invoices=len(invoices["items"]),
        invoiced_idr=sum(i["total_idr"] for i in invoices["items"]),
        warung_savings_idr=savings["total"]["savings_idr"],
        customer_savings_idr=savings["total"]["customer_savings_idr"],
        receipts=receipts,
        discrepancies=discrepancies,
        seconds=round(time.monotonic() - started, 1),
    )


async def _close_and_approve(api: httpx.AsyncClient, cast: Cast) -> Any:
    """The coordinator closes the cycle, builds the bulk buy, drops what no supplier covers,
    accepts the remaining flagged prices and approves (twice above the threshold)."""
    coordinator = bearer(cast.coordinators[0])
    base = f"/v1/satkers/{cast.satker_id}"
    check(await api.post(f"{base}/cycles/{cast.cycle_id}/close", headers=coordinator))
    built = await api.post(f"{base}/cycles/{cast.cycle_id}/bulk-buy", headers=coordinator)
    bb = check(built)
    etag = built.headers["etag"]
    for line in bb["lines"]:
        if not line["blocking"]:
            continue
        unsourced = {"UNSOURCED", "SHORT"} & set(line["flags"])
        action = "drop" if unsourced else "override"
        reason = (
            "demo: tidak ada pemasok untuk jumlah ini"
            if unsourced
            else "demo: harga diterima koordinator"
        )
        response = await api.post(
            f"{base}/bulk-buys/{bb['id']}/lines/{line['product_id']}/{action}",
            json={"reason": reason},
            headers=coordinator,
        )
        check(response)
        etag = response.headers["etag"]
    for key in cast.coordinators:
        response = await api.post(
            f"{base}/bulk-buys/{bb['id']}/approve", headers={**bearer(key), "If-Match": etag}
        )
        approved = check(response)
        etag = response.headers["etag"]
        if approved["status"] == "ordered":
            break
    return bb


async def _confirm_receipts(api: httpx.AsyncClient, cast: Cast, bb_id: int) -> tuple[int, int]:
    """Each warung confirms what arrived, some with a damaged piece: (lines, discrepancies)."""
    receipts = discrepancies = 0
    for i, w in enumerate(cast.warungs):
        headers = bearer(cast.warung_keys[w])
        got = check(
            await api.get(
                f"/v1/warungs/{w}/deliveries?bulk_buy_id={bb_id}&limit=500", headers=headers
            )
        )
        lines: list[dict[str, Any]] = []
        for d in got["items"]:
            expected = Decimal(d["allocated"]) + Decimal(d["surplus"])
            if expected <= 0 or d["receipt"] != "pending":
                continue
            damaged = Decimal(1) if i % 7 == 3 and expected >= 1 and not lines else Decimal(0)
            lines.append(
                {
                    "product_id": d["product_id"],
                    "received": str(expected - damaged),
                    "damaged": str(damaged),
                    "note": "kemasan sobek" if damaged else "",
                }
            )
            discrepancies += damaged > 0
        if lines:
            check(
                await api.post(
                    f"/v1/warungs/{w}/receipts",
                    json={"bulk_buy_id": bb_id, "lines": lines},
                    headers=headers,
                )
            )
            receipts += len(lines)
    return receipts, discrepancies


async def _settle(api: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Any:
    response = await api.post(f"{url}/settle", headers=headers)
    return response.json() if response.status_code == 200 else None


async def run_demo(settings: Settings, *, partial_fill: float = 0.9, seed: int = 7) -> DemoSummary:
    url = resolve_database_url(settings)
    upgrade(url, "heads")
    settings = msgspec.structs.replace(settings, database_url=url)
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    api_port, simulator_port, ubl_port = sorted(ports)
    api_base = f"http://127.0.0.1:{api_port}"
    simulator_base = f"http://127.0.0.1:{simulator_port}"
    ubl_base = f"http://127.0.0.1:{ubl_port}"
    cast = await prepare(settings, simulator_base, datetime.now(UTC), ubl_base)
    env = {
        **os.environ,
        "KULAKAN_DATABASE_URL": url,
        "KULAKAN_PUBLIC_BASE_URL": api_base,
        "KULAKAN_LOG_JSON": "1",
    }
    simulator = [
        "simulate",
        "marketplace",
        "--port",
        str(simulator_port),
        "--callback-url",
        f"{api_base}/v1/suppliers/{cast.marketplace}/webhooks",
        f"--webhook-secret={cast.webhook_secret}",  # a secret may start with "-"
        "--webhook-delay",
        "0.2",
        "--partial-fill",
        str(partial_fill),
    ]
    ubl_supplier = [
        "simulate",
        "ubl-supplier",
        "--port",
        str(ubl_port),
        "--callback-url",
        f"{api_base}/v1/suppliers/{cast.ubl}/documents",
        f"--webhook-secret={cast.ubl_secret}",
        "--document-delay",
        "0.2",
        "--partial-fill",
        str(partial_fill),
    ]
    logs = settings.data_dir / "demo-run"
    commands = [
        ["serve", "--port", str(api_port), "--workers", "1"],
        ["worker"],
        simulator,
        ubl_supplier,
    ]
    with running(commands, env=env, logs=logs):
        try:
            await asyncio.to_thread(wait_for, f"{api_base}/health/ready", 90)
            await asyncio.to_thread(wait_for, f"{simulator_base}/health")
            await asyncio.to_thread(wait_for, f"{ubl_base}/health")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}; see the logs in {logs}") from exc
        async with httpx.AsyncClient(base_url=api_base, timeout=30) as api:
            return await _play(api, cast, random.Random(seed))
