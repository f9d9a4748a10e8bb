"""Bar charts as inline SVG, drawn on the server: they print, need no script, and weigh a few
kilobytes. Written by hand rather than with a chart library so that the markup is what
accessibility checks and a phone need: one ``role="img"`` with a title and a description,
text large enough to read, no external script or font, and a size that follows the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 360  # viewBox units: about one CSS pixel each on a phone; the SVG follows its box
LABEL_H = 18  # the label line above each bar
BAR_H = 18
GAP = 12
VALUE_ROOM = 110  # room right of the longest bar for its value


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    text: str  # the value as the page writes it ("Rp 1.234", "96,5%")


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, one per row with its label above it; negative values in the warning
    colour, drawn with their size. The SVG's title and description name what the chart shows;
    the page keeps the numbers in a table next to it."""
    row_h = LABEL_H + BAR_H + GAP
    height = max(1, len(bars)) * row_h + 4
    top = max((abs(Decimal(b.value)) for b in bars), default=Decimal(0))
    span = WIDTH - VALUE_ROOM
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" aria-labelledby="{escape(chart_id)}-t'
        f' {escape(chart_id)}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = i * row_h + 2
        value = Decimal(bar.value)
        width = int(span * abs(value) / top) if top else 0
        kind = "neg" if value < 0 else "pos"
        parts.append(
            f'<text class="label" x="0" y="{y + LABEL_H - 5}">{escape(_short(bar.label))}</text>'
            f'<rect class="{kind}" x="0" y="{y + LABEL_H}" width="{max(width, 2)}"'
            f' height="{BAR_H}" rx="3"></rect>'
            f'<text class="value" x="{max(width, 2) + 6}" y="{y + LABEL_H + BAR_H - 4}">'
            f"{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
