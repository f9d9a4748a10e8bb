"""The identity of a warung's restock line: the request it belongs to and its number there.

Consolidation keeps these ids to trace a bulk line to its warungs; break-bulk orders lines by
them, so ties go to the earlier request and then the lower line number.
"""

from __future__ import annotations

from typing import NamedTuple


class LineId(NamedTuple):
    request_id: int
    line_no: int
