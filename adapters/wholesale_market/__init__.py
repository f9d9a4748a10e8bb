"""Wholesale market (pasar induk, e.g. Jakabaring, Palembang): a daily price board gives
indicative prices; orders become buying lists for a market runner within trading hours; the
runner reports what was actually bought at what price."""

from adapters.local_time import DailyHours, Session, session_for
from adapters.wholesale_market.adapter import (
    SIGNATURE_HEADER,
    HoursConfig,
    LotSize,
    WholesaleMarketAdapter,
    WholesaleMarketAdapterFactory,
    WholesaleMarketConfig,
    WholesaleMarketFactory,
    parse_config,
    quote_price_per_unit,
    sign_runner_report,
)
from adapters.wholesale_market.board import (
    BoardEntry,
    latest_board,
    parse_board_csv,
    parse_board_json,
    quotable_board,
)
from adapters.wholesale_market.buying_list import (
    BuyingList,
    BuyingListLine,
    build_buying_list,
    buying_list_csv,
    buying_list_json,
    render_buying_list_html,
)
from adapters.wholesale_market.runner_report import (
    decode_runner_report,
    events_from_runner_report,
)
from contracts.capabilities import RunnerLineStatus, RunnerReport, RunnerReportLine

__all__ = [
    "SIGNATURE_HEADER",
    "BoardEntry",
    "BuyingList",
    "BuyingListLine",
    "DailyHours",
    "HoursConfig",
    "LotSize",
    "RunnerLineStatus",
    "RunnerReport",
    "RunnerReportLine",
    "Session",
    "WholesaleMarketAdapter",
    "WholesaleMarketAdapterFactory",
    "WholesaleMarketConfig",
    "WholesaleMarketFactory",
    "build_buying_list",
    "buying_list_csv",
    "buying_list_json",
    "decode_runner_report",
    "events_from_runner_report",
    "latest_board",
    "parse_board_csv",
    "parse_board_json",
    "parse_config",
    "quotable_board",
    "quote_price_per_unit",
    "render_buying_list_html",
    "session_for",
    "sign_runner_report",
]
