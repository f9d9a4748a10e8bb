"""``kulakan users create|disable``: the people who sign in to the web console."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from services.cli import Subcommands, _in_tx

if TYPE_CHECKING:
    from services.app.users import CreatedUser
    from services.bootstrap import Container
    from services.db.tx import Tx


def cmd_create(args: argparse.Namespace) -> int:
    from services.app.users import create_user

    async def work(container: Container, tx: Tx) -> tuple[CreatedUser, str]:
        created = await create_user(
            tx, role=args.role, satker_id=args.satker, phone=args.phone, name=args.name
        )
        return created, container.settings.public_base_url

    created, base = _in_tx(work)
    user = created.user
    print(f"user {user.id}: {user.name}, {user.role}, phone {user.phone}")
    print(f"first sign-in at {base}/console/sign-in with this one-time code (shown once):")
    print(created.setup_code)
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    from services.app.users import disable_user

    user = _in_tx(lambda c, tx: disable_user(tx, args.phone, c.clock()))
    print(f"user {user.id} ({user.phone}) disabled; their sessions have ended")
    return 0


def register(sub: Subcommands) -> None:
    users = sub.add_parser("users", help="people who sign in to the web console").add_subparsers(
        dest="users_command", required=True
    )
    create = users.add_parser("create", help="add a coordinator or admin; prints a one-time code")
    create.add_argument("--role", required=True, choices=["coordinator", "admin"])
    create.add_argument("--satker", type=int, help="the coordinator's satker (not for an admin)")
    create.add_argument("--phone", required=True, help="sign-in number, e.g. 0812-3456-7890")
    create.add_argument("--name", required=True)
    create.set_defaults(func=cmd_create)
    disable = users.add_parser("disable", help="refuse sign-in and end every session at once")
    disable.add_argument("--phone", required=True)
    disable.set_defaults(func=cmd_disable)
