"""The adapter registry: capabilities read from what an adapter declares and checked against
the protocols in contracts; one instance per supplier; and services reaching adapters only
through it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from contracts.adapter import AdapterContext, Capability
from contracts.capabilities import BuyingLists, ConfirmationLinks, PriceBoards
from contracts.errors import InvalidInput, SupplierError
from services.registry import AdapterRegistry

ROOT = Path(__file__).resolve().parents[3]
MARKET = {"market_name": "Pasar Induk Jakabaring"}
TRADER = {"phone": "081373112233", "link_secret": "s3cret"}


def context(supplier_id: int = 1, **kw: str) -> AdapterContext:
    return AdapterContext(supplier_id=supplier_id, supplier_name=f"S{supplier_id}", **kw)


class Boasting:
    """Declares a price board and implements none of it."""

    key = "boasting"
    capabilities = frozenset({Capability.QUOTE, Capability.PRICE_BOARD})


class BoastingFactory:
    key = "boasting"
    capabilities = Boasting.capabilities

    def validate_config(self, config):
        return None

    def create(self, config, context):
        return Boasting()


async def test_the_installed_adapters_offer_what_they_declare():
    registry = AdapterRegistry()
    market = registry.instance("wholesale_market", MARKET, context(1))
    trader = registry.instance("whatsapp_trader", TRADER, context(2))
    marketplace = registry.instance("marketplace", {"base_url": "http://mp.test"}, context(3))
    assert registry.offered(market, Capability.PRICE_BOARD, PriceBoards) is market
    assert registry.offered(market, Capability.BUYING_LIST, BuyingLists) is market
    assert registry.offered(market, Capability.CONFIRMATION_LINK, ConfirmationLinks) is None
    assert registry.offered(trader, Capability.CONFIRMATION_LINK, ConfirmationLinks) is trader
    assert registry.offered(trader, Capability.PRICE_BOARD, PriceBoards) is None
    assert registry.offered(marketplace, Capability.PRICE_BOARD, PriceBoards) is None
    assert registry.offers(marketplace, Capability.INBOUND)
    assert not registry.offers(trader, Capability.INBOUND)  # answers on its page, not by webhook
    assert [key for key, _ in registry.link_issuers()] == ["whatsapp_trader"]
    await registry.aclose()
    assert marketplace.http.is_closed


def test_an_adapter_declaring_a_capability_it_lacks_is_refused():
    registry = AdapterRegistry({"boasting": BoastingFactory()})
    with pytest.raises(SupplierError, match="price_board without PriceBoards"):
        registry.instance("boasting", {}, context())


def test_one_instance_per_supplier_until_what_it_was_built_from_changes():
    registry = AdapterRegistry()
    first = registry.instance("wholesale_market", MARKET, context(1))
    assert registry.instance("wholesale_market", dict(MARKET), context(1)) is first
    assert registry.instance("wholesale_market", MARKET, context(2)) is not first
    renamed = {**MARKET, "market_name": "Pasar Induk Kramat Jati"}
    assert registry.instance("wholesale_market", renamed, context(1)) is not first
    assert (
        registry.instance("wholesale_market", MARKET, context(1, webhook_secret="x")) is not first
    )


def test_the_marketplace_ships_a_simulator_and_others_do_not():
    registry = AdapterRegistry()
    assert "TERIGU" in registry.simulator("marketplace").simulated_skus()
    with pytest.raises(InvalidInput):
        registry.simulator("whatsapp_trader")


def _adapter_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [name for name in names if name == "adapters" or name.startswith("adapters.")]


def test_services_reach_adapters_only_through_the_registry():
    allowed = {"services/registry.py", "services/bootstrap.py"}
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "services").rglob("*.py"))
        if (found := _adapter_imports(path)) and str(path.relative_to(ROOT)) not in allowed
    }
    assert offenders == {}
