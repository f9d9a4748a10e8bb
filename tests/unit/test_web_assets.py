"""The console's pinned assets are the files their README names, and the Indonesian catalogue
covers every string of the pages, compiled."""

from __future__ import annotations

import hashlib
import re
from io import BytesIO

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from services.web.templating import LOCALE_DIR, STATIC, make_environment

WEB = STATIC.parent


def test_pinned_assets_match_the_readme():
    readme = (STATIC / "README.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \|[^|]+\| ([\d.]+) \| `([0-9a-f]{64})` \|$", readme, re.M)
    assert {name for name, _, _ in rows} == {
        "htmx.min.js",
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/swagger-ui/swagger-ui-standalone-preset.js",
        "vendor/swagger-ui/swagger-ui.css",
    }
    for name, _version, digest in rows:
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name


def test_every_page_string_is_translated_and_the_mo_is_current():
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    wanted = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(str(WEB), method_map, options_map=options)
    }
    po_path = LOCALE_DIR / "id" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as f:
        po = read_po(f)
    translated = {m.id: m.string for m in po if m.id}
    assert wanted - set(translated) == set(), "run the catalogue update in docs/console.md"
    assert all(translated[w] for w in wanted)
    with (po_path.with_suffix(".mo")).open("rb") as f:
        mo = read_mo(BytesIO(f.read()))
    assert {m.id: m.string for m in mo if m.id} == translated


def test_templates_compile_in_both_languages():
    for language in ("id", "en"):
        env = make_environment(language)
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)
