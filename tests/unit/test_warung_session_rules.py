"""The rules of a warung owner's sign-in link and session, and of the carton fill bar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.domain import warung_session as rules
from services.domain.pack_fill import pack_fill, quantity_step

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
SECRET = "s3cret"


def test_a_link_is_signed_and_any_change_to_it_is_tampering():
    token = rules.make_token(SECRET, "abcdefghijklmnopqrstuvwx")
    assert rules.nonce_of(SECRET, token) == "abcdefghijklmnopqrstuvwx"
    nonce, signature = token.split(".")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for bad in (
        f"{nonce}.{flipped}",
        f"{nonce[:-1]}y.{signature}",
        nonce,
        "",
        f"{nonce}.{signature}.x",
        f"{nonce}.{signature.upper()}",
    ):
        assert rules.nonce_of(SECRET, bad) is None, bad
    assert rules.nonce_of("another secret", token) is None
    assert rules.link_id(nonce) != nonce and len(rules.link_id(nonce)) == 64


def test_a_link_opens_once_within_thirty_minutes():
    expires = rules.link_expires_at(NOW)
    assert expires - NOW == timedelta(minutes=30)
    valid, spent, tampered = (
        rules.LinkVerdict.VALID,
        rules.LinkVerdict.SPENT,
        rules.LinkVerdict.TAMPERED,
    )
    assert rules.link_verdict(True, expires, None, NOW) is valid
    assert rules.link_verdict(True, expires, None, expires - timedelta(seconds=1)) is valid
    assert rules.link_verdict(True, expires, None, expires) is spent
    assert rules.link_verdict(True, expires, NOW, NOW + timedelta(minutes=1)) is spent
    assert rules.link_verdict(True, None, None, NOW) is spent  # withdrawn
    assert rules.link_verdict(False, expires, None, NOW) is tampered


def test_a_warung_session_lasts_thirty_days_from_sign_in():
    assert rules.session_expires_at(NOW) == NOW + timedelta(days=30)
    assert rules.session_alive(NOW, NOW + timedelta(days=29, hours=23))
    assert not rules.session_alive(NOW, NOW + timedelta(days=30))


@pytest.mark.parametrize(
    ("demand", "per_pack", "filled", "missing", "packs", "percent"),
    [
        ("27", "40", "27", "13", 1, 67),
        ("0", "40", "0", "40", 1, 0),
        ("40", "40", "40", "0", 1, 100),
        ("67", "40", "27", "13", 2, 67),
        ("80", "40", "40", "0", 2, 100),
        ("12.5", "25", "12.5", "12.5", 1, 50),
    ],
)
def test_the_carton_being_filled(demand, per_pack, filled, missing, packs, percent):
    fill = pack_fill(Decimal(demand), Decimal(per_pack))
    assert (fill.filled, fill.missing, fill.packs, fill.percent) == (
        Decimal(filled),
        Decimal(missing),
        packs,
        percent,
    )
    assert fill.filled + fill.missing == fill.units_per_pack


def test_a_pack_holds_something_and_steps_follow_the_unit():
    with pytest.raises(ValueError):
        pack_fill(Decimal(1), Decimal(0))
    assert quantity_step(fractional=False) == 1
    assert quantity_step(fractional=True) == Decimal("0.5")
