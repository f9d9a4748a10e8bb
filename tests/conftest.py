"""Shared test settings; database fixtures come from tests/fixtures_db.py."""

import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["tests.fixtures_db", "tests.support_purchasing", "tests.support_inputs"]

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
