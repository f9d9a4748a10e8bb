"""Answering in JSON, CSV or HTML: ``?format=`` wins, else the ``Accept`` header, else JSON."""

from __future__ import annotations

from litestar import Request, Response

MEDIA = {"csv": "text/csv", "html": "text/html"}
XML = "application/xml"
_NEGOTIATED = ("application/json", XML, "text/xml")


def chosen_format(request: Request, format: str | None, offered: tuple[str, ...]) -> str:
    """``format`` if given, else the first of ``offered`` the client accepts, else json."""
    if format:
        return format
    accept = request.headers.get("accept", "")
    return next((f for f in offered if MEDIA[f] in accept), "json")


def csv_response(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv",  # Litestar adds "; charset=utf-8" to every text/*
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def html_response(html: str, status_code: int = 200) -> Response:
    return Response(html, media_type="text/html", status_code=status_code)


def wants_xml(request: Request) -> bool:
    """Whether the client's ``Accept`` names XML before JSON (a UBL document instead)."""
    accept = [
        part.split(";")[0].strip().lower() for part in request.headers.get("accept", "").split(",")
    ]
    return next((m for m in accept if m in _NEGOTIATED), "") in (XML, "text/xml")


def xml_response(body: bytes, headers: dict[str, str] | None = None) -> Response:
    return Response(body, media_type=XML, headers=headers or {})
