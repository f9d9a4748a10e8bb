"""The supplier adapter registry: factories found through the ``kulakan.adapters`` entry points.

A new kind of supplier is a new package declaring an entry point in that group; nothing in
the core changes. Factories load lazily; one that fails to import is reported unavailable
rather than taking the service down.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

import structlog

from contracts.adapter import AdapterFactory
from contracts.errors import FieldError, InvalidInput

GROUP = "kulakan.adapters"
log = structlog.get_logger(__name__)


class AdapterRegistry:
    def __init__(self, factories: Mapping[str, AdapterFactory] | None = None) -> None:
        self._factories: dict[str, AdapterFactory] = dict(factories or {})
        self._entry_points = (
            {} if factories is not None else {ep.name: ep for ep in entry_points(group=GROUP)}
        )
        self._broken: dict[str, str] = {}

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
