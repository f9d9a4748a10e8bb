"""The web face of kulakan: server-rendered pages (Jinja + htmx) on the same use cases as the
JSON API. ``web_parts`` gives the application factory what to mount."""

from services.web.app import WebParts, web_parts

__all__ = ["WebParts", "web_parts"]
