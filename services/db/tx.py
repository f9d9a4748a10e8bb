"""One database transaction per request (or per job), opened on first use.

Hot paths use the asyncpg connection directly (:meth:`Tx.raw`); registry paths use an ORM
session bound to the same connection (:meth:`Tx.session`). Whoever made the ``Tx`` commits or
rolls it back; handlers never commit. A commit the database refuses (a deferred constraint,
a serialization failure) raises the matching ``contracts.errors`` error (:mod:`services.db.errors`).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from contracts.errors import Conflict
from services.db.errors import translated
from services.db.idempotency import IdempotencyClaim


class Tx:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._session: AsyncSession | None = None
        # an Idempotency-Key claim left for the use case to fold into its first statement
        self.pending_claim: IdempotencyClaim | None = None
        self.claim_taken = False
        # the response a use case stored with the claim, which the handler sends as it is
        self.stored_response: bytes | None = None

    def take_claim(self) -> IdempotencyClaim | None:
        """The pending claim, which the caller now makes (see :mod:`services.db.idempotency`)."""
        claim, self.pending_claim = self.pending_claim, None
        return claim

    def refuse_claim(self) -> Conflict:
        """The taken claim found the key held by another request: the error to raise. The
        middleware answers with that request's stored response instead."""
        self.claim_taken = True
        return Conflict("this Idempotency-Key is held by another request")

    @property
    def started(self) -> bool:
        return self._conn is not None

    async def connection(self) -> AsyncConnection:
        if self._conn is not None and not self._conn.in_transaction():
            await self._conn.begin()  # opened by raw_autocommit: a transaction from here on
        if self._conn is None:
            conn = await self._engine.connect()
            try:
                await conn.begin()
            except BaseException:
                await conn.close()
                raise
            self._conn = conn
        return self._conn

    async def raw(self) -> Any:
        """The asyncpg connection inside this transaction (``Any``: asyncpg ships no types)."""
        conn = await self.connection()
        adapted = (await conn.get_raw_connection()).dbapi_connection
        if not isinstance(adapted, AsyncAdapt_asyncpg_connection):
            raise TypeError("Tx.raw needs the postgresql+asyncpg dialect")
        # SQLAlchemy's asyncpg adapter sends BEGIN lazily, on its own first statement; a
        # statement sent straight to the driver would run outside the transaction. There is no
        # public way to begin it without sending a statement (one more round trip per
        # transaction), so this uses the adapter's own flag and method; SQLAlchemy is pinned
        # below 2.1 and test_raw_driver_statements_roll_back_with_the_transaction guards it.
        if not adapted._started:
            await adapted._start_transaction()
        return adapted.driver_connection

    async def raw_autocommit(self) -> Any:
        """The asyncpg connection, in this transaction if one is open, else outside any: each
        statement then commits by itself (for a use case that is one atomic statement)."""
        if self._conn is None:
            self._conn = await self._engine.connect()
        if self._conn.in_transaction():
            return await self.raw()
        return (await self._conn.get_raw_connection()).driver_connection

    async def session(self) -> AsyncSession:
        if self._session is None:
            conn = await self.connection()
            self._session = AsyncSession(
                bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        return self._session

    async def commit(self) -> None:
        if self._conn is None:
            return
        try:
            with translated():
                if self._session is not None:
                    await self._session.flush()
                await self._conn.commit()
        finally:
            await self._close()

    async def rollback(self) -> None:
        if self._conn is None:
            return
        try:
            await self._conn.rollback()
        finally:
            await self._close()

    async def _close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> Tx:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.commit()
        else:
            await self.rollback()
