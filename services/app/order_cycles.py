"""Order cycles: templates per satker, their instances in the satker's time zone, closing at
the cut-off (by the scheduled job or early by a coordinator) and the coordinator's demand view.

The cut-off rule is ``services.domain.cycle``'s; statements here and in the restock insert only
apply it, binding the statuses and instants of a ``cycle.Window`` (``window_sql``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from contracts.api.demand import (
    Cadence,
    CycleTemplateCreate,
    CycleTemplateOut,
    OneOffCycleCreate,
    OrderCycleOut,
)
from contracts.errors import Conflict, FieldError, InvalidInput, NotFound
from services.auth import Principal, Role
from services.db.statistics import analyse_if_changed
from services.db.tx import Tx
from services.domain import cycle as cycle_domain
from services.domain.versioning import check_if_match

MATERIALISE_HORIZON = timedelta(days=8)

# every statement using these binds the satker as $1: a subquery filtered by the bound
# value, not by the outer row, is what Citus routes to the satker's shard
_CYCLE_COLUMNS = (
    "id, satker_id, template_id, name, categories, opens_at, cutoff_at, delivery_date,"
    " status, closed_at, closed_by, version, (SELECT b.id FROM bulk_buy b"
    " WHERE b.satker_id = $1 AND b.cycle_id = order_cycle.id) AS bulk_buy_id"
)
# a new cycle has no bulk buy (and Citus takes no subquery in an INSERT's RETURNING)
_NEW_CYCLE_COLUMNS = (
    "id, satker_id, template_id, name, categories, opens_at, cutoff_at, delivery_date,"
    " status, closed_at, closed_by, version, NULL::bigint AS bulk_buy_id"
)
_TEMPLATE_COLUMNS = (
    "id, satker_id, name, categories, cadence, opens_at, cutoff_at, weekday,"
    " open_days_before, delivery_days_after, active, version"
)


def window_sql(first: int) -> str:
    """The SQL test of a ``cycle.Window`` on ``order_cycle``'s columns, with its values bound
    as ``$first`` to ``$first + 3`` in the order of ``window_args``."""
    s, o, a, b = range(first, first + 4)
    return (
        f"status = ANY(${s}::text[]) AND opens_at <= ${o}"
        f" AND cutoff_at > ${a} AND cutoff_at <= ${b}"
    )


def window_args(window: cycle_domain.Window) -> tuple[list[str], datetime, datetime, datetime]:
    return list(window.statuses), window.opened_by, window.cutoff_after, window.cutoff_by


def _cycle_out(row: Any) -> OrderCycleOut:
    return OrderCycleOut(**dict(row))


def _template(row: Any) -> cycle_domain.CycleTemplate:
    return cycle_domain.CycleTemplate(
        id=row["id"],
        name=row["name"],
        categories=tuple(row["categories"]),
        cadence=row["cadence"],
        opens_at=row["opens_at"],
        cutoff_at=row["cutoff_at"],
        weekday=row["weekday"],
        open_days_before=row["open_days_before"],
        delivery_days_after=row["delivery_days_after"],
    )


async def satker_timezone(raw: Any, satker_id: int) -> str:
    zone = await raw.fetchval("SELECT timezone FROM satker WHERE id = $1", satker_id)
    if zone is None:
        raise NotFound(f"satker {satker_id} not found")
    return zone


async def create_template(
    tx: Tx, principal: Principal, satker_id: int, data: CycleTemplateCreate, now: datetime
) -> CycleTemplateOut:
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)
    errors = []
    if data.cadence == Cadence.WEEKLY and data.weekday is None:
        errors.append(FieldError("/weekday", "a weekly cycle needs the cut-off's weekday"))
    if data.cadence == Cadence.DAILY and data.weekday is not None:
        errors.append(FieldError("/weekday", "a daily cycle has no weekday"))
    if data.open_days_before == 0 and data.opens_at >= data.cutoff_at:
        errors.append(FieldError("/cutoff_at", "the cut-off must come after the opening"))
    if len(set(data.categories)) != len(data.categories):
        errors.append(FieldError("/categories", "a category is named twice"))
    if errors:
        raise InvalidInput("the cycle template is not valid", errors=errors)
    raw = await tx.raw()
    await satker_timezone(raw, satker_id)
    row = await raw.fetchrow(
        f"""
        INSERT INTO cycle_template (satker_id, name, categories, cadence, opens_at, cutoff_at,
            weekday, open_days_before, delivery_days_after)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (satker_id, name) DO NOTHING
        RETURNING {_TEMPLATE_COLUMNS}
        """,
        satker_id,
        data.name,
        [str(c) for c in data.categories],
        str(data.cadence),
        data.opens_at,
        data.cutoff_at,
        data.weekday,
        data.open_days_before,
        data.delivery_days_after,
    )
    if row is None:
        raise Conflict(f"a cycle template named {data.name!r} exists already")
    await materialise_satker(raw, satker_id, now)
    return CycleTemplateOut(**dict(row))


async def list_templates(tx: Tx, principal: Principal, satker_id: int) -> list[CycleTemplateOut]:
    principal.satker_scope(satker_id)
    raw = await tx.raw()
    rows = await raw.fetch(
        f"SELECT {_TEMPLATE_COLUMNS} FROM cycle_template WHERE satker_id = $1 ORDER BY id",
        satker_id,
    )
    return [CycleTemplateOut(**dict(r)) for r in rows]


async def materialise_satker(
    raw: Any, satker_id: int, now: datetime, horizon: timedelta = MATERIALISE_HORIZON
) -> int:
    """Create the satker's cycle instances whose cut-off falls within ``horizon`` from ``now``;
    existing ones are left alone. Returns how many were created."""
    zone = await satker_timezone(raw, satker_id)
    templates = await raw.fetch(
        f"SELECT {_TEMPLATE_COLUMNS} FROM cycle_template WHERE satker_id = $1 AND active",
        satker_id,
    )
    instances = [
        (t["id"], t["name"], list(t["categories"]), occ)
        for t in templates
        for occ in cycle_domain.occurrences(_template(t), zone, now, now + horizon)
    ]
    if not instances:
        return 0
    created = await raw.fetchval(
        """
        WITH ins AS (
            INSERT INTO order_cycle (satker_id, template_id, name, categories, opens_at,
                cutoff_at, delivery_date, status)
            SELECT $1, u.template_id, u.name, string_to_array(u.categories, ','), u.opens_at,
                u.cutoff_at, u.delivery_date, u.status
            FROM unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[],
                        $6::timestamptz[], $7::date[], $8::text[])
                AS u(template_id, name, categories, opens_at, cutoff_at, delivery_date, status)
            ON CONFLICT (satker_id, template_id, cutoff_at) DO NOTHING
            RETURNING 1
        )
        SELECT count(*) FROM ins
        """,
        satker_id,
        [i[0] for i in instances],
        [i[1] for i in instances],
        [",".join(i[2]) for i in instances],
        [i[3].opens_at for i in instances],
        [i[3].cutoff_at for i in instances],
        [i[3].delivery_date for i in instances],
        [cycle_domain.initial_status(i[3], now) for i in instances],
    )
    return int(created)


async def create_one_off_cycle(
    tx: Tx, principal: Principal, satker_id: int, data: OneOffCycleCreate, now: datetime
) -> OrderCycleOut:
    """An urgent restock outside the templates' rhythm: a cycle with no template, which then
    opens, takes requests and closes by the same rules as any instance."""
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)
    if len(set(data.categories)) != len(data.categories):
        raise InvalidInput(
            "the one-off cycle is not valid",
            errors=[FieldError("/categories", "a category is named twice")],
        )
    raw = await tx.raw()
    zone = await satker_timezone(raw, satker_id)
    occurrence, status = cycle_domain.one_off(
        opens_at=data.opens_at,
        cutoff_at=data.cutoff_at,
        delivery_date=data.delivery_date,
        zone=zone,
        now=now,
    )
    row = await raw.fetchrow(
        f"""
        INSERT INTO order_cycle (satker_id, template_id, name, categories, opens_at, cutoff_at,
            delivery_date, status)
        VALUES ($1, NULL, $2, $3, $4, $5, $6, $7)
        RETURNING {_NEW_CYCLE_COLUMNS}
        """,
        satker_id,
        data.name,
        [str(c) for c in data.categories],
        occurrence.opens_at,
        occurrence.cutoff_at,
        occurrence.delivery_date,
        status,
    )
    return _cycle_out(row)


async def list_cycles(
    tx: Tx,
    principal: Principal,
    satker_id: int,
    *,
    limit: int,
    after: tuple[datetime, int] | None,
    status: str | None,
) -> list[OrderCycleOut]:
    principal.satker_scope(satker_id)
    raw = await tx.raw()
    rows = await raw.fetch(
        f"""
        SELECT {_CYCLE_COLUMNS} FROM order_cycle
        WHERE satker_id = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (cutoff_at, id) > ($3, $4))
        ORDER BY cutoff_at, id LIMIT $5
        """,
        satker_id,
        status,
        after[0] if after else None,
        after[1] if after else 0,
        limit + 1,
    )
    return [_cycle_out(r) for r in rows]


async def get_cycle(tx: Tx, principal: Principal, satker_id: int, cycle_id: int) -> OrderCycleOut:
    principal.satker_scope(satker_id)
    raw = await tx.raw()
    row = await raw.fetchrow(
        f"SELECT {_CYCLE_COLUMNS} FROM order_cycle WHERE satker_id = $1 AND id = $2",
        satker_id,
        cycle_id,
    )
    if row is None:
        raise NotFound(f"cycle {cycle_id} not found")
    return _cycle_out(row)


async def close_cycle(
    tx: Tx,
    principal: Principal,
    satker_id: int,
    cycle_id: int,
    if_match: str | None,
    now: datetime,
) -> OrderCycleOut:
    """A coordinator closes a cycle before its cut-off: its submitted requests are locked."""
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)
    raw = await tx.raw()
    row = await raw.fetchrow(
        "SELECT status, version FROM order_cycle WHERE satker_id = $1 AND id = $2 FOR UPDATE",
        satker_id,
        cycle_id,
    )
    if row is None:
        raise NotFound(f"cycle {cycle_id} not found")
    check_if_match(if_match, row["version"])
    cycle_domain.check_close(row["status"])
    closed = await lock_cycle(raw, satker_id, cycle_id, now, f"coordinator:{principal.key_id}")
    return _cycle_out(closed)


async def lock_cycle(raw: Any, satker_id: int, cycle_id: int, now: datetime, by: str) -> Any:
    """Close the (already row-locked) cycle and lock its submitted requests."""
    closed = await raw.fetchrow(
        f"""
        UPDATE order_cycle SET status = 'closed', closed_at = $3, closed_by = $4,
            version = version + 1
        WHERE satker_id = $1 AND id = $2
        RETURNING {_CYCLE_COLUMNS}
        """,
        satker_id,
        cycle_id,
        now,
        by,
    )
    await raw.execute(
        """
        UPDATE restock_request SET status = 'locked', version = version + 1, updated_at = $3
        WHERE satker_id = $1 AND cycle_id = $2 AND status = 'submitted'
        """,
        satker_id,
        cycle_id,
        now,
    )
    # the build reads the cycle's requests next, and they have just arrived in a rush
    await analyse_if_changed(raw, ("restock_request", "restock_line"))
    return closed


async def open_due_cycles(raw: Any, now: datetime) -> int:
    """Mark open the scheduled cycles due to open at ``now`` (rows another worker holds are
    left for it); returns how many. One statement per satker that has any, so that on Citus
    each runs on its satker's shard (row locks do not span shards)."""
    args = window_args(cycle_domain.due_to_open(now))
    satkers = await raw.fetch(
        f"SELECT DISTINCT satker_id FROM order_cycle WHERE {window_sql(1)} ORDER BY satker_id",
        *args,
    )
    opened = 0
    for row in satkers:
        status = await raw.execute(
            f"""
            WITH due AS MATERIALIZED (
                SELECT id FROM order_cycle WHERE satker_id = $5 AND {window_sql(1)}
                FOR UPDATE SKIP LOCKED
            )
            UPDATE order_cycle SET status = 'open', version = version + 1
            WHERE satker_id = $5 AND id IN (SELECT id FROM due)
            """,
            *args,
            row["satker_id"],
        )
        opened += int(status.split()[-1])
    return opened


CLAIM_CANDIDATES = 50


async def claim_cycle_due_to_close(raw: Any, now: datetime) -> Any:
    """Row-lock one cycle due to close at ``now`` that no other worker holds, the earliest
    cut-off first; None when there is none. The candidates are read without a lock and
    each is then locked by its key: a lock taken on one satker's shard only, as Citus needs
    (among the first ``CLAIM_CANDIDATES``; the rest wait for the next call)."""
    args = window_args(cycle_domain.due_to_close(now))
    candidates = await raw.fetch(
        f"""
        SELECT satker_id, id FROM order_cycle WHERE {window_sql(1)}
        ORDER BY cutoff_at, satker_id, id
        LIMIT {CLAIM_CANDIDATES}
        """,
        *args,
    )
    for candidate in candidates:
        row = await raw.fetchrow(
            f"""
            SELECT satker_id, id, cutoff_at FROM order_cycle
            WHERE satker_id = $5 AND id = $6 AND {window_sql(1)}
            FOR UPDATE SKIP LOCKED
            """,
            *args,
            candidate["satker_id"],
            candidate["id"],
        )
        if row is not None:
            return row
    return None


async def cutoff_passed(
    raw: Any, satker_id: int, categories: list[str], now: datetime, what: str
) -> Conflict:
    """The 409 for a submission or edit after the cut-off, naming the next cut-off."""
    rows = await raw.fetch(
        f"""
        SELECT status, opens_at, cutoff_at, categories FROM order_cycle
        WHERE satker_id = $1 AND {window_sql(2)}
        """,
        satker_id,
        *window_args(cycle_domain.before_cutoff(now)),
    )
    upcoming = [
        cycle_domain.CycleState(
            status=r["status"],
            opens_at=r["opens_at"],
            cutoff_at=r["cutoff_at"],
            categories=tuple(r["categories"]),
        )
        for r in rows
    ]
    return cycle_domain.cutoff_passed(what, categories, upcoming, now)
