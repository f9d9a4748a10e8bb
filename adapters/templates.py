"""Jinja environments for the server-rendered pages of the field adapters (templates live in
each adapter's package; every page gets the same rupiah, quantity and date filters)."""

from __future__ import annotations

import functools
from importlib import resources

import jinja2

from adapters.local_time import long_date, quantity_text, rupiah


@functools.cache
def page_templates(package: str) -> jinja2.Environment:
    def load(name: str) -> str:
        return resources.files(package).joinpath(name).read_text(encoding="utf-8")

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(rupiah=rupiah, qty=quantity_text, long_date=long_date)
    return env
