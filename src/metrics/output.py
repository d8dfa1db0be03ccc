"""Write figure records as JSON lines, CSV or an aligned terminal table."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from metrics.figures import RECORD_FIELDS, decimal_text, record_to_json

TABLE_COLUMNS = ("doc", "metric", "value", "unit", "approx", "region_name", "year", "period_kind",
                 "yoy_pct", "subject", "token")


def cell_text(v: Any) -> str:
    """A value as plain text for CSV and tables (exact decimals, ISO dates, '' for None)."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return decimal_text(v)
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def display_width(s: str) -> int:
    """Terminal columns a string takes: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def format_table(rows: list[dict[str, Any]], columns: Iterable[str]) -> str:
    """An aligned plain-text table that lines up Chinese text in a terminal."""
    columns = list(columns)
    cells = [[cell_text(r.get(c)).replace("\n", " ") for c in columns] for r in rows]
    widths = [max([display_width(c)] + [display_width(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = []
    for row in [columns, ["-" * w for w in widths], *cells]:
        lines.append("  ".join(v + " " * (w - display_width(v)) for v, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def write_records(records: list[dict[str, Any]], fmt: str, out: TextIO) -> None:
    """Write records in `fmt` (jsonl, csv or table) to `out`."""
    if fmt == "jsonl":
        for r in records:
            out.write(record_to_json(r) + "\n")
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(RECORD_FIELDS)
        for r in records:
            w.writerow([cell_text(r.get(k)) for k in RECORD_FIELDS])
    elif fmt == "table":
        out.write(format_table(records, TABLE_COLUMNS))
    else:
        raise ValueError(f"unknown format {fmt!r}: use jsonl, csv or table")
