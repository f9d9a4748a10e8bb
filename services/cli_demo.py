"""``kulakan demo seed``: load the demo data (safe to run again); ``kulakan demo run``: one
whole cycle of the demo satker through real HTTP, with a summary."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from services.cli import Subcommands, _in_tx

if TYPE_CHECKING:
    from services.bootstrap import Container
    from services.db.tx import Tx
    from services.demo.seed import SeedReport
    from services.settings import Settings


def cmd_seed(args: argparse.Namespace) -> int:
    from services.demo.seed import seed_demo

    async def work(container: Container, tx: Tx) -> tuple[SeedReport, Settings]:
        report = await seed_demo(tx, now=container.clock(), adapters=container.adapters)
        return report, container.settings

    report, settings = _in_tx(work)
    for r in report.imports:
        print(f"{r.kind}: {r.rows} rows ({r.created} new, {r.updated} updated)")
    print(f"market prices: {report.market_prices} for today; satker id {report.satker_id}")
    keys_file = settings.data_dir / "demo-keys.txt"
    if report.keys is not None:
        k = report.keys
        text = (
            f"admin        {k.admin}\n"
            f"coordinator  {k.coordinator}   (satker {k.satker_id})\n"
            f"warung       {k.warung}   (warung {k.warung_id})\n"
            f"supplier     {k.supplier}   (supplier {k.supplier_id})\n"
        )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        keys_file.write_text(text)
        keys_file.chmod(0o600)
        print("demo API keys (shown once; also kept in", keys_file, "):")
        print(text, end="")
    elif keys_file.exists():
        print(f"demo API keys: see {keys_file}")
    from services.demo.users import seed_demo_coordinator, sign_in_text

    async def coordinator(container: Container, tx: Tx) -> str:
        await seed_demo_coordinator(tx, report.satker_id)
        return sign_in_text(container.settings.public_base_url)

    print(_in_tx(coordinator))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    import asyncio

    import msgspec

    from services.demo.run import run_demo
    from services.settings import Settings

    summary = asyncio.run(
        run_demo(Settings.from_env(), partial_fill=args.partial_fill, seed=args.seed)
    )
    if args.json:
        print(msgspec.json.encode(summary).decode())
    else:
        print(summary.text())
    return 0 if summary.invoiced_idr == summary.supplier_billed_idr else 1


def register(sub: Subcommands) -> None:
    demo = sub.add_parser("demo", help="demo data").add_subparsers(
        dest="demo_command", required=True
    )
    seed = demo.add_parser("seed", help="load the demo satker, warungs, products and suppliers")
    seed.set_defaults(func=cmd_seed)
    run = demo.add_parser(
        "run",
        help="one whole cycle end to end: requests, bulk buy, orders, deliveries, invoices",
    )
    run.add_argument(
        "--partial-fill", type=float, default=0.9, help="marketplace delivers this share"
    )
    run.add_argument("--seed", type=int, default=7, help="what the warungs order")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.set_defaults(func=cmd_run)
