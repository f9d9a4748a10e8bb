"""The WhatsApp message that carries a warung owner's sign-in link (the coordinator's console
and ``kulakan warungs login-link`` both send it)."""

from __future__ import annotations

import gettext
from datetime import datetime

import msgspec

from contracts import formatting
from contracts.phone import wa_me_link
from services.app.warung_sessions import IssuedLink


def sign_in_message(tr: gettext.NullTranslations, link: IssuedLink, timezone: str) -> str:
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


def sign_in_wa_link(tr: gettext.NullTranslations, link: IssuedLink, timezone: str) -> str | None:
    """A ``wa.me`` link to the owner's phone with the message prefilled; None when the
    warung's phone number is unusable."""
    try:
        return wa_me_link(link.phone, sign_in_message(tr, link, timezone))
    except ValueError:
        return None


class SignInLinkView(msgspec.Struct, frozen=True, kw_only=True):
    """A sign-in link as the console shows it, once: the link, until when it works, the
    message and the ``wa.me`` link that sends it (None for an unusable phone number)."""

    url: str
    expires_at: datetime
    message: str
    wa_link: str | None


def sign_in_view(tr: gettext.NullTranslations, link: IssuedLink, timezone: str) -> SignInLinkView:
    return SignInLinkView(
        url=link.url,
        expires_at=link.expires_at,
        message=sign_in_message(tr, link, timezone),
        wa_link=sign_in_wa_link(tr, link, timezone),
    )
