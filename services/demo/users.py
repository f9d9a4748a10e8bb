"""The demo coordinator who signs in to the console: made by ``kulakan demo seed`` (safe to run
again), with a known password so a newcomer can sign in at once. Demo data only."""

from __future__ import annotations

from services.app.users import create_user, find_user_by_phone
from services.db.tx import Tx

DEMO_PHONE = "0812-0000-2026"
DEMO_PASSWORD = "kulakan-demo-2026"
DEMO_NAME = "Koordinator Demo"


async def seed_demo_coordinator(tx: Tx, satker_id: int) -> bool:
    """Create the demo coordinator of ``satker_id`` unless there is one; True if created."""
    from contracts.phone import normalise_phone

    if await find_user_by_phone(tx, normalise_phone(DEMO_PHONE)) is not None:
        return False
    await create_user(
        tx,
        role="coordinator",
        satker_id=satker_id,
        phone=DEMO_PHONE,
        name=DEMO_NAME,
        password=DEMO_PASSWORD,
    )
    return True


def sign_in_text(base_url: str) -> str:
    """How to sign in to the console as the demo coordinator, for ``kulakan demo seed``."""
    return (
        f"console: {base_url}/console/  —  demo coordinator:"
        f" phone {DEMO_PHONE}, password {DEMO_PASSWORD}"
    )
