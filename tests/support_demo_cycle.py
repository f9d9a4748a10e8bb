"""The demo satker ready for a coordinator to play one cycle in the browser: the demo data
(``kulakan demo seed``: 20 warungs, 2025 prices, the marketplace, Jakabaring and a WhatsApp
trader) with an open cycle, two console coordinators, and the processes a real deployment
runs (``kulakan serve``, ``kulakan worker``, the marketplace simulator). The field suppliers'
side is played through the API as the demo does, the trader asking more than quoted."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from services.demo.cast import Cast, prepare
from services.demo.client import bearer, check, until
from services.processes import free_port, running, wait_for
from services.settings import Settings
from tests.support_console import PASSWORD, new_user

COORDINATORS = [("0812-7000-3001", "Ibu Rahma"), ("0812-7000-3002", "Pak Darto")]
SECOND_APPROVAL_ABOVE_IDR = 1_000_000
# the first eight warungs send these (sku -> quantity); the other twelve send nothing.
# GULA and MINYAK-2L come out flagged (little room under the market once the fee is shared):
# the coordinator reprices the first and drops the second.
REQUESTS = [
    {"GULA": 10, "MIE-GRG": 40, "CBI-RWT": 3, "BWG-MRH": 5},
    {"MINYAK-2L": 6, "TEH": 24, "LELE": 4, "KENTANG": 5},
    {"GULA": 15, "MIE-GRG": 20, "CBI-RWT": 2, "LELE": 3},
    {"MINYAK-2L": 6, "TEH": 24, "BWG-MRH": 4, "KENTANG": 4},
    {"GULA": 10, "MIE-GRG": 40, "LELE": 5, "CBI-RWT": 2},
    {"MINYAK-2L": 6, "TEH": 12, "BWG-MRH": 3, "KENTANG": 6},
    {"GULA": 5, "MIE-GRG": 20, "CBI-RWT": 3, "LELE": 3},
    {"TEH": 24, "BWG-MRH": 5, "KENTANG": 5, "MIE-GRG": 20},
]


@dataclass
class Stage:
    """The demo satker, its processes and the API as its parties see it."""

    cast: Cast
    base: str  # the console's and API's address
    api: httpx.AsyncClient

    @property
    def satker(self) -> int:
        return self.cast.satker_id

    @property
    def coordinator(self) -> dict[str, str]:
        return bearer(self.cast.coordinators[0])

    async def get(self, path: str) -> Any:
        return check(
            await self.api.get(f"/v1/satkers/{self.satker}{path}", headers=self.coordinator)
        )

    async def orders(self) -> list[dict[str, Any]]:
        return (await self.get("/purchase-orders?limit=100"))["items"]


async def _requests_sent(api: httpx.AsyncClient, cast: Cast) -> None:
    for warung, lines in zip(cast.warungs, REQUESTS, strict=False):
        body = {
            "lines": [
                {"product_id": cast.skus[sku][0], "quantity": str(quantity)}
                for sku, quantity in lines.items()
            ]
        }
        headers = {**bearer(cast.warung_keys[warung]), "Idempotency-Key": f"cycle-{warung}"}
        check(await api.post("/v1/restock-requests", json=body, headers=headers))


@contextlib.asynccontextmanager
async def demo_stage(engine: Any, database_url: str, logs: Path) -> AsyncIterator[Stage]:
    """The seeded demo satker with an open cycle and its warungs' requests, served by real
    processes on the test database; their logs go to ``logs``. The server and the worker
    start while the demo data is loaded (they need only the migrated database)."""
    api_port, simulator_port = free_port(), free_port()
    while simulator_port == api_port:
        simulator_port = free_port()
    base, simulator = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{simulator_port}"
    env = {
        **os.environ,
        "KULAKAN_DATABASE_URL": database_url,
        "KULAKAN_PUBLIC_BASE_URL": base,
        "KULAKAN_LOG_JSON": "1",
    }
    with contextlib.ExitStack() as processes:
        processes.enter_context(
            running(
                [["serve", "--port", str(api_port), "--workers", "1"], ["worker"]],
                env=env,
                logs=logs,
            )
        )
        settings = Settings(database_url=database_url, data_dir=logs)
        cast = await prepare(settings, simulator, datetime.now(UTC))
        async with engine.begin() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            await raw.execute(
                "UPDATE satker SET second_approval_threshold_idr = $2 WHERE id = $1",
                cast.satker_id,
                SECOND_APPROVAL_ABOVE_IDR,
            )
        for phone, name in COORDINATORS:
            await new_user(engine, cast.satker_id, phone, name=name, password=PASSWORD)
        marketplace = [
            "simulate",
            "marketplace",
            "--port",
            str(simulator_port),
            "--callback-url",
            f"{base}/v1/suppliers/{cast.marketplace}/webhooks",
            f"--webhook-secret={cast.webhook_secret}",  # a secret may start with "-"
            "--webhook-delay",
            "0.2",
            "--partial-fill",
            "0.9",
        ]
        processes.enter_context(running([marketplace], env=env, logs=logs))
        await asyncio.to_thread(wait_for, f"{base}/health/ready")
        await asyncio.to_thread(wait_for, f"{simulator}/health")
        async with httpx.AsyncClient(base_url=base, timeout=30) as api:
            await _requests_sent(api, cast)
            yield Stage(cast=cast, base=base, api=api)


async def sent_orders(stage: Stage) -> dict[int, dict[str, Any]]:
    """The orders by supplier id, once the worker has sent every one."""

    async def sent() -> list[dict[str, Any]] | None:
        found = await stage.orders()
        return found if found and all(po["status"] != "draft" for po in found) else None

    return {po["supplier_id"]: po for po in await until(sent, 30, "the orders to be sent")}


async def trader_asks_more(stage: Stage, po: dict[str, Any], rise_pct: int) -> str:
    """The WhatsApp trader confirms on the link's page with every price ``rise_pct`` % above
    the order's (more than the satker tolerates, so the rise is held); the order's number."""
    message = await stage.get(f"/purchase-orders/{po['id']}/whatsapp-message")
    form: dict[str, str] = {
        "decision": "confirm",
        "delivery_fee_idr": "20.000",
        "delivery_method": "ojek_online",
    }
    for line in po["lines"]:
        n = line["line_no"]
        form[f"line_{n}_packs"] = str(line["packs"])
        form[f"line_{n}_price_per_pack_idr"] = str(
            line["price_per_pack_idr"] * (100 + rise_pct) // 100
        )
    page = await stage.api.post(httpx.URL(message["confirmation_url"]).path, data=form)
    assert page.status_code == 200, page.text[:500]
    return po["po_number"]


async def trader_delivers(stage: Stage, po: dict[str, Any]) -> None:
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
    check(
        await stage.api.post(
            f"/v1/supplier/purchase-orders/{po['id']}/events",
            json=delivered,
            headers=bearer(stage.cast.trader_key),
        )
    )
