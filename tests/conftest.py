"""Shared test settings; database fixtures come from tests/fixtures_db.py."""

import os

from hypothesis import HealthCheck, settings

pytest_plugins = [
    "tests.fixtures_db",
    "tests.support_purchasing",
    "tests.support_inputs",
    "tests.support_browser",
]

# tests/citus/ checks what only a Citus cluster has (single-shard routing): collected only on
# request, with KULAKAN_TEST_DATABASE_URL on the coordinator (see docs/scale.md)
collect_ignore = [] if os.environ.get("KULAKAN_TEST_CITUS") == "1" else ["citus"]

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_collection_modifyitems(items: list) -> None:
    """Mark each test by the layer of the pyramid its folder names: `-m "not e2e"` runs without
    starting processes, `-m unit` without a database."""
    import pytest

    for item in items:
        for layer in ("unit", "integration", "e2e"):
            if layer in item.path.parts:
                item.add_marker(getattr(pytest.mark, layer))
