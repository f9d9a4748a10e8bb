"""``kulakan simulate marketplace --port P`` and ``kulakan simulate ubl-supplier --port P``:
run the simulators the adapter packages ship (found through the adapter registry)."""

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
        "faults": _faults(args, "duplicate_webhooks"),
    }
    print(f"marketplace simulator on http://{args.host}:{args.port}", flush=True)
    simulator.run_simulator(args.host, args.port, options)
    return 0


def _faults(args: argparse.Namespace, duplicates: str) -> dict[str, object]:
    return {
        "latency_ms": args.latency_ms,
        "error_rate": args.error_rate,
        "fail_first": args.fail_first,
        "partial_fill": args.partial_fill,
        duplicates: args.duplicates,
        "out_of_order": args.out_of_order,
    }


def cmd_ubl_supplier(args: argparse.Namespace) -> int:
    from services.registry import AdapterRegistry

    simulator = AdapterRegistry().simulator("ubl")
    options = {
        "callback_url": args.callback_url,
        "webhook_secret": args.webhook_secret,
        "auto": not args.manual,
        "document_delay_seconds": args.document_delay,
        "price_change_pct": args.price_change_pct,
        "faults": _faults(args, "duplicate_documents"),
    }
    print(f"UBL supplier simulator on http://{args.host}:{args.port}", flush=True)
    simulator.run_simulator(args.host, args.port, options)
    return 0


def _fault_knobs(parser: argparse.ArgumentParser, duplicates: str) -> None:
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--partial-fill", type=float, default=1.0)
    parser.add_argument(duplicates, dest="duplicates", action="store_true")
    parser.add_argument("--out-of-order", action="store_true")


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
    _fault_knobs(mp, "--duplicate-webhooks")
    mp.set_defaults(func=cmd_marketplace)
    ubl = simulate.add_parser(
        "ubl-supplier", help="a supplier system (ERP) speaking UBL 2.1 Order/OrderResponse"
    )
    ubl.add_argument("--host", default="127.0.0.1")
    ubl.add_argument("--port", type=int, default=8702)
    ubl.add_argument(
        "--callback-url",
        default="",
        help="where to post its documents, e.g. http://127.0.0.1:8000/v1/suppliers/4/documents",
    )
    ubl.add_argument("--webhook-secret", default="", help="the supplier's secret: signs both ways")
    ubl.add_argument(
        "--manual",
        action="store_true",
        help="send documents only when asked (POST /_admin/orders/{po}/{document})",
    )
    ubl.add_argument("--document-delay", type=float, default=0.5, help="seconds")
    ubl.add_argument(
        "--price-change-pct",
        type=float,
        default=0.0,
        help="the OrderResponse changes the first line's price by this much",
    )
    _fault_knobs(ubl, "--duplicate-documents")
    ubl.set_defaults(func=cmd_ubl_supplier)
