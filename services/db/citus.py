"""Where each table lives when the database is a Citus cluster.

On plain PostgreSQL every function here is a no-op, so the Alembic history is the same on
both. With the ``citus`` extension in the database, :func:`place_tables` puts every table
that has no place yet by one rule:

- a table with ``satker_id NOT NULL`` is tenant data: a **distributed** table on
  ``satker_id``, colocated with every other one, so a satker's rows of every table live on
  one node and a statement filtered by ``satker_id`` runs on one shard. Its primary key,
  unique constraints and foreign keys to other tenant tables must include ``satker_id``
  (Citus refuses them otherwise; so does this function, by name);
- a table in :data:`OWN_DISTRIBUTION` is distributed on the column named there (rows that
  belong to a caller rather than to a satker);
- a table with a nullable ``satker_id`` (API keys, console users and their sessions: rows
  of the operator as well as of satkers) stays a **local** table on the coordinator, which
  every request reaches first anyway;
- any other table is shared data (products, suppliers, prices, satkers): a **reference**
  table, copied to every node so it joins locally with any shard.

A migration that creates a table calls ``place_tables(op.get_bind())`` after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

SHARD_KEY = "satker_id"
OWN_DISTRIBUTION = {"idempotency_record": "principal"}
NEVER_PLACED = frozenset({"alembic_version"})


class PlacementRefused(RuntimeError):
    """A tenant table whose keys lack ``satker_id``: Citus cannot distribute it."""


@dataclass(frozen=True)
class _Table:
    name: str
    satker_id: str | None  # "not null", "null" or None (no such column)
    primary_key: tuple[str, ...]
    references: frozenset[str]


def has_citus(conn: Connection) -> bool:
    return bool(
        conn.execute(
            text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        ).scalar()
    )


def _unplaced(conn: Connection) -> list[_Table]:
    rows = conn.execute(
        text(
            """
            SELECT c.relname AS name,
                   (SELECT CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END
                      FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attname = :key AND NOT a.attisdropped)
                       AS satker_id,
                   ARRAY(SELECT a.attname::text FROM pg_constraint k
                           JOIN pg_attribute a ON a.attrelid = k.conrelid
                            AND a.attnum = ANY (k.conkey)
                          WHERE k.conrelid = c.oid AND k.contype = 'p') AS primary_key,
                   ARRAY(SELECT DISTINCT k.confrelid::regclass::text FROM pg_constraint k
                          WHERE k.conrelid = c.oid AND k.contype = 'f'
                            AND k.confrelid <> c.oid) AS references
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
             ORDER BY c.relname
            """
        ),
        {"key": SHARD_KEY},
    ).mappings()
    return [
        _Table(r["name"], r["satker_id"], tuple(r["primary_key"]), frozenset(r["references"]))
        for r in rows
        if r["name"] not in NEVER_PLACED
    ]


def _placed(conn: Connection) -> set[str]:
    return set(
        conn.execute(text("SELECT logicalrelid::regclass::text FROM pg_dist_partition")).scalars()
    )


def _in_reference_order(tables: list[_Table], done: set[str]) -> list[_Table]:
    """Referenced tables before the tables that reference them (Citus needs the target of a
    foreign key placed first)."""
    ordered: list[_Table] = []
    left = {t.name: t for t in tables}
    while left:
        ready = [t for t in left.values() if t.references <= done | {t.name}]
        if not ready:  # a cycle or a reference to a table placed elsewhere: let Citus say
            ready = list(left.values())
        for t in sorted(ready, key=lambda t: t.name):
            ordered.append(t)
            done.add(t.name)
            del left[t.name]
    return ordered


def _colocation_anchor(conn: Connection) -> str | None:
    """An already distributed tenant table to colocate new ones with."""
    return conn.execute(
        text(
            "SELECT logicalrelid::regclass::text FROM pg_dist_partition"
            " WHERE partmethod = 'h' AND column_to_column_name(logicalrelid, partkey) = :key"
            " ORDER BY logicalrelid::regclass::text LIMIT 1"
        ),
        {"key": SHARD_KEY},
    ).scalar()


def place_tables(conn: Connection) -> list[tuple[str, str]]:
    """Distribute or replicate every table not placed yet, by the module's rule; returns
    ``(table, placement)`` pairs. Does nothing without the citus extension."""
    if not has_citus(conn):
        return []
    # one connection per node for the whole migration: foreign keys to reference and local
    # tables need it once a table has been distributed in the same transaction
    conn.execute(text("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'"))
    tables = _unplaced(conn)
    tenant = [t for t in tables if t.satker_id == "not null" and t.name not in OWN_DISTRIBUTION]
    for t in tenant:
        if SHARD_KEY not in t.primary_key:
            raise PlacementRefused(
                f"table {t.name} has {SHARD_KEY} but its primary key {t.primary_key} lacks it"
            )
    reference = [t for t in tables if t.satker_id is None and t.name not in OWN_DISTRIBUTION]
    # Citus turns a local table with a foreign key to a new reference table into a "Citus
    # local" table, which then cannot be distributed when it has an identity column: the
    # foreign keys of the tables being placed come off first and go back on afterwards.
    foreign_keys = _drop_foreign_keys(conn, {t.name for t in tables})
    placed: list[tuple[str, str]] = []
    done = _placed(conn)
    for t in _in_reference_order(reference, set(done)):
        conn.execute(text("SELECT create_reference_table(:t)"), {"t": t.name})
        placed.append((t.name, "reference"))
    done = _placed(conn)
    anchor = _colocation_anchor(conn)
    for t in _in_reference_order(tenant, set(done)):
        conn.execute(
            text("SELECT create_distributed_table(:t, :key, colocate_with => :with)"),
            {"t": t.name, "key": SHARD_KEY, "with": anchor or "default"},
        )
        anchor = anchor or t.name
        placed.append((t.name, f"distributed on {SHARD_KEY}"))
    for t in tables:
        column = OWN_DISTRIBUTION.get(t.name)
        if column is not None:
            conn.execute(
                text("SELECT create_distributed_table(:t, :c, colocate_with => 'none')"),
                {"t": t.name, "c": column},
            )
            placed.append((t.name, f"distributed on {column}"))
    for table, name, definition in foreign_keys:
        conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
    return placed


def _drop_foreign_keys(conn: Connection, tables: set[str]) -> list[tuple[str, str, str]]:
    """Drop every foreign key from or to ``tables``; returns ``(table, name, definition)``."""
    rows = conn.execute(
        text(
            "SELECT k.conrelid::regclass::text AS t, k.conname AS name,"
            " pg_get_constraintdef(k.oid) AS definition FROM pg_constraint k"
            " WHERE k.contype = 'f' AND (k.conrelid::regclass::text = ANY(:tables)"
            "  OR k.confrelid::regclass::text = ANY(:tables))"
            " ORDER BY 1, 2"
        ),
        {"tables": sorted(tables)},
    ).all()
    for table, name, _ in rows:
        conn.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
    return [(r[0], r[1], r[2]) for r in rows]
