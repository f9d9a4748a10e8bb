"""The ``kulakan`` command line: serve, migrate, keys, import, demo, worker, simulators."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from contracts.errors import KulakanError

if TYPE_CHECKING:  # the commands import what they need when they run, to start quickly
    from services.bootstrap import Container
    from services.db.tx import Tx

T = TypeVar("T")
# What a command module's ``register`` adds its sub-commands to.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _container() -> Container:
    from services.bootstrap import bootstrap
    from services.logging import configure_logging

    container = bootstrap()
    configure_logging(json=container.settings.log_json, level=container.settings.log_level)
    return container


def _in_tx(work: Callable[[Container, Tx], Awaitable[T]]) -> T:
    """Run ``work(container, tx)`` in one transaction and return its result."""
    from services.db.tx import Tx

    async def main() -> T:
        container = _container()
        try:
            async with Tx(container.engine) as tx:
                return await work(container, tx)
        finally:
            await container.close()

    return asyncio.run(main())


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from services.bootstrap import resolve_database_url
    from services.db.migrate import upgrade
    from services.settings import Settings

    url = resolve_database_url(Settings.from_env())
    upgrade(url, args.revision)
    print(f"database migrated to {args.revision}")
    return 0


def _embedded_dir() -> Path | None:
    """The embedded server's data folder, or None when KULAKAN_DATABASE_URL names a server."""
    from services.settings import Settings

    settings = Settings.from_env()
    if settings.database_url:
        print("KULAKAN_DATABASE_URL is set: no embedded server is used")
        return None
    return settings.data_dir


def cmd_db_start(args: argparse.Namespace) -> int:
    from services.db.embedded import start_embedded

    data_dir = _embedded_dir()
    if data_dir is not None:
        url = start_embedded(data_dir)
        print(f"embedded PostgreSQL running in {data_dir / 'pg'}: {url}")
        print("it stays up until `kulakan db stop`")
    return 0


def cmd_db_stop(args: argparse.Namespace) -> int:
    from services.db.embedded import stop_embedded

    data_dir = _embedded_dir()
    if data_dir is not None:
        stopped = stop_embedded(data_dir)
        print(
            f"embedded PostgreSQL in {data_dir / 'pg'} "
            + ("stopped" if stopped else "was not running")
        )
    return 0


def cmd_db_status(args: argparse.Namespace) -> int:
    """Exit 0 when the embedded server runs (or a database URL is configured), 3 when not."""
    from services.db.embedded import is_running

    data_dir = _embedded_dir()
    if data_dir is None:
        return 0
    running = is_running(data_dir)
    print(f"embedded PostgreSQL in {data_dir / 'pg'}: " + ("running" if running else "not running"))
    return 0 if running else 3


def cmd_serve(args: argparse.Namespace) -> int:
    from services.api.server import default_workers, serve
    from services.settings import Settings
    from services.web.security import secret_key

    settings = Settings.from_env()
    secret_key(settings)  # made once here, so every worker process reads the same one
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or default_workers()
    print(
        f"kulakan API on http://{host}:{port} ({workers} processes)"
        f"  —  docs: http://{host}:{port}/schema",
        flush=True,
    )
    print(f"console: http://{host}:{port}/console/", flush=True)
    serve(host, port, workers)
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    from contracts.api.registry import ApiKeyCreate, KeyRole
    from services.app.api_keys import create_api_key

    data = ApiKeyCreate(
        role=KeyRole(args.role),
        satker_id=args.satker,
        warung_id=args.warung,
        supplier_id=args.supplier,
        label=args.label,
    )
    created = _in_tx(lambda _c, tx: create_api_key(tx, data))
    print(f"id {created.id} role {created.role}; the key (shown once):")
    print(created.key)
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from services.app.api_keys import revoke_api_key

    out = _in_tx(lambda c, tx: revoke_api_key(tx, args.key_id, c.clock()))
    assert out.revoked_at is not None  # revoke_api_key sets it (or keeps the earlier one)
    print(f"key {out.id} ({out.prefix}) revoked at {out.revoked_at.isoformat()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kulakan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers", type=int, help="server processes, each with its own pool (default: cores)"
    )
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database: migrations and the embedded server").add_subparsers(
        dest="db_command", required=True
    )
    up = db.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="heads")
    up.set_defaults(func=cmd_db_upgrade)
    db.add_parser("start", help="start the embedded PostgreSQL and keep it running").set_defaults(
        func=cmd_db_start
    )
    db.add_parser("stop", help="stop the embedded PostgreSQL").set_defaults(func=cmd_db_stop)
    db.add_parser(
        "status", help="is the embedded PostgreSQL running? (exit 0 yes, 3 no)"
    ).set_defaults(func=cmd_db_status)

    keys = sub.add_parser("keys", help="API keys").add_subparsers(
        dest="keys_command", required=True
    )
    kc = keys.add_parser("create", help="create a key; prints it once")
    kc.add_argument("--role", required=True, choices=["admin", "coordinator", "warung", "supplier"])
    kc.add_argument("--satker", type=int)
    kc.add_argument("--warung", type=int)
    kc.add_argument("--supplier", type=int)
    kc.add_argument("--label", default="")
    kc.set_defaults(func=cmd_keys_create)
    kr = keys.add_parser("revoke", help="revoke a key by id")
    kr.add_argument("key_id", type=int)
    kr.set_defaults(func=cmd_keys_revoke)

    for register in _EXTENSIONS:
        register(sub)
    return parser


# Other modules add their sub-commands here (import, demo, worker, simulate).
_EXTENSIONS: list[Callable[[Subcommands], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    _load_extensions()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KulakanError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        for e in exc.errors:
            print(f"  {e.pointer}: {e.detail}", file=sys.stderr)
        return 2


def _load_extensions() -> None:
    import importlib

    for module in (
        "services.cli_import",
        "services.cli_demo",
        "services.cli_worker",
        "services.cli_simulate",
        "services.cli_users",
        "services.cli_warungs",
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        if mod.register not in _EXTENSIONS:
            _EXTENSIONS.append(mod.register)


if __name__ == "__main__":
    sys.exit(main())
