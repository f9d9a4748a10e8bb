"""The demo coordinator who signs in to the console: made by ``kulakan demo seed`` (safe to run
again), with a known password so a newcomer can sign in at once. Demo data only."""

from __future__ import annotations

import asyncio

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


def seed_and_describe(satker_id: int) -> str:
    """Seed (in its own transaction) and say how to sign in, for ``kulakan demo seed``."""
    from services.cli import _container

    async def main() -> str:
        container = _container()
        try:
            async with Tx(container.engine) as tx:
                await seed_demo_coordinator(tx, satker_id)
            base = container.settings.public_base_url
        finally:
            await container.close()
        return (
            f"console: {base}/console/  —  demo coordinator: phone {DEMO_PHONE},"
            f" password {DEMO_PASSWORD}"
        )

    return asyncio.run(main())
