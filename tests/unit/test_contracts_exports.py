"""The public API of ``contracts`` is explicit: every public thing a module defines is in its
``__all__``, and the package re-exports exactly the union."""

from __future__ import annotations

import importlib
import inspect

import pytest

import contracts

MODULES = ["money", "quantity", "errors", "events", "adapter", "capabilities", "documents"]


@pytest.mark.parametrize("name", MODULES)
def test_module_all_lists_every_public_definition(name):
    module = importlib.import_module(f"contracts.{name}")
    defined = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    }
    assert defined <= set(module.__all__)
    assert all(hasattr(module, attr) for attr in module.__all__)


def test_package_reexports_exactly_the_modules_public_names():
    union = set()
    for name in MODULES:
        union |= set(importlib.import_module(f"contracts.{name}").__all__)
    assert set(contracts.__all__) == union
    assert all(getattr(contracts, attr) is not None for attr in contracts.__all__)


def test_importing_contracts_loads_no_io_library():
    import subprocess
    import sys

    code = (
        "import sys, contracts, contracts.api.registry, contracts.api.catalogue;"
        "print(sorted(m for m in ('sqlalchemy', 'httpx', 'litestar', 'asyncpg') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
