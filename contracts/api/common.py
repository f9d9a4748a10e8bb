"""Pieces shared by the API bodies."""

from __future__ import annotations

from typing import Annotated

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, msgspec.Meta(max_length=500)]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 ()-]{6,20}$", max_length=30)]
TimeZone = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^Asia/(Jakarta|Makassar|Jayapura)$",
        description="IANA zone: Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)",
    ),
]
Fraction = Annotated[str, msgspec.Meta(pattern=r"^0(\.\d{1,4})?$|^1(\.0{1,4})?$")]


class Body(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A request body we own: unknown fields are an error, not silently dropped."""


class Out(msgspec.Struct, kw_only=True):
    """A response body."""
