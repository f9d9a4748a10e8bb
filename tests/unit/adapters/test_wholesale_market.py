"""Wholesale market adapter: board parsing, board quotes, trading hours, buying lists and
runner reports, with the sample Jakabaring board of 2 June 2025."""

from __future__ import annotations

import csv
import importlib
import io
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from adapters.wholesale_market import (
    SIGNATURE_HEADER,
    BoardEntry,
    DailyHours,
    WholesaleMarketAdapter,
    WholesaleMarketAdapterFactory,
    build_buying_list,
    buying_list_csv,
    buying_list_json,
    decode_runner_report,
    events_from_runner_report,
    latest_board,
    parse_board_csv,
    parse_board_json,
    quotable_board,
    render_buying_list_html,
    session_for,
    sign_runner_report,
)
from contracts.adapter import (
    AdapterContext,
    AdapterFactory,
    Capability,
    InboundRequest,
    OrderLine,
    PurchaseOrderRequest,
    QuoteItem,
    QuoteRequest,
    SupplierAdapter,
)
from contracts.errors import InvalidInput, SupplierError, Unauthorized
from contracts.events import LineOutcome, OrderConfirmed, OrderDelivered, OrderRejected

WIB = ZoneInfo("Asia/Jakarta")
BOARD_CSV = Path("/work/shared/data/jakabaring_board.csv").read_text(encoding="utf-8")
SKU_BY_NAME = {
    "Bawang merah": "BWG-MRH",
    "Bawang putih": "BWG-PTH",
    "Cabai merah keriting": "CBI-MRH",
    "Cabai rawit": "CBI-RWT",
    "Tomat": "TOMAT",
    "Kentang": "KENTANG",
    "Wortel": "WORTEL",
    "Kol": "KOL",
    "Sawi hijau": "SAWI",
    "Jahe": "JAHE",
    "Daun bawang": "DN-BWG",
    "Ikan lele": "LELE",
    "Ikan nila": "NILA",
    "Daging ayam ras": "AYAM",
}
BOARD = parse_board_csv(BOARD_CSV, sku_by_name=SKU_BY_NAME)
SECRET = "runner-secret"


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def entry(sku: str, grade: str, board: tuple[BoardEntry, ...] = BOARD) -> BoardEntry:
    return next(e for e in board if e.sku == sku and e.grade == grade)


def make_adapter(
    config: dict[str, Any] | None = None,
    *,
    now: datetime = wib(2025, 6, 3, 10, 0),
    board: tuple[BoardEntry, ...] | None = BOARD,
    secret: str = SECRET,
) -> WholesaleMarketAdapter:
    async def load_board() -> tuple[BoardEntry, ...]:
        return board or ()

    context = AdapterContext(
        supplier_id=7,
        supplier_name="Pasar Induk Jakabaring",
        webhook_secret=secret,
        clock=lambda: now,
        board_loader=load_board if board is not None else None,
    )
    return WholesaleMarketAdapterFactory.create(config or {}, context)


def quote_request(*skus: str) -> QuoteRequest:
    return QuoteRequest(
        reference="BB-2025-06-03-KLD",
        region="Palembang",
        items=tuple(QuoteItem(sku=sku, quantity=Decimal(20), retail_unit="kg") for sku in skus),
    )


def order(**overrides: Any) -> PurchaseOrderRequest:
    fields: dict[str, Any] = {
        "po_number": "PO-KLD-0001",
        "supplier_id": 7,
        "lines": (
            OrderLine(
                line_no=1,
                sku="BWG-MRH",
                pack_name="karung 10 kg",
                units_per_pack=Decimal(10),
                packs=2,
                price_per_pack_idr=340_000,
                supplier_sku="BWG-MRH:super",
                product_name="Bawang merah",
                retail_unit="kg",
            ),
            OrderLine(
                line_no=2,
                sku="LELE",
                pack_name="kg",
                units_per_pack=Decimal(1),
                packs=10,
                price_per_pack_idr=21_000,
                supplier_sku="LELE:konsumsi",
                product_name="Ikan lele",
                retail_unit="kg",
            ),
            OrderLine(
                line_no=3,
                sku="CBI-RWT",
                pack_name="kg",
                units_per_pack=Decimal(1),
                packs=3,
                price_per_pack_idr=47_000,
                supplier_sku="CBI-RWT:merah",
                product_name="Cabai rawit",
                retail_unit="kg",
            ),
        ),
        "delivery_date": date(2025, 6, 4),
        "delivery_window": "06:00–09:00 WIB",
        "delivery_address": "Kantor Camat Kalidoni, Jl. Mayor Zen",
        "contact_name": "Bu Sari",
        "contact_phone": "0813-1111-2222",
    }
    fields.update(overrides)
    return PurchaseOrderRequest(**fields)


def field_errors(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {error.pointer: error.detail for error in exc.value.errors}


# --- board parsing -----------------------------------------------------------------------


def test_the_sample_board_parses_with_real_figures():
    assert len(BOARD) == 15
    assert entry("BWG-MRH", "super") == BoardEntry(
        date=date(2025, 6, 2),
        sku="BWG-MRH",
        product_name="Bawang merah",
        grade="super",
        unit="kg",
        min_idr=31_000,
        max_idr=34_000,
    )
    assert entry("BWG-MRH", "biasa").max_idr == 30_000
    assert entry("LELE", "konsumsi").min_idr == 19_000


def test_a_name_and_grade_mapping_wins_over_the_name_alone():
    board = parse_board_csv(
        BOARD_CSV,
        sku_by_name={**SKU_BY_NAME, "bawang  MERAH|Biasa": "BWG-MRH-B"},
    )
    assert entry("BWG-MRH-B", "biasa", board).max_idr == 30_000
    assert entry("BWG-MRH", "super", board).max_idr == 34_000


def test_a_sku_column_needs_no_mapping():
    text = (
        "sku,date,product,grade,unit,min_idr,max_idr\n"
        "LELE,2025-06-02,Ikan lele,konsumsi,kg,19000,21000\n"
    )
    assert parse_board_csv(text)[0].sku == "LELE"


def test_board_errors_name_line_and_column():
    text = (
        "date,product,grade,unit,min_idr,max_idr\n"
        "2025-06-02,Bawang merah,super,kg,31000,34000\n"
        "02/06/2025,Tomat,super,kg,7500,8500\n"
        "2025-06-02,Kentang,dieng,kg,14000,12500\n"
        "2025-06-02,Wortel,super,kg,8.500,9500\n"
        "2025-06-02,Durian,montong,kg,30000,40000\n"
        "2025-06-02,Kol,super,kg,4500\n"
        "\n"
        "2025-06-02,Bawang merah,super,kg,31000,35000\n"
    )
    with pytest.raises(InvalidInput) as exc:
        parse_board_csv(text, sku_by_name=SKU_BY_NAME)
    errors = field_errors(exc)
    assert set(errors) == {
        "/board/3/date",
        "/board/4/max_idr",
        "/board/5/min_idr",
        "/board/6/product",
        "/board/7",
        "/board/9/grade",
    }
    assert errors["/board/4/max_idr"].startswith("line 4, max_idr: 12500 is below min_idr 14000")
    assert "Durian" in errors["/board/6/product"]
    assert "line 2" in errors["/board/9/grade"]  # the duplicate names the first line


def test_a_header_without_price_columns_is_refused():
    with pytest.raises(InvalidInput) as exc:
        parse_board_csv("date,product,grade,unit,price\n2025-06-02,Tomat,super,kg,8000\n")
    assert set(field_errors(exc)) == {"/board/1/min_idr", "/board/1/max_idr"}


def test_a_market_agent_posts_the_board_as_json():
    body = msgspec.json.encode(
        {
            "date": "2025-06-03",
            "entries": [
                {"product": "Ikan lele", "grade": "konsumsi", "min_idr": 19500, "max_idr": 21500},
                {
                    "sku": "TOMAT",
                    "date": "2025-06-02",
                    "product": "Tomat",
                    "grade": "super",
                    "unit": "kg",
                    "min_idr": "7500",
                    "max_idr": "8500",
                },
            ],
        }
    )
    lele, tomat = parse_board_json(body, sku_by_name=SKU_BY_NAME)
    assert (lele.date, lele.sku, lele.unit, lele.max_idr) == (
        date(2025, 6, 3),
        "LELE",
        "kg",
        21_500,
    )
    assert (tomat.date, tomat.min_idr) == (date(2025, 6, 2), 7_500)


def test_json_board_errors_point_at_the_entry_and_field():
    body = msgspec.json.encode(
        {
            "entries": [
                {
                    "date": "2025-06-03",
                    "product": "Ikan lele",
                    "grade": "konsumsi",
                    "min_idr": 19500.5,
                    "max_idr": 21500,
                },
                {
                    "date": "2025-06-03",
                    "product": "Tomat",
                    "min_idr": 7500,
                    "max_idr": 8500,
                    "colour": "red",
                },
            ]
        }
    )
    with pytest.raises(InvalidInput) as exc:
        parse_board_json(body, sku_by_name=SKU_BY_NAME)
    assert set(field_errors(exc)) == {"/entries/0/min_idr", "/entries/1/colour"}


def test_only_the_latest_board_counts():
    older = BoardEntry(
        date=date(2025, 6, 1),
        sku="SAPI",
        product_name="Daging sapi",
        grade="has dalam",
        unit="kg",
        min_idr=120_000,
        max_idr=130_000,
    )
    latest = latest_board((older, *BOARD))
    assert len(latest) == 15
    assert all(e.date == date(2025, 6, 2) for e in latest)


@pytest.mark.parametrize(
    ("at", "quotable"),
    [
        (wib(2025, 6, 2, 4, 0), True),
        (wib(2025, 6, 3, 23, 59), True),  # one day old still quotes
        (wib(2025, 6, 4, 0, 0), False),  # two days old does not
        (datetime(2025, 6, 3, 16, 59, tzinfo=UTC), True),  # 23:59 WIB
        (datetime(2025, 6, 3, 17, 0, tzinfo=UTC), False),  # 00:00 WIB on the 4th
    ],
)
def test_a_board_older_than_one_day_is_not_quoted(at: datetime, quotable: bool):
    assert bool(quotable_board(BOARD, at)) is quotable


# --- quotes ------------------------------------------------------------------------------


async def test_quotes_price_at_the_board_maximum_by_default():
    quote = await make_adapter().quote(quote_request("LELE", "CBI-MRH", "SAPI"))
    prices = {(o.sku, o.grade): o.tiers[0].price_per_pack_idr for o in quote.offers}
    assert prices == {("LELE", "konsumsi"): 21_000, ("CBI-MRH", "super"): 55_000}
    lele = next(o for o in quote.offers if o.sku == "LELE")
    assert (lele.pack_name, lele.units_per_pack, lele.supplier_sku) == ("kg", 1, "LELE:konsumsi")
    assert quote.unavailable_skus == ("SAPI",)
    assert quote.valid_until == wib(2025, 6, 4, 0, 0)
    assert quote.quote_ref == "wholesale_market-7-2025-06-02"


@pytest.mark.parametrize(
    ("price_point", "expected"),
    [("0", 31_000), ("0.5", 32_500), ("0.25", 31_750), ("1", 34_000)],
)
async def test_the_price_point_sits_between_min_and_max(price_point: str, expected: int):
    adapter = make_adapter({"price_point": price_point, "grades": {"BWG-MRH": "super"}})
    quote = await adapter.quote(quote_request("BWG-MRH"))
    assert [o.tiers[0].price_per_pack_idr for o in quote.offers] == [expected]


async def test_every_grade_is_offered_unless_one_is_configured():
    quote = await make_adapter().quote(quote_request("BWG-MRH"))
    assert {(o.grade, o.tiers[0].price_per_pack_idr) for o in quote.offers} == {
        ("super", 34_000),
        ("biasa", 30_000),
    }


async def test_lot_sizes_price_whole_sacks():
    adapter = make_adapter(
        {
            "lot_sizes": {"BWG-MRH": {"pack_name": "karung 10 kg", "units_per_pack": "10"}},
            "grades": {"BWG-MRH": "super"},
            "price_point": "0.5",
        }
    )
    (offer,) = (await adapter.quote(quote_request("BWG-MRH"))).offers
    assert (offer.pack_name, offer.units_per_pack, offer.tiers[0].price_per_pack_idr) == (
        "karung 10 kg",
        Decimal(10),
        325_000,
    )


async def test_a_stale_board_quotes_nothing():
    quote = await make_adapter(now=wib(2025, 6, 4, 3, 0)).quote(quote_request("LELE", "TOMAT"))
    assert quote.offers == ()
    assert quote.unavailable_skus == ("LELE", "TOMAT")


async def test_a_unit_the_board_does_not_price_is_unavailable():
    request = QuoteRequest(
        reference="BB-1",
        region="Palembang",
        items=(QuoteItem(sku="LELE", quantity=Decimal(30), retail_unit="ekor"),),
    )
    assert (await make_adapter().quote(request)).unavailable_skus == ("LELE",)


async def test_quoting_without_a_board_source_is_a_supplier_error():
    with pytest.raises(SupplierError) as exc:
        await make_adapter(board=None).quote(quote_request("LELE"))
    assert exc.value.retryable is False


# --- trading hours -----------------------------------------------------------------------

JAKABARING = DailyHours(opens=time(2, 0), closes=time(8, 0))
NIGHT_MARKET = DailyHours(opens=time(22, 0), closes=time(4, 0))


@pytest.mark.parametrize(
    ("hours", "at", "open_now", "starts", "ends"),
    [
        (JAKABARING, wib(2025, 6, 3, 2, 0), True, wib(2025, 6, 3, 2, 0), wib(2025, 6, 3, 8, 0)),
        (JAKABARING, wib(2025, 6, 3, 7, 59), True, wib(2025, 6, 3, 2, 0), wib(2025, 6, 3, 8, 0)),
        (JAKABARING, wib(2025, 6, 3, 8, 0), False, wib(2025, 6, 4, 2, 0), wib(2025, 6, 4, 8, 0)),
        (JAKABARING, wib(2025, 6, 3, 1, 59), False, wib(2025, 6, 3, 2, 0), wib(2025, 6, 3, 8, 0)),
        (JAKABARING, wib(2025, 6, 3, 23, 30), False, wib(2025, 6, 4, 2, 0), wib(2025, 6, 4, 8, 0)),
        # 19:00 UTC on the 2nd is 02:00 WIB on the 3rd
        (
            JAKABARING,
            datetime(2025, 6, 2, 19, 0, tzinfo=UTC),
            True,
            wib(2025, 6, 3, 2, 0),
            wib(2025, 6, 3, 8, 0),
        ),
        (NIGHT_MARKET, wib(2025, 6, 3, 22, 0), True, wib(2025, 6, 3, 22, 0), wib(2025, 6, 4, 4, 0)),
        (NIGHT_MARKET, wib(2025, 6, 4, 3, 0), True, wib(2025, 6, 3, 22, 0), wib(2025, 6, 4, 4, 0)),
        (NIGHT_MARKET, wib(2025, 6, 4, 4, 0), False, wib(2025, 6, 4, 22, 0), wib(2025, 6, 5, 4, 0)),
        (
            NIGHT_MARKET,
            wib(2025, 6, 4, 21, 59),
            False,
            wib(2025, 6, 4, 22, 0),
            wib(2025, 6, 5, 4, 0),
        ),
    ],
)
def test_trading_session_edges(
    hours: DailyHours, at: datetime, open_now: bool, starts: datetime, ends: datetime
):
    session = session_for(hours, at)
    assert (session.open_now, session.starts_at, session.ends_at) == (open_now, starts, ends)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        session_for(JAKABARING, datetime(2025, 6, 3, 3, 0))


async def test_an_order_inside_trading_hours_is_bought_now():
    ack = await make_adapter(now=wib(2025, 6, 3, 5, 30)).place_order(order())
    assert ack.supplier_ref == "WM-PO-KLD-0001"
    assert ack.accepted_at == wib(2025, 6, 3, 5, 30)
    assert ack.scheduled_for is None
    assert "08:00 WIB" in ack.notes


async def test_an_order_outside_trading_hours_waits_for_the_next_session():
    adapter = make_adapter(now=wib(2025, 6, 3, 10, 0))
    ack = await adapter.place_order(order())
    assert ack.scheduled_for == wib(2025, 6, 4, 2, 0)
    assert ack.notes == (
        "Di luar jam pasar; dibeli pada sesi berikutnya: Rabu, 4 Juni 2025 02:00 WIB – 08:00 WIB."
    )
    again = await adapter.place_order(order())
    assert again.supplier_ref == ack.supplier_ref


async def test_configured_trading_hours_apply():
    adapter = make_adapter(
        {"trading_hours": {"open": "22:00", "close": "04:00"}}, now=wib(2025, 6, 3, 23, 0)
    )
    assert (await adapter.place_order(order())).scheduled_for is None


# --- config and factory ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "pointer"),
    [
        ({"trading_hours": {"open": "2am"}}, "/adapter_config/trading_hours/open"),
        ({"trading_hours": {"open": "06:00", "close": "06:00"}}, "/adapter_config/trading_hours"),
        ({"trading_hours": {"opens": "06:00"}}, "/adapter_config/trading_hours"),
        ({"price_point": "1.5"}, "/adapter_config/price_point"),
        ({"timezone": "Asia/Palembang"}, "/adapter_config/timezone"),
        ({"lead_days": -1}, "/adapter_config/lead_days"),
        (
            {"lot_sizes": {"BWG-MRH": {"pack_name": "karung", "units_per_pack": "0"}}},
            "/adapter_config/lot_sizes/BWG-MRH/units_per_pack",
        ),
        ({"colour": "red"}, "/adapter_config/colour"),
    ],
)
def test_bad_config_names_the_field(config: dict[str, Any], pointer: str):
    with pytest.raises(InvalidInput) as exc:
        WholesaleMarketAdapterFactory.validate_config(config)
    assert pointer in field_errors(exc)


def test_the_entry_point_names_a_factory_that_makes_a_supplier_adapter():
    pyproject = tomllib.loads(Path("pyproject.toml").read_text())
    target = pyproject["project"]["entry-points"]["kulakan.adapters"]["wholesale_market"]
    module, _, name = target.partition(":")
    factory: AdapterFactory = getattr(importlib.import_module(module), name)
    assert factory is WholesaleMarketAdapterFactory
    assert factory.key == "wholesale_market"
    assert Capability.INBOUND in factory.capabilities
    factory.validate_config({})
    assert isinstance(make_adapter(), SupplierAdapter)


# --- buying list -------------------------------------------------------------------------


def buying_list_for(po: PurchaseOrderRequest | None = None):
    return make_adapter().buying_list(po or order(), wib(2025, 6, 3, 10, 0))


def test_the_buying_list_json_carries_what_the_runner_needs():
    decoded = msgspec.json.decode(buying_list_json(buying_list_for()))
    assert decoded["po_number"] == "PO-KLD-0001"
    assert decoded["buy_from"] == "2025-06-04T02:00:00+07:00"
    assert decoded["buy_until"] == "2025-06-04T08:00:00+07:00"
    first = decoded["lines"][0]
    assert {
        k: first[k]
        for k in (
            "sku",
            "grade",
            "quantity",
            "unit",
            "packs",
            "max_price_per_unit_idr",
            "budget_idr",
        )
    } == {
        "sku": "BWG-MRH",
        "grade": "super",
        "quantity": "20",
        "unit": "kg",
        "packs": 2,
        "max_price_per_unit_idr": 34_000,
        "budget_idr": 680_000,
    }
    assert decoded["total_budget_idr"] == 680_000 + 210_000 + 141_000


def test_the_buying_list_csv_has_one_row_a_line_and_blank_columns_to_fill():
    rows = list(csv.DictReader(io.StringIO(buying_list_csv(buying_list_for()))))
    assert [row["product_name"] for row in rows] == ["Bawang merah", "Ikan lele", "Cabai rawit"]
    assert rows[1]["quantity"] == "10"
    assert rows[1]["max_price_per_unit_idr"] == "21000"
    assert rows[1]["bought_quantity"] == rows[1]["paid_price_per_unit_idr"] == ""


def test_the_buying_list_csv_defuses_formulas_and_quotes_commas():
    line = order().lines[1]
    po = order(lines=(msgspec.structs.replace(line, product_name='=HYPERLINK("x"), lele'),))
    text = buying_list_csv(buying_list_for(po))
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["product_name"] == '\'=HYPERLINK("x"), lele'


def test_the_buying_list_page_is_indonesian_and_escaped():
    line = order().lines[1]
    po = order(
        lines=(msgspec.structs.replace(line, product_name="<script>alert(1)</script> lele"),),
        delivery_address='Jl. "Mayor" Zen & <b>',
    )
    html = render_buying_list_html(buying_list_for(po))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; lele" in html
    assert "Jl. &#34;Mayor&#34; Zen &amp; &lt;b&gt;" in html
    for text in (
        "Daftar Belanja",
        "Waktu belanja",
        "Rabu, 4 Juni 2025 02:00 WIB – 08:00 WIB",
        "10 kg",
        "Harga maks.: Rp21.000/kg",
        "Total anggaran: Rp210.000",
        'lang="id"',
    ):
        assert text in html


def test_a_sack_line_shows_kilograms_and_sacks():
    html = render_buying_list_html(buying_list_for())
    assert "20 kg = 2 × karung 10 kg" in html
    assert "Bawang merah (super)" in html


def test_build_buying_list_uses_the_given_session():
    session = session_for(JAKABARING, wib(2025, 6, 3, 3, 0))
    bl = build_buying_list(order(), session=session, market_name="Pasar Induk Jakabaring")
    assert (bl.buy_from, bl.buy_until) == (wib(2025, 6, 3, 2, 0), wib(2025, 6, 3, 8, 0))


# --- runner reports ----------------------------------------------------------------------


def report_body(lines: list[dict[str, Any]], **overrides: Any) -> bytes:
    return msgspec.json.encode(
        {
            "report_id": "RUN-0604-01",
            "po_number": "PO-KLD-0001",
            "reported_at": "2025-06-04T06:40:00+07:00",
            "lines": lines,
            **overrides,
        }
    )


ECHO = {
    1: {"packs": 2, "units_per_pack": "10", "price_per_pack_idr": 340_000},
    2: {"packs": 10, "units_per_pack": "1", "price_per_pack_idr": 21_000},
    3: {"packs": 3, "units_per_pack": "1", "price_per_pack_idr": 47_000},
}
MIXED = [
    {"line_no": 1, "status": "bought", "bought_quantity": "20", "paid_price_per_unit_idr": 34_000},
    {"line_no": 2, "status": "bought", "bought_quantity": "9.6", "paid_price_per_unit_idr": 20_000},
    {"line_no": 3, "status": "not_found", "note": "cabai rawit habis"},
]


def with_echo(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**line, **ECHO[line["line_no"]]} for line in lines]


def test_a_runner_report_becomes_confirmation_and_delivery():
    confirmed, delivered = events_from_runner_report(
        decode_runner_report(report_body(MIXED)), order()
    )
    assert isinstance(confirmed, OrderConfirmed) and isinstance(delivered, OrderDelivered)
    assert confirmed.event_id == "PO-KLD-0001:RUN-0604-01:confirmed"
    assert delivered.event_id == "PO-KLD-0001:RUN-0604-01:delivered"
    assert confirmed.occurred_at == wib(2025, 6, 4, 6, 40)
    assert confirmed.supplier_ref == "WM-PO-KLD-0001"
    outcomes = {c.line_no: (c.outcome, c.packs, c.price_per_pack_idr) for c in confirmed.lines}
    assert outcomes == {
        1: (LineOutcome.ACCEPTED, None, None),
        2: (LineOutcome.CHANGED, 10, 20_000),
        3: (LineOutcome.REJECTED, None, None),
    }
    assert confirmed.lines[2].reason == "cabai rawit habis"
    assert [(d.line_no, d.quantity, d.price_per_pack_idr) for d in delivered.lines] == [
        (1, Decimal(20), None),
        (2, Decimal("9.6"), 20_000),
    ]


def test_the_echoed_buying_list_stands_in_for_the_order():
    with_order = events_from_runner_report(decode_runner_report(report_body(MIXED)), order())
    alone = events_from_runner_report(decode_runner_report(report_body(with_echo(MIXED))))
    assert alone == with_order


def test_the_same_report_gives_the_same_event_ids():
    first = events_from_runner_report(decode_runner_report(report_body(MIXED)), order())
    second = events_from_runner_report(decode_runner_report(report_body(MIXED)), order())
    assert [e.event_id for e in first] == [e.event_id for e in second]


def test_a_sack_bought_by_weight_rounds_to_packs_and_prices_per_sack():
    lines = [
        {
            "line_no": 1,
            "status": "bought",
            "bought_quantity": "14.5",
            "paid_price_per_unit_idr": 32_500,
        },
        {"line_no": 2, "status": "not_found"},
        {"line_no": 3, "status": "not_found"},
    ]
    confirmed, delivered = events_from_runner_report(
        decode_runner_report(report_body(lines)), order()
    )
    assert (confirmed.lines[0].packs, confirmed.lines[0].price_per_pack_idr) == (1, 325_000)
    assert delivered.lines[0].quantity == Decimal("14.5")


def test_nothing_found_rejects_the_order():
    lines = [{"line_no": n, "status": "not_found"} for n in (1, 2, 3)]
    (event,) = events_from_runner_report(decode_runner_report(report_body(lines)), order())
    assert isinstance(event, OrderRejected)
    assert event.event_id == "PO-KLD-0001:RUN-0604-01:rejected"


@pytest.mark.parametrize(
    ("lines", "pointer"),
    [
        (
            [{"line_no": 1, "status": "bought", "paid_price_per_unit_idr": 34_000}],
            "/lines/0/bought_quantity",
        ),
        (
            [
                {
                    "line_no": 1,
                    "status": "bought",
                    "bought_quantity": "9.6001",
                    "paid_price_per_unit_idr": 1,
                }
            ],
            "/lines/0/bought_quantity",
        ),
        (
            [{"line_no": 1, "status": "bought", "bought_quantity": "2"}],
            "/lines/0/paid_price_per_unit_idr",
        ),
        ([{"line_no": 1, "status": "lost"}], "/lines/0/status"),
        (
            [
                {
                    "line_no": 1,
                    "status": "bought",
                    "bought_quantity": "2",
                    "paid_price_per_unit_idr": -5,
                }
            ],
            "/lines/0/paid_price_per_unit_idr",
        ),
        (
            [{"line_no": 1, "status": "not_found"}, {"line_no": 1, "status": "not_found"}],
            "/lines/1/line_no",
        ),
    ],
)
def test_a_malformed_report_names_the_field(lines: list[dict[str, Any]], pointer: str):
    with pytest.raises(InvalidInput) as exc:
        decode_runner_report(report_body(lines))
    assert pointer in field_errors(exc)


def test_a_report_must_match_the_order():
    report = decode_runner_report(report_body([*MIXED[:2], {"line_no": 9, "status": "not_found"}]))
    with pytest.raises(InvalidInput) as exc:
        events_from_runner_report(report, order())
    errors = field_errors(exc)
    assert "/lines/2/line_no" in errors
    assert errors["/lines"] == "line 3 of the order is not reported"
    with pytest.raises(InvalidInput) as exc:
        events_from_runner_report(report, order(po_number="PO-OTHER"))
    assert "/po_number" in field_errors(exc)


def test_without_the_order_the_echo_is_required():
    with pytest.raises(InvalidInput) as exc:
        events_from_runner_report(decode_runner_report(report_body(MIXED)))
    assert "/lines/0" in field_errors(exc)


def inbound(body: bytes, signature: str | None) -> InboundRequest:
    headers = {SIGNATURE_HEADER: signature} if signature is not None else {}
    return InboundRequest(headers=headers, body=body, received_at=wib(2025, 6, 4, 6, 41))


def test_parse_inbound_checks_the_signature_then_makes_events():
    body = report_body(with_echo(MIXED))
    adapter = make_adapter()
    events = adapter.parse_inbound(inbound(body, sign_runner_report(body, SECRET)))
    assert [type(e) for e in events] == [OrderConfirmed, OrderDelivered]
    for signature in (None, sign_runner_report(body, "other"), "sha256=00"):
        with pytest.raises(Unauthorized):
            adapter.parse_inbound(inbound(body, signature))
    tampered = body.replace(b"20000", b"10000")
    with pytest.raises(Unauthorized):
        adapter.parse_inbound(inbound(tampered, sign_runner_report(body, SECRET)))


def test_parse_inbound_refuses_a_body_that_is_not_json():
    adapter = make_adapter(secret="")
    with pytest.raises(InvalidInput):
        adapter.parse_inbound(inbound(b"lele 10 kg", None))


async def test_cancel_and_status_need_no_market_call():
    adapter = make_adapter()
    assert await adapter.cancel_order("PO-KLD-0001", "WM-PO-KLD-0001") is None
    status = await adapter.order_status("PO-KLD-0001", None)
    assert status.supplier_ref == "WM-PO-KLD-0001"


@given(
    opens=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    closes=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    at=st.datetimes(
        min_value=datetime(2024, 1, 2), max_value=datetime(2030, 12, 30), timezones=st.just(UTC)
    ),
)
def test_a_session_either_holds_the_moment_or_is_the_next_within_a_day(
    opens: time, closes: time, at: datetime
):
    assume(opens != closes)
    session = session_for(DailyHours(opens=opens, closes=closes), at)
    assert session.starts_at < session.ends_at
    if session.open_now:
        assert session.starts_at <= at < session.ends_at
    else:
        assert at < session.starts_at <= at + timedelta(days=1)
        previous = session_for(
            DailyHours(opens=opens, closes=closes), session.starts_at - timedelta(microseconds=1)
        )
        assert not previous.open_now
