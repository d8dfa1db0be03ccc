"""Output formats: JSON lines, CSV with the record's columns, and tables aligned for CJK text."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from metrics.figures import RECORD_FIELDS
from metrics.output import display_width, format_table, write_records

REC = {k: None for k in RECORD_FIELDS} | {
    "doc": "a.txt", "metric": "complaints", "value": Decimal("23000"), "unit": "件", "region_name": "山西省",
    "year": 2023, "subject": "食品类投诉举报", "token": "2.3万件",
}


def test_display_width_counts_cjk_double() -> None:
    assert display_width("山西省") == 6
    assert display_width("abc") == 3
    assert display_width("2.3万件") == 7


def test_table_columns_line_up_with_chinese() -> None:
    rows = [REC, REC | {"region_name": "全国", "subject": ""}]
    lines = format_table(rows, ["region_name", "value", "subject"]).splitlines()
    assert len(lines) == 4
    value_col = [display_width(line[: line.index(v)]) for line, v in zip(lines[2:], ["23000", "23000"], strict=True)]
    assert value_col[0] == value_col[1]


def test_csv_has_header_and_exact_values() -> None:
    buf = io.StringIO()
    write_records([REC], "csv", buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows[0] == list(RECORD_FIELDS)
    assert rows[1][RECORD_FIELDS.index("value")] == "23000"
    assert rows[1][RECORD_FIELDS.index("yoy_pct")] == ""


def test_jsonl_one_object_per_record() -> None:
    buf = io.StringIO()
    write_records([REC, REC], "jsonl", buf)
    objs = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [o["value"] for o in objs] == [23000, 23000]
