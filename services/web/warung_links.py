"""The WhatsApp message that carries a warung owner's sign-in link (the coordinator's console
and ``kulakan warungs login-link`` both send it)."""

from __future__ import annotations

import gettext

from contracts import formatting
from contracts.phone import wa_me_link
from services.app.warung_sessions import IssuedLink


def sign_in_message(
    tr: gettext.NullTranslations, locale: str, link: IssuedLink, timezone: str
) -> str:
    _ = tr.gettext
    return _(
        "Hello {owner}, here is the link to open the kulakan page of {warung} on your phone: "
        "{url}\nThe link works once, until {until}. Do not share it."
    ).format(
        owner=link.owner_name,
        warung=link.warung_name,
        url=link.url,
        until=formatting.time_of_day(link.expires_at, timezone),
    )


def sign_in_wa_link(
    tr: gettext.NullTranslations, locale: str, link: IssuedLink, timezone: str
) -> str | None:
    """A ``wa.me`` link to the owner's phone with the message prefilled; None when the
    warung's phone number is unusable."""
    try:
        return wa_me_link(link.phone, sign_in_message(tr, locale, link, timezone))
    except ValueError:
        return None
