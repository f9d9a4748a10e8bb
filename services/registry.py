"""The supplier adapter registry: factories found through the ``kulakan.adapters`` entry points,
and one adapter instance per supplier.

A new kind of supplier is a new package declaring an entry point in that group; nothing in
the core changes. Factories load lazily; one that fails to import is reported unavailable
rather than taking the service down.

**One instance per supplier.** :meth:`AdapterRegistry.instance` keeps each supplier's adapter
(and so its circuit breaker and its HTTP client) for the life of the process, and builds a new
one only when what it was built from changes: the adapter key, its config, the supplier's name
or webhook secret. The instance it replaces may still be answering a call, so it is closed
with the others by :meth:`AdapterRegistry.aclose` when the process stops.

**Capabilities.** :meth:`AdapterRegistry.offered` answers "does this adapter offer X" from the
capabilities it declares, and returns it typed as the protocol of
:mod:`contracts.capabilities`; an adapter that declares a capability without implementing its
protocol is refused when it is built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any, TypeVar

import msgspec
import structlog

from contracts.adapter import AdapterContext, AdapterFactory, Capability, SupplierAdapter
from contracts.capabilities import (
    CAPABILITY_PROTOCOLS,
    ClosableAdapter,
    ConfirmationLinkIssuer,
    SupplierSimulator,
)
from contracts.documents import DocumentWriter
from contracts.errors import FieldError, InvalidInput, SupplierError

GROUP = "kulakan.adapters"
log = structlog.get_logger(__name__)
P = TypeVar("P")


def fingerprint(key: str, config: Mapping[str, Any], context: AdapterContext) -> str:
    """What an adapter instance was built from; a change means a new instance."""
    made_from = [
        key,
        dict(config),
        context.supplier_name,
        context.webhook_secret,
        context.public_base_url,
    ]
    return hashlib.sha256(msgspec.json.encode(made_from, order="sorted")).hexdigest()


class AdapterRegistry:
    """Factories by adapter key, and the adapter instance of each supplier.

    ``factories``: use exactly these (tests); otherwise ``entry_points`` (default: those
    installed in the :data:`GROUP` group, read when the registry is made).
    """

    def __init__(
        self,
        factories: Mapping[str, AdapterFactory] | None = None,
        *,
        entry_points_: Iterable[EntryPoint] | None = None,
    ) -> None:
        self._factories: dict[str, AdapterFactory] = dict(factories or {})
        if entry_points_ is None and factories is None:
            entry_points_ = entry_points(group=GROUP)
        self._entry_points = {ep.name: ep for ep in entry_points_ or ()}
        self._broken: dict[str, str] = {}
        self._instances: dict[int, tuple[str, SupplierAdapter]] = {}
        self._replaced: list[SupplierAdapter] = []

    @property
    def keys(self) -> list[str]:
        return sorted(set(self._factories) | set(self._entry_points))

    def available(self, key: str) -> bool:
        try:
            self.get(key)
        except InvalidInput:
            return False
        return True

    def get(self, key: str) -> AdapterFactory:
        if key in self._factories:
            return self._factories[key]
        ep = self._entry_points.get(key)
        if ep is None:
            raise InvalidInput(
                f"unknown adapter {key!r}",
                errors=[FieldError("/adapter_key", f"must be one of: {', '.join(self.keys)}")],
            )
        if key in self._broken:
            raise InvalidInput(
                f"adapter {key!r} is not available: {self._broken[key]}",
                errors=[FieldError("/adapter_key", "adapter not available")],
            )
        try:
            factory = ep.load()
        except Exception as exc:  # an adapter package that cannot import is reported, not fatal
            self._broken[key] = f"{type(exc).__name__}: {exc}"
            log.warning("adapter_unavailable", key=key, error=self._broken[key])
            raise InvalidInput(
                f"adapter {key!r} is not available",
                errors=[FieldError("/adapter_key", "adapter not available")],
            ) from exc
        self._factories[key] = factory
        return factory

    def validate(self, key: str, config: Mapping[str, Any]) -> None:
        """Raise InvalidInput for an unknown key or a config its factory refuses."""
        self.get(key).validate_config(config)

    # ------------------------------------------------------------ one instance per supplier

    def instance(
        self, key: str, config: Mapping[str, Any], context: AdapterContext
    ) -> SupplierAdapter:
        """The adapter of supplier ``context.supplier_id``: the one made before, unless what it
        was made from changed."""
        made_from = fingerprint(key, config, context)
        held = self._instances.get(context.supplier_id)
        if held is not None and held[0] == made_from:
            return held[1]
        adapter = self.get(key).create(config, context)
        _check_declared(key, adapter)
        if held is not None:
            self._replaced.append(held[1])
        self._instances[context.supplier_id] = (made_from, adapter)
        log.info("adapter_built", supplier_id=context.supplier_id, key=key)
        return adapter

    async def aclose(self) -> None:
        """Close every adapter this registry made (their HTTP clients)."""
        adapters = [adapter for _, adapter in self._instances.values()] + self._replaced
        self._instances.clear()
        self._replaced.clear()
        for adapter in adapters:
            if isinstance(adapter, ClosableAdapter):
                try:
                    await adapter.aclose()
                except Exception:  # closing one must not keep the others open
                    log.exception("adapter_close_failed", key=getattr(adapter, "key", "?"))

    # ------------------------------------------------------------ capabilities

    @staticmethod
    def offers(adapter: SupplierAdapter, capability: Capability) -> bool:
        return capability in adapter.capabilities

    def offered(
        self, adapter: SupplierAdapter, capability: Capability, protocol: type[P]
    ) -> P | None:
        """``adapter`` as ``protocol`` if it declares ``capability``, else None."""
        if capability in adapter.capabilities and isinstance(adapter, protocol):
            return adapter
        return None

    def link_issuers(self) -> list[tuple[str, ConfirmationLinkIssuer]]:
        """The available factories that issue confirmation links, by key."""
        issuers: list[tuple[str, ConfirmationLinkIssuer]] = []
        for key in self.keys:
            if not self.available(key):
                continue
            factory = self.get(key)
            if Capability.CONFIRMATION_LINK in factory.capabilities and isinstance(
                factory, ConfirmationLinkIssuer
            ):
                issuers.append((key, factory))
        return issuers

    def document_writer(self, media_type: str) -> DocumentWriter | None:
        """The first available factory that writes kulakan's documents in ``media_type``
        (the ``ubl`` package: application/xml), or None."""
        for key in self.keys:
            if not self.available(key):
                continue
            factory = self.get(key)
            if (
                Capability.DOCUMENTS in factory.capabilities
                and isinstance(factory, DocumentWriter)
                and factory.media_type == media_type
            ):
                return factory
        return None

    def simulator(self, key: str) -> SupplierSimulator:
        """The simulator the ``key`` adapter package ships (InvalidInput if none)."""
        factory = self.get(key)
        if not isinstance(factory, SupplierSimulator):
            raise InvalidInput(
                f"adapter {key!r} has no simulator",
                errors=[FieldError("/adapter_key", "no simulator for this adapter")],
            )
        return factory


def _check_declared(key: str, adapter: SupplierAdapter) -> None:
    for capability in adapter.capabilities:
        protocol = CAPABILITY_PROTOCOLS.get(capability)
        if protocol is not None and not isinstance(adapter, protocol):
            raise SupplierError(
                f"adapter {key!r} declares {capability.value} without {protocol.__name__}",
                retryable=False,
            )
