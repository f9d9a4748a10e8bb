"""The split benchmark's generated instances: N products × K suppliers, seeded.

Supplier 1 is a dear wholesaler that stocks everything with no minimum order value, so
demand can always be covered; the others offer about two thirds of the products, 2–3
all-units tiers per offer, MOQs, limited stock on some offers, delivery fees and minimum
order values up to 30 % of the whole volume. With K = 5 the instances are the ones the
benchmark has always used (the random draws come in the same order).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

from contracts.adapter import PackOffer, SupplierQuote, TierPrice

UNTIL = datetime(2030, 1, 1, tzinfo=UTC)


def instance(
    n_products: int, seed: int, suppliers: int = 5
) -> tuple[dict[str, Decimal], list[SupplierQuote]]:
    rnd = random.Random(seed if suppliers == 5 else f"{n_products}x{suppliers}:{seed}")
    skus = [f"P{i:03d}" for i in range(n_products)]
    units = {sku: rnd.choice([1, 6, 10, 12, 24, 25, 40, 50]) for sku in skus}
    base = {sku: rnd.randint(2_000, 40_000) * units[sku] for sku in skus}
    demand = {
        sku: Decimal(rnd.randint(1, 12) * units[sku] + rnd.randint(0, units[sku] - 1))
        for sku in skus
    }
    volume = int(sum(base[sku] * demand[sku] / units[sku] for sku in skus))
    quotes = []
    for sid in range(1, suppliers + 1):
        offers = []
        for sku in skus:
            fallback = sid == 1  # a dear wholesaler with everything in stock and no minimum
            if not fallback and rnd.random() < 0.35:
                continue
            price = int(base[sku] * (1.2 if fallback else rnd.uniform(0.9, 1.15)))
            tiers = [(1, price)]
            for _ in range(rnd.randint(1, 2)):
                tiers.append(
                    (tiers[-1][0] + rnd.randint(2, 8), int(tiers[-1][1] * rnd.uniform(0.88, 0.97)))
                )
            stock = rnd.randint(2, 12) if not fallback and rnd.random() < 0.4 else None
            offers.append(
                PackOffer(
                    sku=sku,
                    pack_name="pack",
                    units_per_pack=Decimal(units[sku]),
                    tiers=tuple(TierPrice(min_packs=m, price_per_pack_idr=p) for m, p in tiers),
                    moq_packs=rnd.choice([1, 1, 2, 3, 5]),
                    available_packs=stock,
                )
            )
        quotes.append(
            SupplierQuote(
                supplier_id=sid,
                quote_ref=f"Q{sid}",
                valid_until=UNTIL,
                offers=tuple(offers),
                delivery_fee_idr=int(volume * rnd.choice([0.0, 0.005, 0.01, 0.02, 0.04])),
                min_order_value_idr=0
                if sid == 1
                else int(volume * rnd.choice([0.0, 0.05, 0.15, 0.3])),
            )
        )
    return demand, quotes
