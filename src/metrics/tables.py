"""Plain-text tables (tab- or space-separated rows, as a docx, html or notice gives them): header and
numeric rows cut into cells, so the extractor can read a figure from a column or row heading.

Two shapes are read: year columns ("指标 | 2024年 | 2023年 | 同比", each row a metric with its unit in
brackets) and metric columns ("序号 | 食品类别 | 抽检批次 | 合格批次 | 不合格批次", each row a category).
Anything else is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# A gap between cells; a line without one is no table line.
_GAP = re.compile(r"\S[ \t]+\S")
# A cell: a run of non-blank characters (a tab or spaces separate cells).
_CELL = re.compile(r"[^\s]+")
# A numeric cell: 68,214 / 3,164.8 / 13.9% / 0. Not a year, not a code.
_NUMBER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?%?|[0-9]+(?:\.[0-9]+)?%?")
# A header cell naming a calendar year: 2024年, 2023年度.
YEAR_HEADER = re.compile(r"((?:19|20)[0-9]{2})年度?")
# A year-on-year column heading.
YOY_HEADER = re.compile(r"同比(?:增[长减]|增幅)?(?:[(（]%[)）])?|增[长减]率?|增幅")
# A row number column heading or a total row.
INDEX_HEADER = re.compile(r"序号|编号")
TOTAL_LABEL = re.compile(r"合计|总计|全部|小计")
# The unit a label or heading states in brackets: 罚没款（万元）, 新登记经营主体（户）.
UNIT_IN_BRACKETS = re.compile(r"[(（](万元|亿元|元|万户|户|家|万件|件|起|条|个|批次|批|%)[)）]")

MIN_ROWS = 2


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a table line, with its offsets in the text."""

    start: int
    end: int
    text: str

    @property
    def number(self) -> Decimal | None:
        """The cell's value when it is a plain number (a trailing % kept out)."""
        if not _NUMBER.fullmatch(self.text):
            return None
        return Decimal(self.text.rstrip("%").replace(",", ""))


@dataclass(frozen=True, slots=True)
class Table:
    """A header line and the numeric rows under it, all with the same number of cells."""

    header: list[Cell]
    rows: list[list[Cell]]
    row_spans: list[tuple[int, int]]


def _cells(norm: str, start: int, end: int) -> list[Cell]:
    return [Cell(m.start(), m.end(), m.group()) for m in _CELL.finditer(norm, start, end)]


def find_tables(norm: str, lines: list[tuple[int, int]]) -> list[Table]:
    """Tables among consecutive lines: a header of at least three text cells, then at least two rows
    with the same number of cells of which at least two are numbers."""
    out: list[Table] = []
    i = 0
    while i < len(lines):
        s, e = lines[i]
        if e - s > 120 or i + MIN_ROWS >= len(lines) or not _GAP.search(norm, s, e):
            i += 1
            continue
        header = _cells(norm, s, e)
        if len(header) < 3 or any(c.number is not None for c in header):
            i += 1
            continue
        rows, spans = [], []
        indexed = bool(INDEX_HEADER.fullmatch(header[0].text))
        j = i + 1
        while j < len(lines):
            cells = _cells(norm, *lines[j])
            if indexed and len(cells) == len(header) - 1 and TOTAL_LABEL.fullmatch(cells[0].text):
                cells = [Cell(cells[0].start, cells[0].start, ""), *cells]  # "合计 632 619 13": no row number
            if len(cells) != len(header) or sum(c.number is not None for c in cells) < 2:
                break
            rows.append(cells)
            spans.append(lines[j])
            j += 1
        if len(rows) >= MIN_ROWS:
            out.append(Table(header, rows, spans))
            i = j
        else:
            i += 1
    return out
