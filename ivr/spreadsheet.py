"""CSV the way Swedish Excel opens it: semicolons between fields, decimal commas, UTF-8 with a byte-order mark."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

BOM = "\ufeff"


def excel_value(value: object) -> str:
    """One field as Swedish Excel reads it: 12,5 for a decimal, ja/nej for a truth value, empty for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float | Decimal):
        return format(value, "f").rstrip("0").rstrip(".").replace(".", ",") if value % 1 else f"{int(value)}"
    return str(value)


def excel_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A header and rows as a CSV file for Swedish Excel (UTF-8 with BOM, `;`, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([excel_value(v) for v in row])
    return (BOM + buffer.getvalue()).encode("utf-8")
