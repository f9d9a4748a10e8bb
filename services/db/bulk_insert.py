"""Insert many rows in one statement: ``unnest`` of one array per column (hot write paths)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


async def insert_rows(
    raw: Any,
    table: str,
    columns: str,
    rows: Sequence[Sequence[Any]],
    *,
    returning: str | None = None,
) -> list[Any]:
    """Insert ``rows`` into ``table`` on the asyncpg connection ``raw``.

    ``columns`` names each column with its PostgreSQL type, in row order:
    ``"satker_id bigint, sku varchar, quantity numeric"``. With ``returning``, the returned
    rows; else an empty list.
    """
    if not rows:
        return []
    names_types = [column.split() for column in columns.split(",")]
    arrays = [list(column) for column in zip(*rows, strict=True)]
    if len(arrays) != len(names_types):
        raise ValueError(f"{table}: rows have {len(arrays)} values, {len(names_types)} columns")
    params = ", ".join(f"${i}::{t}[]" for i, (_, t) in enumerate(names_types, start=1))
    names = ", ".join(name for name, _ in names_types)
    sql = f"INSERT INTO {table} ({names}) SELECT {names} FROM unnest({params}) AS u({names})"
    if returning is None:
        await raw.execute(sql, *arrays)
        return []
    return list(await raw.fetch(f"{sql} RETURNING {returning}", *arrays))
