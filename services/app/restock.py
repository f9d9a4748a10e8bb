"""Restock requests: a warung's order into the open cycle for its products' categories.

Submission is the hot path: products come from the in-process cache, and the header and its
lines are written by one statement (a CTE with ``unnest``) that also finds the open cycle and
share-locks it, so a concurrent close waits for the insert and then locks the new request.
Which cycle takes a request, and whether a request may still change, is the cut-off rule of
``services.domain.cycle``: computed once per request in Python, bound as parameters.
Round trips for a submission: BEGIN, the CTE, COMMIT; with an ``Idempotency-Key``, one
statement in all, which also claims the key and stores the response
(:mod:`services.app.restock_submission`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from contracts.api.demand import (
    RestockLineIn,
    RestockLineOut,
    RestockLinesUpdate,
    RestockRequestCreate,
    RestockRequestOut,
    RestockRequestSummaryOut,
)
from contracts.errors import FieldError, Forbidden, InvalidInput, NotFound
from services.app import restock_submission
from services.app.container import Container
from services.app.order_cycles import cutoff_passed, window_args, window_sql
from services.app.product_cache import CachedProduct
from services.auth import Principal, Role
from services.db.tx import Tx
from services.domain import cycle as cycle_rules
from services.domain import restock as restock_rules
from services.domain.versioning import check_if_match

_INSERT_CTES = f"""
c AS (
    SELECT id, cutoff_at FROM order_cycle
    WHERE satker_id = $1 AND categories @> $3::varchar[] AND {window_sql(10)}
    ORDER BY cutoff_at, id LIMIT 1
    FOR SHARE
), w AS (
    SELECT 1 FROM warung WHERE satker_id = $1 AND id = $2 AND active
), h AS (
    INSERT INTO restock_request (satker_id, warung_id, cycle_id, status, note,
        created_at, updated_at)
    SELECT $1, $2, c.id, $5, $6, $4, $4 FROM c, w
    RETURNING id, cycle_id
), l AS (
    INSERT INTO restock_line (satker_id, request_id, line_no, product_id, quantity, for_preorder)
    SELECT $1, h.id, u.n, u.product_id, u.quantity, u.for_preorder
    FROM h, unnest($7::bigint[], $8::numeric[], $9::bool[])
        WITH ORDINALITY AS u(product_id, quantity, for_preorder, n)
)"""
_INSERT = f"""
WITH {_INSERT_CTES}
SELECT h.id, h.cycle_id, c.cutoff_at FROM h JOIN c ON c.id = h.cycle_id
"""
_REQUEST_COLUMNS = (
    "r.id, r.satker_id, r.warung_id, r.cycle_id, c.cutoff_at AS cycle_cutoff_at, r.status,"
    " r.note, r.version, r.created_at"
)


async def create_request(
    tx: Tx, container: Container, principal: Principal, data: RestockRequestCreate, now: datetime
) -> RestockRequestOut:
    principal.require(Role.WARUNG)
    assert principal.satker_id is not None and principal.warung_id is not None
    satker_id, warung_id = principal.satker_id, principal.warung_id
    claim = tx.take_claim()
    # with a key, the one statement is the whole submission: no transaction around it
    raw = await (tx.raw() if claim is None else tx.raw_autocommit())
    products = await container.product_cache.get_many(raw, {ln.product_id for ln in data.lines})
    categories = restock_rules.validate_lines(data.lines, products)
    status = "submitted" if data.submit else "draft"
    args = (
        satker_id,
        warung_id,
        categories,
        now,
        status,
        data.note,
        [ln.product_id for ln in data.lines],
        [ln.quantity for ln in data.lines],
        [ln.for_preorder for ln in data.lines],
        *window_args(cycle_rules.taking_requests(now)),
    )
    out = RestockRequestOut(
        id=0,
        satker_id=satker_id,
        warung_id=warung_id,
        cycle_id=0,
        cycle_cutoff_at=now,
        status=status,
        note=data.note,
        version=1,
        created_at=now,
        lines=[
            RestockLineOut(
                line_no=n,
                product_id=ln.product_id,
                quantity=ln.quantity,
                for_preorder=ln.for_preorder,
            )
            for n, ln in enumerate(data.lines, start=1)
        ],
    )
    if claim is None:
        row = await raw.fetchrow(_INSERT, *args)
    else:
        row = await restock_submission.insert_storing(raw, args, claim, out)
        if row["body"] is None and row["taken"]:
            raise tx.refuse_claim()
        if row["body"] is not None:
            tx.stored_response = bytes(row["body"])
    if row is None or row["id"] is None:
        active = await raw.fetchval(
            "SELECT active FROM warung WHERE satker_id = $1 AND id = $2", satker_id, warung_id
        )
        if not active:
            raise Forbidden(f"warung {warung_id} is not active")
        if len(categories) > 1:
            await _refuse_mixed_cycles(raw, satker_id, data.lines, products, categories)
        raise await cutoff_passed(
            raw, satker_id, categories, now, "the request cannot be submitted"
        )
    return msgspec.structs.replace(
        out, id=row["id"], cycle_id=row["cycle_id"], cycle_cutoff_at=row["cutoff_at"]
    )


async def _refuse_mixed_cycles(
    raw: Any,
    satker_id: int,
    lines: list[RestockLineIn],
    products: dict[int, CachedProduct],
    categories: list[str],
) -> None:
    """400 when no cycle of the satker takes all the request's categories together."""
    together = await raw.fetchval(
        "SELECT 1 FROM order_cycle WHERE satker_id = $1 AND categories @> $2::varchar[] LIMIT 1",
        satker_id,
        categories,
    )
    if together:
        return
    first = products[lines[0].product_id].category
    rows = await raw.fetch(
        "SELECT DISTINCT unnest(categories) AS category FROM order_cycle"
        " WHERE satker_id = $1 AND $2 = ANY(categories)",
        satker_id,
        first,
    )
    with_first = {r["category"] for r in rows}
    n = next(
        (i for i, ln in enumerate(lines) if products[ln.product_id].category not in with_first),
        0,
    )
    raise InvalidInput(
        "these products are ordered in different cycles: send one request per cycle",
        errors=[
            FieldError(
                f"/lines/{n}/product_id",
                f"a {products[lines[n].product_id].category} product; line 0 is {first}",
            )
        ],
    )


def _scope(principal: Principal) -> tuple[int | None, int | None]:
    """(satker_id, warung_id) filters for the caller; admin sees every satker."""
    principal.require(Role.ADMIN, Role.COORDINATOR, Role.WARUNG)
    if principal.role == Role.ADMIN:
        return None, None
    return principal.satker_id, principal.warung_id


async def _load(raw: Any, principal: Principal, request_id: int, *, lock: bool = False) -> Any:
    satker_id, warung_id = _scope(principal)
    row = await raw.fetchrow(
        f"""
        SELECT {_REQUEST_COLUMNS}, c.status AS cycle_status, c.opens_at AS cycle_opens_at,
            c.categories AS cycle_categories
        FROM restock_request r
        JOIN order_cycle c ON c.satker_id = r.satker_id AND c.id = r.cycle_id
        WHERE r.id = $1 AND ($2::bigint IS NULL OR r.satker_id = $2)
          AND ($3::bigint IS NULL OR r.warung_id = $3)
        {"FOR NO KEY UPDATE OF r FOR SHARE OF c" if lock else ""}
        """,
        request_id,
        satker_id,
        warung_id,
    )
    if row is None:
        raise NotFound(f"restock request {request_id} not found")
    return row


async def _out(raw: Any, row: Any) -> RestockRequestOut:
    lines = await raw.fetch(
        "SELECT line_no, product_id, quantity, for_preorder, dropped_reason FROM restock_line"
        " WHERE satker_id = $1 AND request_id = $2 ORDER BY line_no",
        row["satker_id"],
        row["id"],
    )
    fields = {k: row[k] for k in RestockRequestOut.__struct_fields__ if k != "lines"}
    return RestockRequestOut(**fields, lines=[RestockLineOut(**dict(ln)) for ln in lines])


async def get_request(tx: Tx, principal: Principal, request_id: int) -> RestockRequestOut:
    raw = await tx.raw()
    return await _out(raw, await _load(raw, principal, request_id))


async def list_requests(
    tx: Tx,
    principal: Principal,
    *,
    limit: int,
    after_id: int | None,
    cycle_id: int | None,
    status: str | None,
) -> list[RestockRequestSummaryOut]:
    satker_id, warung_id = _scope(principal)
    raw = await tx.raw()
    # a caller's own satker bound as $1 keeps the statement on its shard on Citus; an
    # admin's list spans the satkers, joined on satker_id
    line_satker = "r.satker_id" if satker_id is None else "$1"
    rows = await raw.fetch(
        f"""
        SELECT r.id, r.warung_id, r.cycle_id, r.status, r.version, r.created_at,
            (SELECT count(*) FROM restock_line l
             WHERE l.satker_id = {line_satker} AND l.request_id = r.id) AS line_count
        FROM restock_request r
        WHERE ($1::bigint IS NULL OR r.satker_id = $1) AND ($2::bigint IS NULL OR r.warung_id = $2)
          AND ($3::bigint IS NULL OR r.cycle_id = $3) AND ($4::text IS NULL OR r.status = $4)
          AND ($5::bigint IS NULL OR r.id > $5)
        ORDER BY r.id LIMIT $6
        """,
        satker_id,
        warung_id,
        cycle_id,
        status,
        after_id,
        limit + 1,
    )
    return [RestockRequestSummaryOut(**dict(r)) for r in rows]


async def _editable(raw: Any, row: Any, action: str, now: datetime) -> None:
    """Refuse an action on a request that is past draft/submitted or whose cycle has closed."""
    restock_rules.check_transition(row["status"], action)
    cycle = cycle_rules.CycleState(
        status=row["cycle_status"],
        opens_at=row["cycle_opens_at"],
        cutoff_at=row["cycle_cutoff_at"],
        categories=tuple(row["cycle_categories"]),
    )
    if not cycle_rules.may_change(cycle, now):
        raise await cutoff_passed(
            raw, row["satker_id"], list(cycle.categories), now, f"the request cannot {action}"
        )


async def replace_lines(
    tx: Tx,
    container: Container,
    principal: Principal,
    request_id: int,
    data: RestockLinesUpdate,
    if_match: str | None,
    now: datetime,
) -> RestockRequestOut:
    principal.require(Role.WARUNG)
    raw = await tx.raw()
    row = await _load(raw, principal, request_id, lock=True)
    check_if_match(if_match, row["version"])
    await _editable(raw, row, "edit", now)
    products = await container.product_cache.get_many(raw, {ln.product_id for ln in data.lines})
    restock_rules.validate_lines(data.lines, products, allowed=set(row["cycle_categories"]))
    await raw.execute(
        "DELETE FROM restock_line WHERE satker_id = $1 AND request_id = $2",
        row["satker_id"],
        request_id,
    )
    await _insert_lines(raw, row["satker_id"], request_id, data.lines)
    return await _bump(raw, row, row["status"], now)


async def _insert_lines(
    raw: Any, satker_id: int, request_id: int, lines: list[RestockLineIn]
) -> None:
    await raw.execute(
        """
        INSERT INTO restock_line
            (satker_id, request_id, line_no, product_id, quantity, for_preorder)
        SELECT $1, $2, u.n, u.product_id, u.quantity, u.for_preorder
        FROM unnest($3::bigint[], $4::numeric[], $5::bool[])
            WITH ORDINALITY AS u(product_id, quantity, for_preorder, n)
        """,
        satker_id,
        request_id,
        [ln.product_id for ln in lines],
        [ln.quantity for ln in lines],
        [ln.for_preorder for ln in lines],
    )


async def _bump(raw: Any, row: Any, status: str, now: datetime) -> RestockRequestOut:
    await raw.execute(
        "UPDATE restock_request SET status = $3, version = version + 1, updated_at = $4"
        " WHERE satker_id = $1 AND id = $2",
        row["satker_id"],
        row["id"],
        status,
        now,
    )
    fresh = await _load(raw, _admin, row["id"])
    return await _out(raw, fresh)


_admin = Principal(key_id=0, role=Role.ADMIN)


async def change_status(
    tx: Tx,
    principal: Principal,
    request_id: int,
    action: str,
    if_match: str | None,
    now: datetime,
) -> RestockRequestOut:
    """``submit`` (draft → submitted) or ``cancel`` (draft/submitted → cancelled), before the
    cut-off only."""
    principal.require(Role.WARUNG)
    raw = await tx.raw()
    row = await _load(raw, principal, request_id, lock=True)
    check_if_match(if_match, row["version"])
    await _editable(raw, row, action, now)
    return await _bump(raw, row, restock_rules.check_transition(row["status"], action), now)


async def on_order(raw: Any, satker_id: int, warung_id: int) -> dict[int, Decimal]:
    """Quantities a warung has asked for and not yet received, per product."""
    rows = await raw.fetch(
        """
        SELECT l.product_id, sum(l.quantity) AS quantity
        FROM restock_request r
        JOIN restock_line l ON l.satker_id = r.satker_id AND l.request_id = r.id
        WHERE r.satker_id = $1 AND r.warung_id = $2
          AND r.status IN ('submitted','locked','consolidated','ordered','delivered')
        GROUP BY l.product_id
        """,
        satker_id,
        warung_id,
    )
    return {r["product_id"]: r["quantity"] for r in rows}
