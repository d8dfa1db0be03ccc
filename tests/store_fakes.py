"""A tiny stand-in extractor for store tests, so ingest logic is tested apart from extraction quality.

Documents are written by `write_report`; `fake_extract` reads them with the real document reader
and finds sentences "YYYY年<period>，<省>罚没款N元" / "受理投诉N件" with plain regexes.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from metrics import regions
from metrics.documents import read_document
from metrics.figures import Figure

_METRIC = {"罚没款": ("fines_confiscations", "元"), "受理投诉": ("complaints", "件")}
_SENTENCE = re.compile(r"(\d{4})年(全年|1-(\d+)月)?，(\w+?省)(罚没款|受理投诉)(\d+(?:\.\d+)?)(元|件)(?:（(\w+)）)?。")
_DATE = re.compile(r"发布日期：(\d{4}-\d{2}-\d{2})")


def write_report(path: Path, published: str, *statements: str) -> Path:
    """A report file: a title line, a publication date and one sentence per statement."""
    path.write_text(f"{path.stem}工作报告\n发布日期：{published}\n" + "\n".join(statements) + "\n", encoding="utf-8")
    return path


def fake_extract(path: Path) -> SimpleNamespace:
    """A FileResult-like object: raw document and an extraction with meta and figures."""
    raw = read_document(path)
    figures = []
    for m in _SENTENCE.finditer(raw.text):
        year, period, month, province, word, number, unit, subject = m.groups()
        metric, base = _METRIC[word]
        region = regions.lookup(province)
        y = int(year)
        kind = "ytd" if month else "year"
        mm = int(month) if month else 12
        end = date(y, mm, calendar.monthrange(y, mm)[1])
        figures.append(Figure(
            metric=metric, value=Decimal(number), unit=base, token=number + unit,
            char_start=m.start(6), char_end=m.end(7), quote=m.group(0), sentence_start=m.start(), sentence_end=m.end(),
            rule="fake", confidence=0.5 if subject else 0.9, region_code=region.code if region else None,
            region_name=province, region_level="province", year=y, period_kind=kind,
            period_start=date(y, 1, 1), period_end=end, subject=subject or "", doc=raw.name,
        ))
    published = _DATE.search(raw.text)
    meta = SimpleNamespace(title=raw.text.splitlines()[0], publisher=None, date_source="text", genre="report",
                           published_on=date.fromisoformat(published.group(1)) if published else None, region=None)
    return SimpleNamespace(raw=raw, extraction=SimpleNamespace(meta=meta, figures=figures))


def two_province_db(d: Path) -> Path:
    """A database in `d` of two fake reports (Fujian 2020/2021, Guangdong 2020) ingested with fake_extract."""
    from metrics.ingest import ingest

    (d / "raw").mkdir()
    files = [
        write_report(d / "raw" / "fj.txt", "2021-02-01", "2020年全年，福建省罚没款23544800.5元。", "2021年，福建省受理投诉3件。"),
        write_report(d / "raw" / "gd.txt", "2021-03-01", "2020年，广东省罚没款5000元。"),
    ]
    out = d / "regmetrics.duckdb"
    ingest(files, out, workers=1, extractor=fake_extract, corrections=d / "none.csv")
    return out


def dying_extract(path: Path) -> object:
    """The real extractor, except that a file named die* ends the process at once (a worker that dies)."""
    import os

    from metrics.pipeline import extract_file

    if Path(path).name.startswith("die"):
        os._exit(3)
    return extract_file(path)


def published_contents(db: Path) -> dict[str, list[tuple]]:
    """Every row of the tables a publish writes, sorted; documents without ingested_at (the time of the run)."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS db (READ_ONLY)", [str(db)])
        out = {t: sorted(con.execute(f"SELECT * FROM db.{t}").fetchall(), key=repr)  # noqa: S608 - fixed names
               for t in ("figures_raw", "figures", "headline", "coverage", "regions", "metrics")}
        out["documents"] = sorted(con.execute("SELECT * EXCLUDE (ingested_at) FROM db.documents").fetchall(), key=repr)
    finally:
        con.close()
    return out
