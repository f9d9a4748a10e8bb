"""Driver errors become the errors of ``contracts.errors`` here, once, so nothing above the
database layer sees ``sqlalchemy.exc`` or asyncpg's exceptions.

The requests' statements run on SQLAlchemy sessions and on the asyncpg connection itself
(:meth:`services.db.tx.Tx.raw`), so both families are translated:

- a broken constraint (SQLSTATE class 23) → :class:`~contracts.errors.Conflict`, naming it;
- a serialization failure or deadlock (40001, 40P01) → :class:`~contracts.errors.ConcurrentUpdate`;
- a value the database cannot take (class 22: out of range, NUL, bad encoding; or asyncpg
  refusing an argument, such as an integer beyond int64) → :class:`~contracts.errors.InvalidInput`.

Anything else is left alone: it is a fault, answered as a 500 and logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from asyncpg.exceptions import PostgresError
from asyncpg.exceptions._base import DataError as ArgumentError
from sqlalchemy.exc import DBAPIError

from contracts.errors import ConcurrentUpdate, Conflict, InvalidInput, KulakanError


def _driver_error(exc: BaseException) -> BaseException:
    """The asyncpg exception behind a SQLAlchemy one (or ``exc`` itself)."""
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        return getattr(orig, "__cause__", None) or orig or exc
    return exc


def translate(exc: BaseException) -> KulakanError | None:
    """The contracts error that ``exc`` means, or None when it is not a client's doing."""
    driver = _driver_error(exc)
    if isinstance(driver, ArgumentError):
        return InvalidInput(f"a value does not fit the database: {driver}")
    sqlstate = getattr(driver, "sqlstate", None) or getattr(
        getattr(exc, "orig", None), "sqlstate", None
    )
    if not isinstance(sqlstate, str):
        return None
    if sqlstate.startswith("23"):
        constraint = getattr(driver, "constraint_name", None)
        detail = "The change conflicts with existing data"
        if constraint:
            detail += f" ({constraint})"
        return Conflict(detail, extra={"constraint": constraint})
    if sqlstate in ("40001", "40P01"):
        return ConcurrentUpdate("Please retry the request")
    if sqlstate.startswith("22"):
        message = driver.args[0] if isinstance(driver, PostgresError) and driver.args else ""
        return InvalidInput(f"a value does not fit the database: {message}".rstrip(": "))
    return None


@contextmanager
def translated() -> Iterator[None]:
    """Raise the contracts error a driver error means (``from`` the driver error)."""
    try:
        yield
    except KulakanError:
        raise
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None:
            raise
        raise mapped from exc
