"""The API as ``kulakan serve`` runs it, with five in-process benchmark suppliers in place of
the adapters found by entry points, for ``rush.py``:

    uvicorn rush_app:create_app --factory   (with KULAKAN_DATABASE_URL set)

The suppliers quote as in the console benchmark: 2–3 all-units tiers, MOQs, some limited
stock, a dear wholesaler that has everything; prices depend only on the SKU and the supplier.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from litestar import Litestar

from contracts.adapter import Capability, PackOffer, QuoteRequest, SupplierQuote, TierPrice
from services.api.app import create_app as create_api
from services.bootstrap import bootstrap
from services.registry import AdapterRegistry
from services.settings import Settings


class BenchAdapter:
    key = "bench"
    capabilities = frozenset({Capability.QUOTE})

    def __init__(self, index: int) -> None:
        self.index = index

    async def quote(self, request: QuoteRequest) -> SupplierQuote:
        rnd = random.Random(self.index)
        offers = []
        for item in request.items:
            seed = random.Random(item.sku)
            units = seed.choice([1, 6, 10, 12, 24, 25, 40, 50])
            base = seed.randint(2_000, 40_000) * units
            fallback = self.index == 1
            if not fallback and rnd.random() < 0.35:
                continue
            price = int(base * (1.2 if fallback else rnd.uniform(0.9, 1.15)))
            tiers = [(1, price)]
            for _ in range(rnd.randint(1, 2)):
                tiers.append(
                    (tiers[-1][0] + rnd.randint(2, 8), int(tiers[-1][1] * rnd.uniform(0.88, 0.97)))
                )
            offers.append(
                PackOffer(
                    sku=item.sku,
                    pack_name=f"dus {units}",
                    units_per_pack=Decimal(units),
                    tiers=tuple(TierPrice(min_packs=m, price_per_pack_idr=p) for m, p in tiers),
                    moq_packs=rnd.choice([1, 1, 2, 3]),
                    available_packs=None
                    if fallback or rnd.random() < 0.7
                    else rnd.randint(50, 400),
                )
            )
        return SupplierQuote(
            supplier_id=0,
            quote_ref=f"B{self.index}",
            valid_until=datetime.now(UTC) + timedelta(days=1),
            offers=tuple(offers),
            delivery_fee_idr=75_000 * self.index,
        )


class BenchFactory:
    key = "bench"
    capabilities = BenchAdapter.capabilities

    def validate_config(self, config: Any) -> None:
        return None

    def create(self, config: Any, context: Any) -> BenchAdapter:
        return BenchAdapter(int(config["index"]))


def create_app() -> Litestar:
    container = bootstrap(Settings.from_env(), adapters=AdapterRegistry({"bench": BenchFactory()}))
    return create_api(container)
