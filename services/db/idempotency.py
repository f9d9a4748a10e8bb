"""The ``Idempotency-Key`` record's statements: claim, read back, store the response.

A claim inserts the record (status 0, no response yet) unless one for the same caller and key
is alive; one whose time ran out is taken over. It is the first write of the request's
transaction, so a second request with the same key waits on the first's row until the first
commits (and then finds the stored response) or rolls back (and then claims it).

A hot path may fold the claim into its own first statement (:func:`claim_cte`): the middleware
leaves it pending on the transaction (:attr:`services.db.tx.Tx.pending_claim`), the use case
takes it, and a claim that finds the key taken raises :meth:`~services.db.tx.Tx.refuse_claim`'s
error, whose response the middleware replaces with the stored one, as for a claim of its own.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import msgspec


class IdempotencyClaim(msgspec.Struct, frozen=True, kw_only=True):
    principal: str
    key: str
    request_hash: str
    method: str
    path: str
    expires_at: datetime

    def args(self) -> tuple[str, str, str, str, str, datetime]:
        """The values :func:`claim_cte` binds, in its order."""
        return (
            self.principal,
            self.key,
            self.request_hash,
            self.method,
            self.path[:500],
            self.expires_at,
        )


def claim_cte(first: int) -> str:
    """``claim AS (…)``: a row ``(claimed)`` when this request holds the key, none when the key
    is taken; its six values bound as ``$first`` to ``$first + 5``
    (:meth:`IdempotencyClaim.args`)."""
    p, k, h, m, u, e = range(first, first + 6)
    return f"""claim AS (
    INSERT INTO idempotency_record
        (principal, key, request_hash, method, path, status_code,
         response_headers, response_body, expires_at)
    VALUES (${p}, ${k}, ${h}, ${m}, ${u}, 0, '{{}}'::jsonb, ''::bytea, ${e})
    ON CONFLICT (principal, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status_code = 0,
            response_headers = '{{}}', response_body = ''::bytea,
            method = EXCLUDED.method, path = EXCLUDED.path,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE idempotency_record.expires_at < EXCLUDED.created_at
    RETURNING true AS claimed
)"""


_CLAIM = f"WITH {claim_cte(1)} SELECT claimed FROM claim"


async def claim(raw: Any, wanted: IdempotencyClaim) -> bool:
    """Claim the key in the transaction of ``raw``; False when it is taken."""
    return bool(await raw.fetchval(_CLAIM, *wanted.args()))


async def stored(raw: Any, principal: str, key: str) -> Any:
    return await raw.fetchrow(
        "SELECT request_hash, status_code, response_headers, response_body"
        " FROM idempotency_record WHERE principal = $1 AND key = $2",
        principal,
        key,
    )


async def store_response(
    raw: Any, claimed: IdempotencyClaim, status: int, headers: dict[str, str], body: bytes
) -> None:
    await raw.execute(
        "UPDATE idempotency_record SET status_code = $3, response_headers = $4,"
        " response_body = $5 WHERE principal = $1 AND key = $2",
        claimed.principal,
        claimed.key,
        status,
        json.dumps(headers),  # SQLAlchemy's jsonb codec takes text, returns dicts
        body,
    )
