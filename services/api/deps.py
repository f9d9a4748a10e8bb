"""Dependencies controllers ask for by name: ``tx``, ``principal``, ``container``, ``now``, and
``ctx`` (all four at once) and ``page`` (a list's limit and cursor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from litestar import Request
from litestar.di import Provide

from contracts.errors import Unauthorized
from services.api.paging import provide_page_query
from services.auth import Principal, Role
from services.bootstrap import Container
from services.db.tx import Tx


def provide_tx(request: Request) -> Tx:
    return request.scope["state"]["tx"]


def provide_principal(request: Request) -> Principal:
    principal = request.scope.get("state", {}).get("principal")
    if principal is None:
        raise Unauthorized("missing Authorization: Bearer <api key>")
    return principal


def provide_container(request: Request) -> Container:
    return request.app.state.container


def provide_now(request: Request) -> datetime:
    return request.app.state.container.clock()


@dataclass(frozen=True, slots=True)
class Ctx:
    """An authenticated request's transaction, caller, container and time."""

    tx: Tx
    principal: Principal
    container: Container
    now: datetime


def provide_ctx(request: Request) -> Ctx:
    """All four from the request at once: one dependency, not four to resolve (a handler taking
    ``ctx`` is the hot path of every JSON route)."""
    container = request.app.state.container
    return Ctx(
        tx=request.scope["state"]["tx"],
        principal=provide_principal(request),
        container=container,
        now=container.clock(),
    )


DEPENDENCIES = {
    "tx": Provide(provide_tx, sync_to_thread=False),
    "principal": Provide(provide_principal, sync_to_thread=False),
    "container": Provide(provide_container, sync_to_thread=False),
    "now": Provide(provide_now, sync_to_thread=False),
    "ctx": Provide(provide_ctx, sync_to_thread=False),
    "page": Provide(provide_page_query, sync_to_thread=False),
}


def admin_only(principal: Principal) -> None:
    principal.require(Role.ADMIN)
