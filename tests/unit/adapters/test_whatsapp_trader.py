"""WhatsApp trader adapter: the order message and wa.me link, signed expiring links, the
confirmation page and form, and the ordering window."""

from __future__ import annotations

import importlib
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import msgspec
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from adapters.whatsapp_trader import (
    DailyHours,
    LinkExpired,
    LinkTampered,
    WhatsAppTraderAdapter,
    WhatsAppTraderAdapterFactory,
    greeting,
    normalise_phone,
    parse_confirmation_form,
    parse_rupiah,
    render_confirmation_page,
    render_error_page,
    render_submitted_page,
    render_whatsapp_message,
    session_for,
    sign_confirmation_token,
    verify_confirmation_token,
    wa_me_link,
)
from contracts.adapter import (
    AdapterContext,
    Capability,
    OrderLine,
    PurchaseOrderRequest,
    QuoteItem,
    QuoteRequest,
    SupplierAdapter,
)
from contracts.errors import InvalidInput, RuleViolation, Unauthorized
from contracts.events import LineOutcome, OrderConfirmed, OrderRejected

WIB = ZoneInfo("Asia/Jakarta")
SECRET = "kahayan-link-secret"
CONFIG = {"phone": "0812-3456-7890", "trader_name": "Bu Siti", "buyer_name": "Satker Kalidoni"}


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def make_adapter(
    config: dict[str, Any] | None = None, *, now: datetime = wib(2025, 6, 3, 7, 15)
) -> WhatsAppTraderAdapter:
    context = AdapterContext(
        supplier_id=3,
        supplier_name="Bu Siti, Pasar Kahayan",
        webhook_secret=SECRET,
        public_base_url="https://kulakan.example/",
        clock=lambda: now,
    )
    return WhatsAppTraderAdapterFactory.create({**CONFIG, **(config or {})}, context)


def order(**overrides: Any) -> PurchaseOrderRequest:
    fields: dict[str, Any] = {
        "po_number": "PO-KLD-0002",
        "supplier_id": 3,
        "lines": (
            OrderLine(
                line_no=1,
                sku="LELE",
                pack_name="kg",
                units_per_pack=Decimal(1),
                packs=15,
                price_per_pack_idr=20_000,
                product_name="Ikan lele",
                retail_unit="kg",
            ),
            OrderLine(
                line_no=2,
                sku="BWG-MRH",
                pack_name="karung 10 kg",
                units_per_pack=Decimal(10),
                packs=2,
                price_per_pack_idr=320_000,
                product_name="Bawang merah",
                retail_unit="kg",
            ),
            OrderLine(
                line_no=3,
                sku="CBI-MRH",
                pack_name="kg",
                units_per_pack=Decimal(1),
                packs=3,
                price_per_pack_idr=52_000,
                product_name="Cabai merah keriting",
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


# --- phone numbers and wa.me -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0812-3456-7890",
        "081234567890",
        "+62 812 3456 7890",
        "62812-3456-7890",
        "812 3456 7890",
        "(0812) 3456.7890",
    ],
)
def test_indonesian_numbers_normalise_to_628(raw: str):
    assert normalise_phone(raw) == "6281234567890"


@pytest.mark.parametrize("raw", ["", "0812-ABCD-7890", "+65 8123 4567", "0812", "6208123456789"])
def test_other_numbers_are_refused(raw: str):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_the_wa_me_link_encodes_the_whole_message():
    text = "Selamat pagi, Bu Siti.\nPesan: 2 karung & 15 kg @ Rp20.000/kg?\nhttps://x.example/k?a=1"
    link = wa_me_link("0812-3456-7890", text)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281234567890")
    assert " " not in link and "\n" not in link and link.count("&") == 0
    assert "%0A" in link and "%26" in link and "%2F" in link
    assert parse_qs(parts.query) == {"text": [text]}


# --- the message -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "expected"),
    [
        (4, "Selamat pagi"),
        (10, "Selamat pagi"),
        (11, "Selamat siang"),
        (15, "Selamat sore"),
        (18, "Selamat malam"),
        (3, "Selamat malam"),
    ],
)
def test_the_greeting_follows_the_local_hour(hour: int, expected: str):
    assert greeting(wib(2025, 6, 3, hour, 0)) == expected


def test_the_message_lists_items_delivery_contact_po_and_link():
    text = render_whatsapp_message(
        order(notes="Lele yang segar ya"),
        confirmation_url="https://kulakan.example/konfirmasi/abc.def",
        now=datetime(2025, 6, 3, 0, 15, tzinfo=UTC),  # 07:15 WIB
        trader_name="Bu Siti",
        buyer_name="Satker Kalidoni",
        link_expires_at=wib(2025, 6, 4, 7, 15),
    )
    lines = text.split("\n")
    assert lines[0] == "Selamat pagi, Bu Siti."
    assert lines[1] == "Kami dari Satker Kalidoni mau pesan barang berikut:"
    assert "*Pesanan PO-KLD-0002*" in lines
    assert "1. Ikan lele: 15 kg @ Rp20.000/kg = Rp300.000" in lines
    assert "2. Bawang merah: 2 karung 10 kg (20 kg) @ Rp320.000/karung 10 kg = Rp640.000" in lines
    assert "3. Cabai merah keriting: 3 kg @ Rp52.000/kg = Rp156.000" in lines
    assert "Total barang: Rp1.096.000" in lines
    assert "Ongkir: mohon diisi di tautan konfirmasi" in lines
    assert "Antar: Rabu, 4 Juni 2025, 06:00–09:00 WIB" in lines
    assert "Alamat: Kantor Camat Kalidoni, Jl. Mayor Zen" in lines
    assert "Kontak: Bu Sari, 0813-1111-2222" in lines
    assert "Catatan: Lele yang segar ya" in lines
    assert "No. PO: PO-KLD-0002" in lines
    assert (
        "Mohon konfirmasi jumlah, harga, ongkir dan cara antar lewat tautan ini "
        "(berlaku sampai Rabu, 4 Juni 2025 07:15 WIB):"
    ) in lines
    assert lines[-3:] == ["https://kulakan.example/konfirmasi/abc.def", "", "Terima kasih."]


def test_an_agreed_ongkir_is_stated():
    text = render_whatsapp_message(
        order(delivery_fee_idr=15_000), confirmation_url="u", now=wib(2025, 6, 3, 13, 0)
    )
    assert text.startswith("Selamat siang.\nKami mau pesan")
    assert "Ongkir: Rp15.000" in text.split("\n")


# --- signed links ------------------------------------------------------------------------

EXPIRY = wib(2025, 6, 4, 7, 15)


def token(**overrides: Any) -> str:
    fields = {"po_number": "PO-KLD-0002", "supplier_id": 3, "secret": SECRET, "expires_at": EXPIRY}
    return sign_confirmation_token(**{**fields, **overrides})


def test_a_good_link_verifies_until_it_expires():
    payload = verify_confirmation_token(
        token(), secret=SECRET, now=EXPIRY - timedelta(seconds=1), supplier_id=3
    )
    assert (payload.po_number, payload.supplier_id, payload.expires_at) == (
        "PO-KLD-0002",
        3,
        EXPIRY,
    )
    with pytest.raises(LinkExpired) as exc:
        verify_confirmation_token(token(), secret=SECRET, now=EXPIRY)
    assert isinstance(exc.value, RuleViolation)
    assert exc.value.extra["po_number"] == "PO-KLD-0002"


def flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda t: flip(t, 5), id="payload changed"),
        pytest.param(lambda t: flip(t, len(t) - 3), id="signature changed"),
        pytest.param(lambda t: t[:-1], id="truncated"),
        pytest.param(lambda t: t.split(".")[0], id="no signature"),
        pytest.param(lambda t: token(secret="another secret"), id="other secret"),
        pytest.param(
            lambda t: token(po_number="PO-KLD-0003").split(".")[0] + "." + t.split(".")[1],
            id="signature of another order",
        ),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: "ü." + t.split(".")[1], id="not ascii"),
    ],
)
def test_a_tampered_link_is_refused(bad):
    with pytest.raises(LinkTampered) as exc:
        verify_confirmation_token(bad(token()), secret=SECRET, now=wib(2025, 6, 3, 8, 0))
    assert isinstance(exc.value, Unauthorized)


def test_a_link_for_another_supplier_is_refused():
    with pytest.raises(LinkTampered):
        verify_confirmation_token(token(), secret=SECRET, now=wib(2025, 6, 3, 8), supplier_id=4)


def test_tampering_wins_over_expiry():
    with pytest.raises(LinkTampered):
        verify_confirmation_token(flip(token(), 5), secret=SECRET, now=EXPIRY + timedelta(days=9))


# --- ordering window and placing orders --------------------------------------------------

KAHAYAN = DailyHours(opens=time(6, 0), closes=time(12, 0))


@pytest.mark.parametrize(
    ("at", "open_now", "starts"),
    [
        (wib(2025, 6, 3, 6, 0), True, wib(2025, 6, 3, 6, 0)),
        (wib(2025, 6, 3, 11, 59), True, wib(2025, 6, 3, 6, 0)),
        (wib(2025, 6, 3, 12, 0), False, wib(2025, 6, 4, 6, 0)),
        (wib(2025, 6, 3, 5, 59), False, wib(2025, 6, 3, 6, 0)),
        (wib(2025, 6, 3, 23, 0), False, wib(2025, 6, 4, 6, 0)),
    ],
)
def test_ordering_window_edges(at: datetime, open_now: bool, starts: datetime):
    session = session_for(KAHAYAN, at)
    assert (session.open_now, session.starts_at) == (open_now, starts)


async def test_inside_the_window_the_message_goes_now_with_a_24_hour_link():
    adapter = make_adapter(now=wib(2025, 6, 3, 7, 15))
    ack = await adapter.place_order(order())
    assert ack.supplier_ref == "WA-PO-KLD-0002"
    assert ack.scheduled_for is None
    assert ack.confirmation_url.startswith("https://kulakan.example/konfirmasi/")
    link_token = ack.confirmation_url.rsplit("/", 1)[1]
    payload = adapter.verify_link(link_token)
    assert (payload.po_number, payload.expires_at) == ("PO-KLD-0002", wib(2025, 6, 4, 7, 15))
    assert "sampai 12:00 WIB" in ack.notes


async def test_outside_the_window_the_message_waits_and_the_link_lasts_from_then():
    adapter = make_adapter({"link_ttl_hours": 6}, now=wib(2025, 6, 3, 14, 0))
    ack = await adapter.place_order(order())
    assert ack.scheduled_for == wib(2025, 6, 4, 6, 0)
    assert ack.notes == (
        "Di luar jam pesan pedagang; kirim pesan WhatsApp pada Rabu, 4 Juni 2025 06:00 WIB"
        " – 12:00 WIB."
    )
    assert adapter.link_expiry(ack.confirmation_url) == wib(2025, 6, 4, 12, 0)


async def test_the_adapter_builds_the_message_and_wa_me_link_for_its_trader():
    adapter = make_adapter(now=wib(2025, 6, 3, 7, 15))
    ack = await adapter.place_order(order())
    link = adapter.whatsapp_link(order(), ack.confirmation_url)
    text = parse_qs(urlsplit(link).query)["text"][0]
    assert link.startswith("https://wa.me/6281234567890?text=")
    assert text.startswith("Selamat pagi, Bu Siti.\nKami dari Satker Kalidoni")
    assert ack.confirmation_url in text
    assert "(berlaku sampai Rabu, 4 Juni 2025 07:15 WIB)" in text


async def test_quotes_come_from_the_configured_price_list():
    adapter = make_adapter(
        {
            "price_list": [
                {
                    "sku": "LELE",
                    "pack_name": "kg",
                    "units_per_pack": "1",
                    "price_per_pack_idr": 20_000,
                }
            ],
            "delivery_fee_idr": 15_000,
        }
    )
    request = QuoteRequest(
        reference="BB-1",
        region="Palangka Raya",
        items=(
            QuoteItem(sku="LELE", quantity=Decimal(15), retail_unit="kg"),
            QuoteItem(sku="NILA", quantity=Decimal(5), retail_unit="kg"),
        ),
    )
    quote = await adapter.quote(request)
    assert [(o.sku, o.tiers[0].price_per_pack_idr) for o in quote.offers] == [("LELE", 20_000)]
    assert quote.unavailable_skus == ("NILA",)
    assert quote.delivery_fee_idr == 15_000


async def test_a_price_list_may_give_lower_prices_for_more_packs():
    adapter = make_adapter(
        {
            "price_list": [
                {
                    "sku": "LELE",
                    "pack_name": "kg",
                    "units_per_pack": "1",
                    "price_per_pack_idr": 25_000,
                    "moq_packs": 5,
                    "tiers": [
                        {"min_packs": 50, "price_per_pack_idr": 22_000},
                        {"min_packs": 20, "price_per_pack_idr": 23_500},
                    ],
                }
            ]
        }
    )
    request = QuoteRequest(
        reference="BB-2",
        region="Palangka Raya",
        items=(QuoteItem(sku="LELE", quantity=Decimal(30), retail_unit="kg"),),
    )
    [lele] = (await adapter.quote(request)).offers
    assert lele.moq_packs == 5
    assert [(t.min_packs, t.price_per_pack_idr) for t in lele.tiers] == [
        (5, 25_000),
        (20, 23_500),
        (50, 22_000),
    ]


# --- config and factory ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "pointer"),
    [
        ({"phone": "12345"}, "/adapter_config/phone"),
        ({"ordering_window": {"open": "6:00"}}, "/adapter_config/ordering_window/open"),
        (
            {"ordering_window": {"open": "12:00", "close": "12:00"}},
            "/adapter_config/ordering_window",
        ),
        ({"link_ttl_hours": 0}, "/adapter_config/link_ttl_hours"),
        ({"confirmation_path": "/konfirmasi"}, "/adapter_config/confirmation_path"),
        (
            {
                "price_list": [
                    {
                        "sku": "LELE",
                        "pack_name": "kg",
                        "units_per_pack": "0",
                        "price_per_pack_idr": 1,
                    }
                ]
            },
            "/adapter_config/price_list/0/units_per_pack",
        ),
        (
            {
                "price_list": [
                    {
                        "sku": "LELE",
                        "pack_name": "kg",
                        "units_per_pack": "1",
                        "price_per_pack_idr": 25_000,
                        "moq_packs": 5,
                        "tiers": [{"min_packs": 3, "price_per_pack_idr": 24_000}],
                    }
                ]
            },
            "/adapter_config/price_list/0/tiers/0/min_packs",
        ),
        ({"whatsapp": "yes"}, "/adapter_config/whatsapp"),
    ],
)
def test_bad_config_names_the_field(config: dict[str, Any], pointer: str):
    with pytest.raises(InvalidInput) as exc:
        WhatsAppTraderAdapterFactory.validate_config({**CONFIG, **config})
    assert pointer in field_errors(exc)


def test_the_phone_is_required():
    with pytest.raises(InvalidInput) as exc:
        WhatsAppTraderAdapterFactory.validate_config({})
    assert "/adapter_config/phone" in field_errors(exc)


def test_links_need_a_secret():
    context = AdapterContext(supplier_id=3, supplier_name="Bu Siti")
    with pytest.raises(InvalidInput) as exc:
        WhatsAppTraderAdapterFactory.create(CONFIG, context)
    assert "/adapter_config/link_secret" in field_errors(exc)
    adapter = WhatsAppTraderAdapterFactory.create({**CONFIG, "link_secret": "own"}, context)
    assert isinstance(adapter, SupplierAdapter)


def test_the_entry_point_names_the_factory():
    pyproject = tomllib.loads(Path("pyproject.toml").read_text())
    target = pyproject["project"]["entry-points"]["kulakan.adapters"]["whatsapp_trader"]
    module, _, name = target.partition(":")
    factory = getattr(importlib.import_module(module), name)
    assert factory is WhatsAppTraderAdapterFactory
    assert factory.key == "whatsapp_trader"
    assert Capability.PLACE_ORDER in factory.capabilities


# --- the confirmation form ---------------------------------------------------------------

SUBMITTED_AT = wib(2025, 6, 3, 8, 5)


def form(**overrides: str) -> dict[str, str]:
    fields = {
        "token": "t",
        "decision": "confirm",
        "line_1_packs": "15",
        "line_1_price_per_pack_idr": "20000",
        "line_2_packs": "2",
        "line_2_price_per_pack_idr": "320.000",
        "line_3_packs": "3",
        "line_3_price_per_pack_idr": "Rp 52.000",
        "delivery_fee_idr": "15.000",
        "delivery_method": "ojek_online",
    }
    return {**fields, **overrides}


def test_an_unchanged_form_accepts_every_line_with_ongkir():
    (event,) = parse_confirmation_form(form(), order(), submitted_at=SUBMITTED_AT)
    assert isinstance(event, OrderConfirmed)
    assert [line.outcome for line in event.lines] == [LineOutcome.ACCEPTED] * 3
    assert (event.delivery_fee_idr, event.delivery_method) == (15_000, "ojek_online")
    assert (event.event_id, event.po_number, event.occurred_at, event.supplier_ref) == (
        "PO-KLD-0002:trader-response",
        "PO-KLD-0002",
        SUBMITTED_AT,
        "WA-PO-KLD-0002",
    )


def test_changed_and_missing_lines():
    submitted = form(
        line_1_packs="12,0",
        line_1_note="lele tinggal 12 kg",
        line_3_packs="0",
        line_3_price_per_pack_idr="",
        line_2_price_per_pack_idr="330000",
        delivery_fee_idr="0",
        delivery_method="diantar_sendiri",
    )
    (event,) = parse_confirmation_form(submitted, order(), submitted_at=SUBMITTED_AT)
    assert [
        (c.line_no, c.outcome, c.packs, c.price_per_pack_idr, c.reason) for c in event.lines
    ] == [
        (1, LineOutcome.CHANGED, 12, 20_000, "lele tinggal 12 kg"),
        (2, LineOutcome.CHANGED, 2, 330_000, ""),
        (3, LineOutcome.REJECTED, None, None, "Tidak tersedia"),
    ]
    assert (event.delivery_fee_idr, event.delivery_method) == (0, "diantar_sendiri")


def test_form_values_may_come_as_lists():
    submitted = {key: [value] for key, value in form().items()}
    (event,) = parse_confirmation_form(submitted, order(), submitted_at=SUBMITTED_AT)
    assert isinstance(event, OrderConfirmed)


def test_nothing_available_rejects_the_order():
    submitted = form(line_1_packs="0", line_2_packs="0", line_3_packs="0")
    (event,) = parse_confirmation_form(submitted, order(), submitted_at=SUBMITTED_AT)
    assert isinstance(event, OrderRejected)
    assert event.reason == "Semua barang tidak tersedia"


def test_the_trader_rejects_the_whole_order_without_filling_the_form():
    submitted = {"decision": "reject", "reject_reason": "Libur <hari raya>"}
    (event,) = parse_confirmation_form(submitted, order(), submitted_at=SUBMITTED_AT)
    assert isinstance(event, OrderRejected)
    assert event.reason == "Libur <hari raya>"
    assert event.event_id == "PO-KLD-0002:trader-response"


def test_bad_numbers_are_named_in_indonesian():
    submitted = form(
        line_1_packs="12,5",
        line_2_packs="dua",
        line_3_price_per_pack_idr="52.000,50",
        delivery_fee_idr="",
        delivery_method="kurir",
    )
    with pytest.raises(InvalidInput) as exc:
        parse_confirmation_form(submitted, order(), submitted_at=SUBMITTED_AT)
    errors = field_errors(exc)
    assert errors == {
        "/line_1_packs": "Jumlah harus bulat, dalam kg",
        "/line_2_packs": "Isi jumlah dengan angka, 0 jika tidak ada",
        "/line_3_price_per_pack_idr": "Isi harga dalam rupiah tanpa desimal, mis. 20.000",
        "/delivery_fee_idr": "Isi ongkir dalam rupiah, 0 jika gratis",
        "/delivery_method": "Pilih cara antar",
    }


def test_a_decision_is_required():
    with pytest.raises(InvalidInput) as exc:
        parse_confirmation_form(form(decision=""), order(), submitted_at=SUBMITTED_AT)
    assert "/decision" in field_errors(exc)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("20000", 20_000),
        ("20.000", 20_000),
        ("Rp 20.000", 20_000),
        ("rp20.000,-", 20_000),
        ("1.250.000", 1_250_000),
        ("0", 0),
        ("20.00", None),
        ("20,5", None),
        ("-5", None),
        ("", None),
        ("2e4", None),
    ],
)
def test_rupiah_as_traders_write_it(text: str, amount: int | None):
    assert parse_rupiah(text) == amount


# --- pages -------------------------------------------------------------------------------


def nasty_order() -> PurchaseOrderRequest:
    line = order().lines[0]
    return order(
        lines=(msgspec.structs.replace(line, product_name='<img src=x onerror="alert(1)"> lele'),),
        delivery_address="Jl. <b>Mayor</b> Zen & Co",
    )


def test_the_confirmation_page_has_the_form_fields_prefilled():
    html = render_confirmation_page(
        order(), "tok.en", trader_name="Bu Siti", expires_at=wib(2025, 6, 4, 7, 15)
    )
    for snippet in (
        '<form method="post" action="">',
        '<input type="hidden" name="token" value="tok.en">',
        'name="line_1_packs" value="15"',
        'name="line_1_price_per_pack_idr" value="20000"',
        'name="line_2_packs" value="2"',
        "Jumlah (karung 10 kg)",
        'name="line_3_note"',
        'name="delivery_fee_idr" value=""',
        'name="delivery_method" value="ojek_online"',
        'name="delivery_method" value="diantar_sendiri"',
        'name="delivery_method" value="diambil"',
        'name="decision" value="confirm"',
        'name="decision" value="reject" formnovalidate',
        "Tautan berlaku sampai Rabu, 4 Juni 2025 07:15 WIB.",
        "Total pesanan: <strong>Rp1.096.000</strong>",
        '<meta name="viewport"',
    ):
        assert snippet in html, snippet
    assert "<script" not in html


def test_the_confirmation_page_escapes_names_and_addresses():
    html = render_confirmation_page(nasty_order(), '"><script>x</script>')
    assert "<img" not in html and "<script>" not in html and "<b>Mayor" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; lele" in html
    assert "Jl. &lt;b&gt;Mayor&lt;/b&gt; Zen &amp; Co" in html
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html


def test_a_failed_submission_shows_the_errors_and_keeps_what_was_typed():
    submitted = form(line_1_packs="12,5", delivery_method="diambil", delivery_fee_idr="5000")
    with pytest.raises(InvalidInput) as exc:
        parse_confirmation_form(submitted, order(), submitted_at=SUBMITTED_AT)
    html = render_confirmation_page(order(), "t", errors=exc.value.errors, values=submitted)
    assert 'name="line_1_packs" value="12,5" inputmode="decimal" required class="invalid"' in html
    assert "Jumlah harus bulat, dalam kg" in html
    assert 'value="diambil" checked' in html
    assert 'name="delivery_fee_idr" value="5000"' in html
    assert 'role="alert"' in html


def test_the_submitted_page_shows_the_answer_read_only():
    submitted = form(line_1_packs="12", line_3_packs="0", line_3_note="cabai <habis>")
    (event,) = parse_confirmation_form(submitted, order(), submitted_at=SUBMITTED_AT)
    html = render_submitted_page(event, order())
    assert "Konfirmasi sudah diterima" in html
    assert "Selasa, 3 Juni 2025 08:05 WIB" in html
    assert "1. Ikan lele" in html and "12 kg @ Rp20.000 (diubah)" in html
    assert "2 karung 10 kg @ Rp320.000" in html
    assert "Tidak ada" in html and "cabai &lt;habis&gt;" in html
    assert "Ongkir: <strong>Rp15.000</strong>" in html and "Ojek online" in html
    assert "<input" not in html and "<form" not in html


def test_the_submitted_page_for_a_rejection():
    (event,) = parse_confirmation_form(
        {"decision": "reject", "reject_reason": "<stok> habis"}, order(), submitted_at=SUBMITTED_AT
    )
    html = render_submitted_page(event)
    assert "Pesanan ditolak" in html and "Alasan: &lt;stok&gt; habis" in html


@pytest.mark.parametrize(
    ("kind", "title", "text"),
    [
        ("tampered", "Tautan tidak valid", "Tautan ini rusak atau tidak lengkap."),
        ("expired", "Tautan sudah kedaluwarsa", "Batas waktu konfirmasi pesanan ini sudah lewat."),
        ("other", "Terjadi kesalahan", "Coba lagi nanti."),
    ],
)
def test_error_pages_say_what_happened(kind: str, title: str, text: str):
    html = render_error_page(kind, contact_phone="0813 <1111>")
    assert f"<h1>{title}</h1>" in html and text in html
    assert "0813 &lt;1111&gt;" in html


def test_the_adapter_verifies_its_own_links():
    adapter = make_adapter(now=wib(2025, 6, 3, 7, 15))
    with pytest.raises(LinkTampered):
        adapter.verify_link(token(secret="other"))
    with pytest.raises(LinkExpired):
        adapter.verify_link(token(expires_at=wib(2025, 6, 3, 7, 15)))


@given(
    po_number=st.text(min_size=1, max_size=40),
    supplier_id=st.integers(min_value=1, max_value=2**31),
    index=st.integers(min_value=0),
)
def test_any_link_round_trips_and_any_one_character_change_breaks_it(
    po_number: str, supplier_id: int, index: int
):
    good = token(po_number=po_number, supplier_id=supplier_id)
    payload = verify_confirmation_token(good, secret=SECRET, now=EXPIRY - timedelta(hours=1))
    assert (payload.po_number, payload.supplier_id) == (po_number, supplier_id)
    position = index % len(good)
    assume(good[position] != ".")
    with pytest.raises(LinkTampered):
        verify_confirmation_token(flip(good, position), secret=SECRET, now=wib(2025, 6, 3, 8))
