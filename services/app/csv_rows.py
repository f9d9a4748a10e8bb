"""Reading a CSV file into checked rows: decoding (UTF-8, no control characters), one
converter per cell, and every error as "line N, column C: message"; a file with any error
imports nothing (:func:`import_failed`)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import msgspec

from contracts.errors import InvalidInput, KulakanError


class ImportError_(InvalidInput):
    code = "import-failed"
    title = "Import failed"


class RowError(msgspec.Struct, frozen=True):
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)


def yes_no(value: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1", "yes", "ya", "y"):
        return True
    if v in ("false", "0", "no", "tidak", "n", ""):
        return False
    raise ValueError("expected true or false")


def decimal_cell(value: str) -> Decimal:
    try:
        return Decimal(value.strip().replace("_", ""))
    except InvalidOperation as exc:
        raise ValueError("expected a number") from exc


def int_cell(value: str) -> int:
    v = value.strip().replace("_", "")
    if not re.fullmatch(r"-?\d+", v):
        raise ValueError("expected a whole number")
    return int(v)


def optional(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda v: None if v.strip() == "" else convert(v)


# column -> (required, converter)
Columns = dict[str, tuple[bool, Callable[[str], Any]]]
S = TypeVar("S", bound=msgspec.Struct)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_csv(data: bytes, kind: str = "file") -> str:
    """The file's text (UTF-8, a byte-order mark allowed); raise ImportError_ naming the line
    and column of the first byte that is not UTF-8 (a Latin-1 or Windows-1252 export)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        before = data[line_start : exc.start].decode("utf-8-sig", errors="replace")
        header_end = data.find(b"\n")
        header_bytes = data[: header_end if header_end >= 0 else len(data)]
        header = next(csv.reader([header_bytes.decode("utf-8-sig", errors="replace")]), [])
        index = len(next(csv.reader([before]), [""])) - 1 if before else 0
        column = header[index].strip() if line > 1 and index < len(header) else str(index + 1)
        message = (
            f"byte 0x{data[exc.start]:02X} is not UTF-8; save the file as UTF-8 "
            "(it looks like Latin-1 or Windows-1252)"
        )
        raise import_failed(kind, [RowError(line, column, message)]) from None


def parse_rows(
    text: str,
    columns: Columns,
    target: type[S],
    shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> tuple[list[tuple[int, S]], list[RowError]]:
    """Parse and validate every row; returns ([(line, struct)], errors)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    errors = [
        RowError(1, name, "missing column")
        for name, (required, _) in columns.items()
        if required and name not in header
    ]
    if errors:
        return [], errors
    out: list[tuple[int, S]] = []
    for row in _rows(reader, errors):
        line = reader.line_num
        values: dict[str, Any] = {}
        bad = False
        for name, (required, convert) in columns.items():
            raw = row.get(name)
            if raw is None:
                continue
            if required and raw.strip() == "":
                errors.append(RowError(line, name, "required"))
                bad = True
                continue
            control = _CONTROL.search(raw)
            if control:
                what = "a NUL byte" if control[0] == "\x00" else "a control character"
                errors.append(RowError(line, name, f"contains {what} (0x{ord(control[0]):02X})"))
                bad = True
                continue
            try:
                values[name] = convert(raw)
            except (ValueError, json.JSONDecodeError) as exc:
                errors.append(RowError(line, name, str(exc).split("\n")[0]))
                bad = True
        if bad:
            continue
        values = {k: v for k, v in values.items() if v is not None and v != ""}
        if shape is not None:
            values["_pack_name"] = (row.get("pack_name") or "").strip()
            values = shape(values)
        try:
            out.append((line, msgspec.convert(values, target, strict=False)))
        except msgspec.ValidationError as exc:
            m = _AT.match(str(exc))
            path = (m["path"] or "").lstrip(".") if m else ""
            column = path.split(".")[0].split("[")[0] or "?"
            if column in ("packs",):
                column = "units_per_pack" if "units_per_pack" in path else "pack_name"
            elif column == "ceilings":
                column = "het_idr"
            errors.append(RowError(line, column, m["msg"] if m else str(exc)))
    return out, errors


def _rows(reader: csv.DictReader, errors: list[RowError]) -> Iterable[dict[str, Any]]:
    """The reader's rows; a row the csv module cannot read ends the file with an error."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(reader.line_num, "?", str(exc)))
            return


def import_failed(kind: str, errors: list[RowError]) -> ImportError_:
    lines = "; ".join(str(e) for e in errors[:50])
    more = f" (and {len(errors) - 50} more)" if len(errors) > 50 else ""
    return ImportError_(
        f"{kind}: {len(errors)} error(s), nothing imported: {lines}{more}",
        extra={"row_errors": [msgspec.structs.asdict(e) for e in errors]},
    )


def row_errors_of(line: int, exc: KulakanError) -> list[RowError]:
    if not exc.errors:
        return [RowError(line, "?", exc.detail)]
    return [RowError(line, e.pointer.strip("/").split("/")[0] or "?", e.detail) for e in exc.errors]
