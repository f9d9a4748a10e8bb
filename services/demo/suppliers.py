"""The field suppliers' side of the demo, through the API: the Jakabaring runner reports
what was bought, and the WhatsApp trader confirms on the link's page, then delivers."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from services.demo.cast import Cast
from services.demo.client import bearer, check


async def runner_reports(
    api: httpx.AsyncClient, cast: Cast, po: dict[str, Any], rng: random.Random
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
    check(
        await api.post(
            f"/v1/supplier/purchase-orders/{po['id']}/runner-report",
            json={
                "report_id": "RUN-1",
                "po_number": po["po_number"],
                "reported_at": datetime.now(UTC).isoformat(),
                "lines": lines,
            },
            headers=bearer(cast.market_key),
        )
    )


async def trader_answers(
    api: httpx.AsyncClient, cast: Cast, po: dict[str, Any], coordinator: dict[str, str]
) -> None:
    """The trader confirms on the link's page with ongkir, then the goods arrive."""
    message = check(
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
    check(
        await api.post(
            f"/v1/supplier/purchase-orders/{po['id']}/events",
            json=delivered,
            headers=bearer(cast.trader_key),
        )
    )
