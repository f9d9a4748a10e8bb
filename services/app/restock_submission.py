"""A restock request submitted with an ``Idempotency-Key``, in one statement and one round trip.

The statement finds and share-locks the open cycle, takes the request's id from its sequence,
claims the key *with the response already in it*, and inserts the header and the lines. So
the whole submission is one atomic statement: no BEGIN, no second write to store the
response, no COMMIT. The response is known before the statement but for three values the
database gives (the request's id, its cycle and the cycle's cut-off): it is encoded here with
a sentinel in each of those places, and the statement puts the values in (the cut-off in the
same text form msgspec writes). The handler sends those very bytes, so a replay equals the
first answer byte for byte.

When the key is held by another request, nothing is inserted; when no open cycle takes the
request, nothing at all is written and :func:`services.app.restock.create_request` explains
why, as without a key.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import msgspec

from contracts.api.demand import RestockRequestOut
from services.app.order_cycles import window_sql
from services.db.idempotency import IdempotencyClaim
from services.domain.versioning import etag

_ID = -918_273_645_546_372
_CYCLE = -546_372_918_273_645
_CUTOFF = datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)
_ENCODER = msgspec.json.Encoder()
MEDIA_TYPE = "application/json"

# msgspec's form of an aware UTC time: seconds, six decimals only when there are any, "Z"
_CUTOFF_TEXT = (
    "to_char(c.cutoff_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    " || CASE WHEN extract(microseconds FROM c.cutoff_at)::bigint % 1000000 <> 0"
    " THEN to_char(c.cutoff_at AT TIME ZONE 'UTC', '.US') ELSE '' END || 'Z'"
)

_INSERT = f"""
WITH c AS (
    SELECT id, cutoff_at FROM order_cycle
    WHERE satker_id = $1 AND categories @> $3::varchar[] AND {window_sql(10)}
    ORDER BY cutoff_at, id LIMIT 1
    FOR SHARE
), w AS (
    SELECT 1 FROM warung WHERE satker_id = $1 AND id = $2 AND active
), n AS (
    SELECT nextval(pg_get_serial_sequence('restock_request', 'id')) AS id FROM c, w
), claim AS (
    INSERT INTO idempotency_record
        (principal, key, request_hash, method, path, status_code,
         response_headers, response_body, expires_at)
    SELECT $14::varchar, $15::varchar, $16::varchar, $17::varchar, $18::varchar, 201,
        $20::jsonb,
        convert_to($21::text || n.id::text || $22::text || c.id::text || $23::text
            || {_CUTOFF_TEXT} || $24::text, 'UTF8'), $19::timestamptz
    FROM n, c
    ON CONFLICT (principal, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code,
            response_headers = EXCLUDED.response_headers,
            response_body = EXCLUDED.response_body,
            method = EXCLUDED.method, path = EXCLUDED.path,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE idempotency_record.expires_at < EXCLUDED.created_at
    RETURNING response_body
), h AS (
    INSERT INTO restock_request (id, satker_id, warung_id, cycle_id, status, note,
        created_at, updated_at)
    SELECT n.id, $1, $2, c.id, $5, $6, $4, $4 FROM n, c, claim
    RETURNING id, cycle_id
), l AS (
    INSERT INTO restock_line (satker_id, request_id, line_no, product_id, quantity, for_preorder)
    SELECT $1, h.id, u.n, u.product_id, u.quantity, u.for_preorder
    FROM h, unnest($7::bigint[], $8::numeric[], $9::bool[])
        WITH ORDINALITY AS u(product_id, quantity, for_preorder, n)
)
SELECT EXISTS (SELECT 1 FROM n) AS taken, claim.response_body AS body,
    h.id, h.cycle_id, c.cutoff_at
FROM (SELECT 1) AS one LEFT JOIN claim ON true LEFT JOIN h ON true
    LEFT JOIN c ON c.id = h.cycle_id
"""


def stored_headers() -> str:
    """The headers a replay gets, as the middleware keeps them (jsonb text)."""
    return json.dumps({"content-type": MEDIA_TYPE, "etag": etag(1)})


def _template(out: RestockRequestOut) -> tuple[str, str, str, str]:
    """The response in four pieces around the id, the cycle and the cut-off."""
    body = _ENCODER.encode(
        msgspec.structs.replace(out, id=_ID, cycle_id=_CYCLE, cycle_cutoff_at=_CUTOFF)
    ).decode()
    head, rest = body.split(str(_ID), 1)
    middle, rest = rest.split(str(_CYCLE), 1)
    before_cutoff, tail = rest.split(_ENCODER.encode(_CUTOFF).decode().strip('"'), 1)
    return head, middle, before_cutoff, tail


async def insert_storing(
    raw: Any, args: tuple[Any, ...], claim: IdempotencyClaim, draft: RestockRequestOut
) -> Any:
    """Run the statement: ``args`` are the request's values (``$1``–``$13``), ``draft`` the
    response with any id, cycle and cut-off. The row's ``body`` is the stored response (None
    when the key is taken or no cycle took the request); ``taken`` says a cycle took it."""
    return await raw.fetchrow(_INSERT, *args, *claim.args(), stored_headers(), *_template(draft))
