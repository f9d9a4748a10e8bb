"""The ASGI pieces the request middlewares share: a middleware that only looks at HTTP
requests, and a ``receive`` that hands out a body already read."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Receive, ReceiveMessage, Scope, Send


class HTTPMiddleware:
    """Passes everything but HTTP requests straight on; HTTP requests go to :meth:`handle`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` whose first message is the whole ``body``, then whatever ``receive`` says."""
    sent = False

    async def replay() -> ReceiveMessage:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
