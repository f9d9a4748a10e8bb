"""A Ralali-like B2B marketplace: adapter and simulator."""

from adapters.marketplace.adapter import MarketplaceAdapter, MarketplaceAdapterFactoryType

MarketplaceAdapterFactory = MarketplaceAdapterFactoryType()

__all__ = ["MarketplaceAdapter", "MarketplaceAdapterFactory"]
