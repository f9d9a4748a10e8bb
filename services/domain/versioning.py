"""Versions of changeable resources: their ETag and the If-Match rule (412 on a stale version)."""

from __future__ import annotations

from contracts.errors import VersionMismatch


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Refuse a state change when ``If-Match`` names another version (412)."""
    if if_match is None:
        return
    candidates = [c.strip() for c in if_match.split(",")]
    if "*" in candidates:
        return
    wanted = etag(version)
    if not any(c.removeprefix("W/") == wanted for c in candidates):
        raise VersionMismatch(
            f"the resource is at version {version}; If-Match named {if_match}",
            extra={"current_version": version},
        )
