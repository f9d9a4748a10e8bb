"""``kulakan warungs login-link|end-sessions``: a warung owner's sign-in link for WhatsApp, and
signing every phone of a warung out."""

from __future__ import annotations

import argparse
from typing import Any

from contracts import formatting
from services.auth import Principal, Role
from services.cli import _in_tx

_OPERATOR = Principal(key_id=0, role=Role.ADMIN)


def cmd_login_link(args: argparse.Namespace) -> int:
    from services.app.warung_sessions import issue_link
    from services.web.security import secret_key
    from services.web.templating import translations
    from services.web.warung_links import sign_in_wa_link

    async def work(container: Any, tx: Any) -> Any:
        settings = container.settings
        link = await issue_link(
            tx,
            _OPERATOR,
            args.warung,
            secret=secret_key(settings),
            base_url=settings.public_base_url,
            now=container.clock(),
        )
        raw = await tx.raw()
        zone = await raw.fetchval(
            "SELECT k.timezone FROM satker k JOIN warung w ON w.satker_id = k.id WHERE w.id = $1",
            args.warung,
        )
        wa = sign_in_wa_link(translations(settings.language), link, zone)
        return link, wa, zone

    link, wa, zone = _in_tx(work)
    until = formatting.moment(link.expires_at, zone)
    print(f"sign-in link for {link.warung_name} ({link.owner_name}), single use, until {until}:")
    print(link.url)
    if wa:
        print("send it by WhatsApp:")
        print(wa)
    else:
        print(f"the warung's phone number ({link.phone}) is unusable for WhatsApp")
    return 0


def cmd_end_sessions(args: argparse.Namespace) -> int:
    from services.app.warung_sessions import end_warung_sessions

    ended = _in_tx(lambda c, tx: end_warung_sessions(tx, _OPERATOR, args.warung))
    print(f"warung {args.warung}: {ended} session(s) ended; unused sign-in links withdrawn")
    return 0


def register(sub: Any) -> None:
    warungs = sub.add_parser("warungs", help="warung owners' phone sign-in").add_subparsers(
        dest="warungs_command", required=True
    )
    link = warungs.add_parser(
        "login-link", help="a single-use sign-in link (30 minutes) and its WhatsApp link"
    )
    link.add_argument("warung", type=int, help="the warung's id")
    link.set_defaults(func=cmd_login_link)
    end = warungs.add_parser("end-sessions", help="sign every phone of a warung out")
    end.add_argument("warung", type=int, help="the warung's id")
    end.set_defaults(func=cmd_end_sessions)
