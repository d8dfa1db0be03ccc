"""The period in force at a number: a year-end review's year is the whole year, else the year so far."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.context import Doc
from metrics.doc_periods import in_year
from metrics.metadata import read_metadata
from metrics.prepare import prepare

TEXT = "杭州市2023年工作总结\n\n2023年，全市抽检食品1000批次。\n今年以来，全市受理投诉200件。\n"


def _period(published: date, number: str) -> tuple[str, date | None, date | None]:
    prep = prepare(TEXT)
    d = Doc(prep, read_metadata(prep, "x.txt"), published)
    pos = d.norm.index(number)
    period, stated = d.period_at(pos, d.paragraph(pos)[0])
    assert stated
    return period.kind, period.start, period.end


@pytest.mark.parametrize(
    ("published", "number", "expected"),
    [
        # published in the year's last fortnight: a summary's "2023年" is the whole year, 今年以来 the year so far
        (date(2023, 12, 20), "1000", ("year", date(2023, 1, 1), date(2023, 12, 31))),
        (date(2023, 12, 20), "200", ("ytd", date(2023, 1, 1), date(2023, 12, 20))),
        # published mid-year: this year is the year so far
        (date(2023, 7, 1), "1000", ("ytd", date(2023, 1, 1), date(2023, 7, 1))),
    ],
)
def test_period_at(published: date, number: str, expected: tuple) -> None:
    assert _period(published, number) == expected


def test_in_year_keeps_the_day_or_the_last_of_february() -> None:
    assert in_year(date(2024, 2, 29), 2023) == date(2023, 2, 28)
    assert in_year(date(2024, 3, 31), 2022) == date(2022, 3, 31)
