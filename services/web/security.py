"""Cookies and CSRF for the console.

The session cookie is HttpOnly and SameSite=Lax, and Secure when the request came over HTTPS
(or ``KULAKAN_COOKIE_SECURE=1``). The CSRF cookie is HttpOnly too: pages put the token in each
form (``_csrf_token``) and, for htmx, in the ``X-CSRFToken`` header, never read by script.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie

from services.domain.web_session import ABSOLUTE_LIFETIME
from services.settings import Settings

SESSION_COOKIE = "kulakan_session"
CSRF_COOKIE = "kulakan_csrf"
CSRF_HEADER = "x-csrftoken"


def secret_key(settings: Settings) -> str:
    """``KULAKAN_SECRET_KEY``, or one made once and kept in the data folder (one host). Several
    hosts behind one name must share ``KULAKAN_SECRET_KEY``."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        tmp.replace(path)  # atomic; two first starts agree on whichever landed last
    return path.read_text().strip()


def https_by_setting(settings: Settings) -> bool:
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return settings.public_base_url.startswith("https://")


def cookie_secure(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or https_by_setting(settings)


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=secret_key(settings),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=https_by_setting(settings),
        cookie_path="/",
    )


def session_cookie(token: str, *, secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(ABSOLUTE_LIFETIME.total_seconds()),
    )


def cleared_session_cookie(*, secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value="",
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=0,
    )
