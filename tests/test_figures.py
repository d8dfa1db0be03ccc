"""Figure records serialise exactly: decimals stay decimal, dates become ISO strings."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from metrics.figures import RECORD_FIELDS, Figure, decimal_text, json_number, record_to_json


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1.35E+8"), "135000000"),
        (Decimal("98.160"), "98.16"),
        (Decimal("2354.48") * 10000, "23544800"),
        (Decimal("0.43"), "0.43"),
        (Decimal("5036.96"), "5036.96"),
        (Decimal("100"), "100"),
    ],
)
def test_decimal_text_is_plain_and_exact(value: Decimal, text: str) -> None:
    assert decimal_text(value) == text
    assert str(json_number(value)) == text


def test_record_to_json_round_trip() -> None:
    fig = Figure(
        metric="fines_confiscations", value=Decimal("2354.48") * 10000, unit="元", token="2354.48万余元",
        char_start=10, char_end=19, quote="罚没款2354.48万余元", sentence_start=7, sentence_end=20,
        rule="money", confidence=0.9, approx="over", region_code="340000", region_name="安徽省",
        region_level="province", year=2019, period_kind="year", period_start=date(2019, 1, 1),
        period_end=date(2019, 12, 31), yoy_pct=Decimal("-3.1"), subject="食品", doc="002.txt",
    )
    rec = fig.to_record()
    assert tuple(rec) == RECORD_FIELDS
    line = record_to_json(rec)
    assert "2354.48万余元" in line  # Chinese kept readable, not \u-escaped
    back = json.loads(line)
    assert back["value"] == 23544800
    assert back["yoy_pct"] == -3.1
    assert back["period_start"] == "2019-01-01"
    assert back["approx"] == "over"
