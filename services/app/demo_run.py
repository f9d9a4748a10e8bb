"""``kulakan demo run``: one whole cycle of the demo satker, end to end, through real HTTP.

It starts ``kulakan serve``, ``kulakan worker`` and the marketplace simulator as processes on
the same database, then plays every party through the API: 20 warungs send restock requests
into a one-off cycle, the coordinator closes it, quotes and approves the bulk buy, the
worker sends the orders; the marketplace (simulated, delivering only part of each line), the
Jakabaring runner and the WhatsApp trader answer and deliver; the bulk buy is allocated and
invoiced, the warungs confirm what arrived, and a summary is returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import msgspec

from contracts.api.registry import ApiKeyCreate, KeyRole
from services.app.api_keys import create_api_key
from services.app.demo import DEMO_SATKER, seed_demo
from services.bootstrap import bootstrap, resolve_database_url
from services.db.migrate import upgrade
from services.db.tx import Tx
from services.registry import AdapterRegistry
from services.settings import Settings

FINAL = {"delivered", "invoiced", "closed", "rejected", "cancelled"}
ROOT = Path(__file__).resolve().parents[2]


class DemoOrder(msgspec.Struct, kw_only=True):
    po_number: str
    supplier: str
    status: str
    goods_idr: int
    delivery_fee_idr: int


class DemoSummary(msgspec.Struct, kw_only=True):
    satker_id: int
    cycle_id: int
    bulk_buy_id: int
    warungs: int
    request_lines: int
    solver: str
    solver_status: str
    purchase_orders: list[DemoOrder]
    ordered_value_idr: int
    delivered_value_idr: int
    fill_rate: Decimal
    supplier_billed_idr: int
    invoices: int
    invoiced_idr: int
    warung_savings_idr: int
    customer_savings_idr: int
    receipts: int
    discrepancies: int
    seconds: float

    def text(self) -> str:
        rp = _rupiah
        lines = [
            f"kulakan demo run: Satker Kalidoni (satker {self.satker_id}), cycle {self.cycle_id}",
            f"  {self.warungs} warungs sent {self.request_lines} restock lines",
            f"  bulk buy {self.bulk_buy_id}: split by {self.solver} ({self.solver_status}),"
            f" {len(self.purchase_orders)} purchase orders",
        ]
        for po in self.purchase_orders:
            lines.append(
                f"    {po.po_number:<22} {po.supplier:<40} {po.status:<10}"
                f" {rp(po.goods_idr)} + ongkir {rp(po.delivery_fee_idr)}"
            )
        lines += [
            f"  fill rate {self.fill_rate * 100:.1f} %: delivered {rp(self.delivered_value_idr)}"
            f" of {rp(self.ordered_value_idr)} ordered",
            f"  {self.invoices} invoices (warungs and satker stock) = {rp(self.invoiced_idr)};"
            f" suppliers bill {rp(self.supplier_billed_idr)}"
            + (" — equal to the rupiah" if self.invoiced_idr == self.supplier_billed_idr else ""),
            f"  savings against the market: warungs {rp(self.warung_savings_idr)},"
            f" their customers {rp(self.customer_savings_idr)}",
            f"  receipts: {self.receipts} lines confirmed, {self.discrepancies} short or damaged",
            f"  took {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


def _rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30.0) -> None:
    """Until ``url`` answers 200; RuntimeError after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s")


@contextlib.contextmanager
def _processes(env: dict[str, str], commands: list[list[str]], logs: Path) -> Iterator[None]:
    """Each command's output goes to ``logs/<command>.log``."""
    procs: list[subprocess.Popen[bytes]] = []
    logs.mkdir(parents=True, exist_ok=True)
    try:
        for command in commands:
            with (logs / f"{command[0]}.log").open("wb") as log:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "services.cli", *command],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


class _Cast(msgspec.Struct, kw_only=True):
    """Who plays in the demo: ids and fresh API keys."""

    satker_id: int
    cycle_id: int
    warungs: list[int]
    coordinators: list[str]
    warung_keys: dict[int, str]
    marketplace: int
    market: int
    trader: int
    market_key: str
    trader_key: str
    webhook_secret: str
    skus: dict[str, tuple[int, str]]  # quotable sku -> (product id, retail unit)


async def _prepare(settings: Settings, simulator_base: str, now: datetime) -> _Cast:
    container = bootstrap(settings)
    try:
        async with Tx(container.engine) as tx:
            report = await seed_demo(tx, now=now, adapters=container.adapters)
        async with Tx(container.engine) as tx:
            raw = await tx.raw()
            satker_id = report.satker_id
            suppliers = {
                r["adapter_key"]: r
                for r in await raw.fetch(
                    "SELECT id, adapter_key, adapter_config, webhook_secret FROM supplier"
                    " WHERE active ORDER BY id"
                )
            }
            marketplace = suppliers["marketplace"]
            await raw.execute(
                "UPDATE supplier SET adapter_config = adapter_config || $2::jsonb WHERE id = $1",
                marketplace["id"],
                msgspec.json.encode({"base_url": simulator_base}).decode(),
            )
            warungs = [
                r["id"]
                for r in await raw.fetch(
                    "SELECT id FROM warung WHERE satker_id = $1 AND active ORDER BY id", satker_id
                )
            ]
            local = now.astimezone(ZoneInfo(DEMO_SATKER.timezone))
            cycle_id = await raw.fetchval(
                """
                INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,
                    delivery_date, status)
                VALUES ($1, $2, $3, $4, $5, $6, 'open') RETURNING id
                """,
                satker_id,
                f"Demo {local:%d %b %H:%M}",
                ["sembako", "fresh", "protein", "household"],
                now - timedelta(minutes=1),
                now + timedelta(hours=2),
                local.date() + timedelta(days=1),
            )
            quotable = await _quotable_skus(raw, suppliers)
            skus = {
                r["sku"]: (r["id"], r["retail_unit"])
                for r in await raw.fetch(
                    "SELECT id, sku, retail_unit FROM product"
                    " WHERE active AND sku = ANY($1::varchar[]) ORDER BY sku",
                    sorted(quotable),
                )
            }

            async def key(role: KeyRole, **scope: int) -> str:
                data = ApiKeyCreate(role=role, label=f"demo run {local:%Y-%m-%d %H:%M}", **scope)
                return (await create_api_key(tx, data)).key

            return _Cast(
                satker_id=satker_id,
                cycle_id=cycle_id,
                warungs=warungs,
                coordinators=[
                    await key(KeyRole.COORDINATOR, satker_id=satker_id) for _ in range(2)
                ],
                warung_keys={
                    w: await key(KeyRole.WARUNG, satker_id=satker_id, warung_id=w) for w in warungs
                },
                marketplace=marketplace["id"],
                market=suppliers["wholesale_market"]["id"],
                trader=suppliers["whatsapp_trader"]["id"],
                market_key=await key(
                    KeyRole.SUPPLIER, supplier_id=suppliers["wholesale_market"]["id"]
                ),
                trader_key=await key(
                    KeyRole.SUPPLIER, supplier_id=suppliers["whatsapp_trader"]["id"]
                ),
                webhook_secret=marketplace["webhook_secret"],
                skus=skus,
            )
    finally:
        await container.close()


async def _quotable_skus(raw: Any, suppliers: dict[str, Any]) -> set[str]:
    board = {
        r["sku"]
        for r in await raw.fetch(
            "SELECT DISTINCT sku FROM price_board_entry WHERE supplier_id = $1",
            suppliers["wholesale_market"]["id"],
        )
    }
    trader = {
        e["sku"] for e in suppliers["whatsapp_trader"]["adapter_config"].get("price_list", [])
    }
    return set(AdapterRegistry().simulator("marketplace").simulated_skus()) | board | trader


def _requests(cast: _Cast, rng: random.Random) -> dict[int, list[dict[str, Any]]]:
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


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _check(response: httpx.Response, *ok: int) -> Any:
    if response.status_code not in (ok or (200, 201)):
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:500]}"
        )
    return response.json()


async def _until(check: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.3)
    raise RuntimeError(f"timed out waiting for {what}")


async def _play(api: httpx.AsyncClient, cast: _Cast, rng: random.Random) -> DemoSummary:
    started = time.monotonic()
    coordinator = _bearer(cast.coordinators[0])
    base = f"/v1/satkers/{cast.satker_id}"
    requests = _requests(cast, rng)
    for w, lines in requests.items():
        _check(
            await api.post(
                "/v1/restock-requests",
                json={"lines": lines},
                headers={
                    **_bearer(cast.warung_keys[w]),
                    "Idempotency-Key": f"demo-{cast.cycle_id}-{w}",
                },
            )
        )
    _check(await api.post(f"{base}/cycles/{cast.cycle_id}/close", headers=coordinator))
    built = await api.post(f"{base}/cycles/{cast.cycle_id}/bulk-buy", headers=coordinator)
    bb = _check(built)
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
        _check(response)
        etag = response.headers["etag"]
    for key in cast.coordinators:
        response = await api.post(
            f"{base}/bulk-buys/{bb['id']}/approve", headers={**_bearer(key), "If-Match": etag}
        )
        approved = _check(response)
        etag = response.headers["etag"]
        if approved["status"] == "ordered":
            break

    async def orders() -> list[dict[str, Any]]:
        page = _check(await api.get(f"{base}/purchase-orders?limit=500", headers=coordinator))
        return [po for po in page["items"] if po["bulk_buy_id"] == bb["id"]]

    async def all_sent() -> list[dict[str, Any]] | None:
        found = await orders()
        return found if found and all(po["status"] != "draft" for po in found) else None

    sent = await _until(all_sent, 60, "the worker to send the purchase orders")
    for po in sent:
        if po["supplier_id"] == cast.market:
            await _runner_reports(api, cast, po, rng)
        elif po["supplier_id"] == cast.trader:
            await _trader_answers(api, cast, po, coordinator)

    async def all_done() -> list[dict[str, Any]] | None:
        found = await orders()
        return found if all(po["status"] in FINAL for po in found) else None

    done = await _until(all_done, 60, "the suppliers to deliver")
    settled = await _until(
        lambda: _settle(api, f"{base}/bulk-buys/{bb['id']}", coordinator), 30, "the settlement"
    )
    receipts = discrepancies = 0
    for i, w in enumerate(cast.warungs):
        headers = _bearer(cast.warung_keys[w])
        got = _check(
            await api.get(
                f"/v1/warungs/{w}/deliveries?bulk_buy_id={bb['id']}&limit=500", headers=headers
            )
        )
        lines = []
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
            _check(
                await api.post(
                    f"/v1/warungs/{w}/receipts",
                    json={"bulk_buy_id": bb["id"], "lines": lines},
                    headers=headers,
                )
            )
            receipts += len(lines)
    invoices = _check(
        await api.get(f"{base}/invoices?bulk_buy_id={bb['id']}&limit=500", headers=coordinator)
    )
    savings = _check(
        await api.get(f"{base}/reports/savings?cycle_id={cast.cycle_id}", headers=coordinator)
    )
    names = {
        s["id"]: s["name"]
        for s in (_check(await api.get("/v1/suppliers?limit=500", headers=coordinator)))["items"]
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


async def _settle(api: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Any:
    response = await api.post(f"{url}/settle", headers=headers)
    return response.json() if response.status_code == 200 else None


async def _runner_reports(
    api: httpx.AsyncClient, cast: _Cast, po: dict[str, Any], rng: random.Random
) -> None:
    """The Jakabaring runner buys a little under or over each weight; the last of several
    lines is not found."""
    lines = []
    for i, line in enumerate(po["lines"]):
        units = Decimal(line["units_per_pack"])
        if len(po["lines"]) > 2 and i == len(po["lines"]) - 1:
            lines.append({"line_no": line["line_no"], "status": "not_found", "note": "habis"})
            continue
        wanted = line["packs"] * units
        bought = (wanted * Decimal(rng.choice(["0.95", "0.98", "1", "1.02"]))).quantize(
            Decimal("0.1")
        )
        lines.append(
            {
                "line_no": line["line_no"],
                "status": "bought",
                "bought_quantity": str(bought),
                "paid_price_per_unit_idr": int(line["price_per_pack_idr"] / units),
            }
        )
    _check(
        await api.post(
            f"/v1/supplier/purchase-orders/{po['id']}/runner-report",
            json={
                "report_id": "RUN-1",
                "po_number": po["po_number"],
                "reported_at": datetime.now(UTC).isoformat(),
                "lines": lines,
            },
            headers=_bearer(cast.market_key),
        )
    )


async def _trader_answers(
    api: httpx.AsyncClient, cast: _Cast, po: dict[str, Any], coordinator: dict[str, str]
) -> None:
    """The trader confirms on the link's page with ongkir, then the goods arrive."""
    message = _check(
        await api.get(
            f"/v1/satkers/{cast.satker_id}/purchase-orders/{po['id']}/whatsapp-message",
            headers=coordinator,
        )
    )
    form: dict[str, str] = {
        "decision": "confirm",
        "delivery_fee_idr": "20.000",
        "delivery_method": "ojek_online",
    }
    for line in po["lines"]:
        form[f"line_{line['line_no']}_packs"] = str(line["packs"])
        form[f"line_{line['line_no']}_price_per_pack_idr"] = str(line["price_per_pack_idr"])
    page = await api.post(httpx.URL(message["confirmation_url"]).path, data=form)
    if page.status_code != 200:
        raise RuntimeError(f"the trader's confirmation failed: {page.status_code}")
    delivered = {
        "type": "order.delivered",
        "event_id": f"{po['po_number']}:delivered",
        "po_number": po["po_number"],
        "occurred_at": datetime.now(UTC).isoformat(),
        "lines": [
            {
                "line_no": line["line_no"],
                "quantity": str(line["packs"] * Decimal(line["units_per_pack"])),
            }
            for line in po["lines"]
        ],
    }
    _check(
        await api.post(
            f"/v1/supplier/purchase-orders/{po['id']}/events",
            json=delivered,
            headers=_bearer(cast.trader_key),
        )
    )


async def run_demo(settings: Settings, *, partial_fill: float = 0.9, seed: int = 7) -> DemoSummary:
    url = resolve_database_url(settings)
    upgrade(url, "heads")
    settings = msgspec.structs.replace(settings, database_url=url)
    api_port = simulator_port = free_port()
    while simulator_port == api_port:
        simulator_port = free_port()
    api_base = f"http://127.0.0.1:{api_port}"
    simulator_base = f"http://127.0.0.1:{simulator_port}"
    cast = await _prepare(settings, simulator_base, datetime.now(UTC))
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
    logs = settings.data_dir / "demo-run"
    with _processes(env, [["serve", "--port", str(api_port)], ["worker"], simulator], logs):
        try:
            await asyncio.to_thread(wait_for, f"{api_base}/health/ready")
            await asyncio.to_thread(wait_for, f"{simulator_base}/health")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}; see the logs in {logs}") from exc
        async with httpx.AsyncClient(base_url=api_base, timeout=30) as api:
            return await _play(api, cast, random.Random(seed))
