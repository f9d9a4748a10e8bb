"""``kulakan simulate marketplace --port P``: run the B2B marketplace simulator, which the
marketplace adapter package ships (found through the adapter registry)."""

from __future__ import annotations

import argparse
import sys

from services.cli import Subcommands


def cmd_marketplace(args: argparse.Namespace) -> int:
    from services.registry import AdapterRegistry

    simulator = AdapterRegistry().simulator("marketplace")
    if args.catalogue:
        problem = simulator.check_catalogue(args.catalogue)
        if problem:
            print(f"{args.catalogue}: {problem}", file=sys.stderr)
            return 2
    options = {
        "catalogue_path": args.catalogue or "",
        "delivery_fee_idr": args.delivery_fee_idr,
        "min_order_value_idr": args.min_order_value_idr,
        "callback_url": args.callback_url,
        "webhook_secret": args.webhook_secret,
        "webhook_delay_seconds": args.webhook_delay,
        "faults": {
            "latency_ms": args.latency_ms,
            "error_rate": args.error_rate,
            "fail_first": args.fail_first,
            "partial_fill": args.partial_fill,
            "duplicate_webhooks": args.duplicate_webhooks,
            "out_of_order": args.out_of_order,
        },
    }
    print(f"marketplace simulator on http://{args.host}:{args.port}", flush=True)
    simulator.run_simulator(args.host, args.port, options)
    return 0


def register(sub: Subcommands) -> None:
    simulate = sub.add_parser("simulate", help="run a supplier simulator").add_subparsers(
        dest="simulator", required=True
    )
    mp = simulate.add_parser("marketplace", help="a Ralali-like B2B marketplace")
    mp.add_argument("--host", default="127.0.0.1")
    mp.add_argument("--port", type=int, default=8701)
    mp.add_argument("--callback-url", default="", help="where to send signed webhooks")
    mp.add_argument("--webhook-secret", default="")
    mp.add_argument(
        "--catalogue",
        metavar="FILE",
        help="CSV of what it sells (sku, pack_name, units_per_pack, min_packs,"
        " price_per_pack_idr, moq_packs, stock_packs, lead_days; one row per tier);"
        " default: the shipped catalogue",
    )
    mp.add_argument("--delivery-fee-idr", type=int, default=75_000, help="ongkir per order")
    mp.add_argument("--min-order-value-idr", type=int, default=1_000_000)
    mp.add_argument("--webhook-delay", type=float, default=0.5, help="seconds")
    mp.add_argument("--latency-ms", type=int, default=0)
    mp.add_argument("--error-rate", type=float, default=0.0)
    mp.add_argument("--fail-first", type=int, default=0)
    mp.add_argument("--partial-fill", type=float, default=1.0)
    mp.add_argument("--duplicate-webhooks", action="store_true")
    mp.add_argument("--out-of-order", action="store_true")
    mp.set_defaults(func=cmd_marketplace)
