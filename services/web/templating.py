"""The console's Jinja environment: templates, the gettext catalogue (Indonesian first,
English by ``KULAKAN_LANGUAGE=en``), the Babel formats as filters, and static URLs that change
when the file does (so browsers may cache them long)."""

from __future__ import annotations

import gettext
import hashlib
from functools import cache, partial
from pathlib import Path

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig

from contracts import formatting

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LOCALE_DIR = HERE / "locale"
STATIC_URL = "/static"
LANGUAGES = ("id", "en")  # msgids are English; the catalogue makes them Indonesian


def translations(language: str) -> gettext.NullTranslations:
    if language not in LANGUAGES:
        raise ValueError(f"KULAKAN_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    if language == "en":
        return gettext.NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


@cache
def _fingerprint(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    """``/static/console.css?v=<hash of the file>``."""
    return f"{STATIC_URL}/{name}?v={_fingerprint(name)}"


def make_environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        translations(language), newstyle=True
    )
    locale = formatting.locale_for(language)
    env.filters.update(
        rupiah=partial(formatting.rupiah, locale=locale),
        quantity=lambda value, unit="": formatting.quantity(value, unit, locale),
        moment=lambda at, tz: formatting.moment(at, tz, locale),
        time_of_day=formatting.time_of_day,
        long_date=partial(formatting.long_date, locale=locale),
    )
    env.globals.update(static=static_url, language=language)
    return env


def template_config(language: str) -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment(language)))
