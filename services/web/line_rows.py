"""The review page's line rows, rendered once per line state and kept.

A bulk buy of 200 lines is reviewed and edited many times while only one line changes at a
time, so each row's HTML is kept under a digest of everything it shows (the line as the API
returns it, its suppliers' names and the name of whoever set its retail price, the page's
language and whether it may be edited). A changed line has a new digest and is rendered
afresh; nothing is ever served stale."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

import msgspec
from markupsafe import Markup

from contracts.api.bulk_buy import BulkBuyLineOut

ROW_TEMPLATE = "console/bulk_buys/_line.html"
_KEPT: OrderedDict[bytes, Markup] = OrderedDict()
_SIZE = 4_000
_ENCODE = msgspec.json.Encoder()


def _key(ln: BulkBuyLineOut, context: dict[str, Any]) -> bytes:
    names = [context["suppliers"].get(a.supplier_id) for a in ln.allocations]
    if ln.retail_override is not None:  # who changed its price, by name
        names.append(context["approvers"].get(ln.retail_override.user_id))
    parts = (context["f"].locale, context["url"], context["editable"], names)
    digest = hashlib.blake2b(_ENCODE.encode(ln), digest_size=20)
    digest.update(_ENCODE.encode(parts))
    return digest.digest()


def line_rows(environment: Any, context: dict[str, Any]) -> dict[int, Markup]:
    """Each line's ``<tbody>`` (not in edit mode), by product id."""
    template = None
    rows: dict[int, Markup] = {}
    for ln in context["bb"].lines:
        key = _key(ln, context)
        html = _KEPT.get(key)
        if html is None:
            template = template or environment.get_template(ROW_TEMPLATE)
            html = Markup(template.render({**context, "ln": ln, "edit": False}))
            _KEPT[key] = html
            while len(_KEPT) > _SIZE:
                _KEPT.popitem(last=False)
        else:
            _KEPT.move_to_end(key)
        rows[ln.product_id] = html
    return rows
