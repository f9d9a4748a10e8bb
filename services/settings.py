"""Settings from the environment (``KULAKAN_*``). Only :mod:`services.bootstrap` reads them."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None  # None: start the embedded PostgreSQL in data_dir
    data_dir: Path = Path(".kulakan")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    log_json: bool | None = None  # None: JSON when stdout is not a TTY
    log_level: str = "INFO"
    db_pool_size: int = 20  # connections each process keeps open (no overflow)
    db_pgbouncer: bool = False  # behind PgBouncer in transaction mode: no named statements
    api_key_cache_seconds: float = 60.0  # revocations arrive by notification at once
    idempotency_ttl_hours: int = 24
    outbox_max_attempts: int = 8
    supplier_timeout_seconds: float = 10.0
    quote_deadline_seconds: float = 20.0
    language: str = "id"  # the console's language: "id" (Bahasa Indonesia) or "en"
    cookie_secure: bool | None = None  # None: Secure cookies when served over HTTPS
    secret_key: str | None = None  # signs CSRF tokens; None: one kept in data_dir/secret-key

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"KULAKAN_{name.upper()}")
            return value if value not in (None, "") else None

        values: dict[str, object] = {}
        for field in msgspec.structs.fields(cls):
            raw = get(field.name)
            if raw is None:
                continue
            values[field.name] = raw
        return msgspec.convert(values, cls, strict=False, dec_hook=_dec_hook)


def _dec_hook(tp: type, obj: object) -> object:
    if tp is Path and isinstance(obj, str):
        return Path(obj)
    raise NotImplementedError
