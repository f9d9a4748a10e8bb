"""Offers as the split sees them: one per (supplier, product, pack), with its tiers merged and
the pack counts that can be of use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from contracts.adapter import PackOffer, SupplierQuote
from services.domain.split.base import PackPolicy


@dataclass(frozen=True)
class Offer:
    supplier_id: int
    offer: PackOffer
    tiers: tuple[tuple[int, int], ...]  # (min packs, price per pack), ascending

    @property
    def sku(self) -> str:
        return self.offer.sku

    @property
    def units(self) -> Decimal:
        return self.offer.units_per_pack

    def price_for(self, packs: int) -> int:
        price = self.tiers[0][1]
        for min_packs, tier_price in self.tiers:
            if packs >= min_packs:
                price = tier_price
        return price

    def cost(self, packs: int) -> int:
        return packs * self.price_for(packs) if packs else 0

    @property
    def stock(self) -> int | None:
        return self.offer.available_packs


def collect_offers(
    quotes: Sequence[SupplierQuote],
    demand: Mapping[str, Decimal],
    pins: Mapping[str, int],
    excluded: set[tuple[str, int]],
) -> dict[str, list[Offer]]:
    out: dict[str, list[Offer]] = defaultdict(list)
    for quote in quotes:
        for offer in quote.offers:
            if offer.sku not in demand or not offer.tiers or offer.units_per_pack <= 0:
                continue
            if (offer.sku, quote.supplier_id) in excluded:
                continue
            if offer.sku in pins and pins[offer.sku] != quote.supplier_id:
                continue
            if offer.available_packs is not None and offer.available_packs < offer.moq_packs:
                continue
            tiers = tuple(sorted((t.min_packs, t.price_per_pack_idr) for t in offer.tiers))
            out[offer.sku].append(Offer(quote.supplier_id, offer, tiers))
    return out


def ceil_packs(quantity: Decimal, units: Decimal) -> int:
    return int((quantity / units).to_integral_value(rounding=ROUND_CEILING)) if quantity > 0 else 0


def floor_packs(quantity: Decimal, units: Decimal) -> int:
    return int((quantity / units).to_integral_value(rounding=ROUND_FLOOR)) if quantity > 0 else 0


def max_useful_packs(o: Offer, need: Decimal, policy: PackPolicy) -> int:
    """Round up buys beyond the demand only to reach a cheaper tier or the MOQ, never to pad
    an order up to a supplier's minimum value with goods no warung asked for. (That rule
    is also what keeps the model small: a bound of minimum value ÷ pack price would allow
    thousands of packs and ruin the relaxation.)"""
    if policy == PackPolicy.ROUND_DOWN:
        cap = floor_packs(need, o.units)
    else:
        cap = max(ceil_packs(need, o.units), o.tiers[-1][0], o.offer.moq_packs)
    return min(cap, o.stock) if o.stock is not None else cap


def find(offers: Mapping[str, list[Offer]], sid: int, sku: str, pack: str) -> Offer:
    return next(o for o in offers[sku] if o.supplier_id == sid and o.offer.pack_name == pack)


def merge_tiers(
    buys: Mapping[tuple[int, str, str], int], offers: Mapping[str, list[Offer]]
) -> dict[tuple[int, str, str], int]:
    """Several greedy steps on one offer are one order: respect its stock."""
    out = {}
    for key, n in buys.items():
        o = find(offers, *key)
        out[key] = min(n, o.stock) if o.stock is not None else n
    return out
