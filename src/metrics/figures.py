"""The Figure record: one headline number with its metric, region, period, scope and provenance."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# Column order of `regmetrics extract` output, the DuckDB `figures` table and figures.csv exports.
RECORD_FIELDS: tuple[str, ...] = (
    "doc", "metric", "value", "unit", "approx",
    "region_code", "region_name", "region_level",
    "year", "period_kind", "period_start", "period_end",
    "yoy_pct", "subject", "token", "quote", "char_start", "char_end",
    "sentence_start", "sentence_end", "rule", "confidence",
)

APPROX_VALUES = ("", "over", "about", "under")
PERIOD_KINDS = ("year", "ytd", "quarter", "month", "multi_year", "point", "unknown")
REGION_LEVELS = ("country", "province", "prefecture", "county")


@dataclass(slots=True)
class Figure:
    """One figure as stated in a document.

    value is an exact Decimal in the metric's base unit (元, 件, 户, 批次; % as 0-100).
    char_start/char_end delimit the number's token (e.g. "2354.48万余元") in the document's stored
    text; sentence_start/sentence_end delimit `quote` in the same text.
    """

    metric: str
    value: Decimal
    unit: str
    token: str
    char_start: int
    char_end: int
    quote: str
    sentence_start: int
    sentence_end: int
    rule: str
    confidence: float
    approx: str = ""
    region_code: str | None = None
    region_name: str | None = None
    region_level: str | None = None
    year: int | None = None
    period_kind: str = "unknown"
    period_start: date | None = None
    period_end: date | None = None
    yoy_pct: Decimal | None = None
    subject: str = ""
    doc: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """A flat dict in RECORD_FIELDS order; Decimals and dates kept as Python objects."""
        d = asdict(self)
        return {k: d[k] for k in RECORD_FIELDS}


def _json_default(o: Any) -> Any:
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def decimal_text(d: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: Decimal('1.35E+8') -> '135000000'."""
    t = format(d.normalize(), "f")
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    return t


def json_number(d: Decimal) -> int | float:
    """The JSON number for an exact Decimal: an int when integral, else the shortest float that
    prints as the same decimal text (exact for the <=15 significant digits reports use)."""
    t = decimal_text(d)
    return int(t) if "." not in t else float(t)


def record_to_json(record: dict[str, Any]) -> str:
    """One JSON line; Decimals become exact JSON numbers, dates ISO strings, Chinese kept as is."""
    out = {k: (json_number(v) if isinstance(v, Decimal) else v) for k, v in record.items()}
    return json.dumps(out, ensure_ascii=False, default=_json_default)
