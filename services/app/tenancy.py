"""Tenancy: which satker a warung belongs to, as far as the caller may see it."""

from __future__ import annotations

from typing import Any

from contracts.errors import NotFound
from services.auth import Principal, Role


async def resolve_warung(raw: Any, principal: Principal, warung_id: int) -> int:
    """The warung's satker id, or 404 when the caller may not see the warung."""
    principal.require(Role.ADMIN, Role.COORDINATOR, Role.WARUNG)
    if principal.role == Role.WARUNG:
        if principal.warung_id != warung_id:
            raise NotFound(f"warung {warung_id} not found")
        assert principal.satker_id is not None
        return principal.satker_id
    satker_id = await raw.fetchval(
        "SELECT satker_id FROM warung WHERE id = $1 AND ($2::bigint IS NULL OR satker_id = $2)",
        warung_id,
        principal.satker_id,
    )
    if satker_id is None:
        raise NotFound(f"warung {warung_id} not found")
    return satker_id
