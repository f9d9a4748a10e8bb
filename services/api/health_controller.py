"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from litestar import Controller, get
from litestar.response import Response
from sqlalchemy import text

from services.api.problems import problem
from services.bootstrap import Container


class HealthController(Controller):
    path = "/health"
    tags = ["health"]
    opt = {"public": True}

    @get("/live", summary="The process is up")
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready", summary="The database answers")
    async def ready(self, container: Container) -> Response:
        try:
            async with asyncio.timeout(2):
                async with container.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means not ready
            return problem(503, "not-ready", "Not ready", f"database: {type(exc).__name__}")
        return Response({"status": "ok", "database": "ok"})
