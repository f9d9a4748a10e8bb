"""The WhatsApp reminder a coordinator sends to a warung that has not sent its request yet."""

from __future__ import annotations

import gettext

from contracts import formatting
from contracts.phone import wa_me_link
from services.app.console_home import CycleSummary, SatkerHeader, WarungStatus


def reminder_link(
    tr: gettext.NullTranslations,
    locale: str,
    satker: SatkerHeader,
    cycle: CycleSummary,
    warung: WarungStatus,
) -> str | None:
    """A ``wa.me`` link with the message prefilled; None if the warung's phone is unusable."""
    _ = tr.gettext
    text = _(
        "Hello {owner}, this is {satker}. We have not yet received the restock request of "
        '{warung} for the cycle "{cycle}". The cut-off is {cutoff}. Thank you.'
    ).format(
        owner=warung.owner_name,
        satker=satker.name,
        warung=warung.name,
        cycle=cycle.name,
        cutoff=formatting.moment(cycle.cutoff_at, satker.timezone, locale),
    )
    try:
        return wa_me_link(warung.phone, text)
    except ValueError:
        return None
