"""``kulakan import products|warungs|suppliers|market-prices FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from services.cli import Subcommands, _in_tx

if TYPE_CHECKING:
    from services.app.csv_import import ImportReport
    from services.bootstrap import Container
    from services.db.tx import Tx


def cmd_import(args: argparse.Namespace) -> int:
    from services.app.csv_import import import_csv
    from services.app.csv_rows import decode_csv

    try:
        text = decode_csv(Path(args.file).read_bytes(), args.kind)
    except Exception as exc:
        return _report_row_errors(args.file, exc)

    async def work(container: Container, tx: Tx) -> ImportReport:
        return await import_csv(
            tx,
            args.kind,
            text,
            now=container.clock(),
            adapters=container.adapters,
            satker_id=args.satker,
        )

    try:
        report = _in_tx(work)
    except Exception as exc:
        return _report_row_errors(args.file, exc)
    print(
        f"{report.kind}: {report.rows} rows imported "
        f"({report.created} new, {report.updated} updated, {report.unchanged} unchanged)"
    )
    return 0


def _report_row_errors(file: str, exc: Exception) -> int:
    """Print an import's "line N, column C: message" errors and return the exit status;
    re-raise anything else."""
    rows = getattr(exc, "extra", {}).get("row_errors")
    if not rows:
        raise exc
    print(f"{file}: {len(rows)} error(s); nothing was imported", file=sys.stderr)
    for e in rows:
        print(f"  line {e['line']}, column {e['column']}: {e['message']}", file=sys.stderr)
    return 2


def register(sub: Subcommands) -> None:
    from services.app.csv_import import KINDS

    imp = sub.add_parser("import", help="import a CSV file (all rows or none)")
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file")
    imp.add_argument("--satker", type=int, help="the satker warungs belong to")
    imp.set_defaults(func=cmd_import)
