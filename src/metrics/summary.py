"""Chinese summary sentences written from query frames, and the number formats they and the charts share.

Every sentence is built from the rows it describes; a comparison across unlike periods (全年 against
1–8月) says so. The result is plain text: notebooks show it with briefing.show_text, which escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

APPROX_WORDS = {"over": "逾", "about": "约", "under": "不足", "": ""}
LEVEL_WORDS = {"province": "省份", "prefecture": "地市", "county": "区县", "country": "地区"}
PERIOD_GROUPS = {"year": "全年", "ytd": "年内累计", "quarter": "年内累计", "month": "单月",
                 "point": "时点", "multi_year": "多年", "unknown": "期间不明"}
# Counting units scaled to 万/亿 for large values; 元 too. Rates (%) and small units stay as they are.
SCALABLE_UNITS = ("元", "件", "户", "批次", "人次", "家", "个", "次", "人", "吨", "份", "起", "宗", "条")


@dataclass(frozen=True)
class Scale:
    """A display scale for a set of values: divide by `divisor`, label with `unit`."""

    divisor: float
    unit: str


def scale_for(values: list[float], unit: str) -> Scale:
    """The 万/亿 scale that keeps the largest value between 1 and 10 000 (元 → 亿元, 件 → 万件)."""
    unit = unit or ""
    top = max((abs(v) for v in values if v is not None), default=0.0)
    if unit not in SCALABLE_UNITS:
        return Scale(1.0, unit)
    if top >= 1e8:
        return Scale(1e8, "亿" + unit)
    if top >= 1e4:
        return Scale(1e4, "万" + unit)
    return Scale(1.0, unit)


def number_text(x: float, digits: int = 3) -> str:
    """`x` to `digits` significant figures, no exponent, no trailing zeros: 2.6, 37.86, 8532."""
    if x == 0:
        return "0"
    d = Decimal(repr(float(x)))
    q = round(d, max(0, digits - 1 - d.adjusted()))
    t = format(q, "f")
    return t.rstrip("0").rstrip(".") if "." in t else t


def value_text(value: float | None, unit: str, approx: str = "", scale: Scale | None = None) -> str:
    """A value as a reader writes it: 260000000 元 → '2.6亿元'; approx 'over' → '逾…'; % kept."""
    if value is None:
        return "—"
    s = scale or scale_for([value], unit)
    if unit == "%":
        body = f"{number_text(value, 4)}%"
    else:
        v = value / s.divisor
        body = number_text(v, 4) + s.unit if s.divisor > 1 else _plain(value) + (unit or "")
    return APPROX_WORDS.get(approx or "", "") + body


def _plain(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else number_text(v, 6)


def yoy_text(yoy: float | None) -> str:
    """'同比增长12.3%' / '同比下降4%' / '' when unknown."""
    if yoy is None:
        return ""
    if yoy == 0:
        return "与上年持平"
    return f"同比{'增长' if yoy > 0 else '下降'}{number_text(abs(yoy), 3)}%"


def period_group(kind: str | None) -> str:
    """The heat-map class of a period kind: 全年 / 年内累计 / 单月 / …"""
    return PERIOD_GROUPS.get(kind or "unknown", "期间不明")


def period_words(r: dict[str, Any]) -> str:
    """How a figure's period is named in a summary: '' for a full year; a year-to-date figure is
    '1–8月' and never 全年, even when it runs to December (often from a year-only publication date)."""
    kind, label = r.get("period_kind"), r.get("period_label") or ""
    if kind == "year":
        return ""
    if not label:
        return "期间不明"
    if kind == "ytd" and label.startswith("1–12月"):
        return f"{label}累计"
    return label


DECEMBER_NOTE = ("“1–12月累计”的数值多由“今年以来”一类说法和仅知年份的发布日期推得，截止日期未经确认，"
                 "不能当作全年数。")


def _december_note(rows: list[dict[str, Any]]) -> str:
    """DECEMBER_NOTE when a year-to-date figure among `rows` runs to December, else ''."""
    return DECEMBER_NOTE if any(r.get("period_kind") == "ytd" and period_words(r).startswith("1–12月")
                                for r in rows) else ""


def scope_words(r: dict[str, Any]) -> str:
    """'食品类投诉举报分项' for a figure about one subject, '' for a whole-scope figure."""
    subject = (r.get("subject") or "").strip()
    return f"“{subject}”分项" if subject else ""


def qualifiers(r: dict[str, Any]) -> str:
    """The scope and period of a figure in brackets when it is not a whole-scope full-year figure."""
    words = [w for w in (scope_words(r), period_words(r)) if w]
    return f"（{'，'.join(words)}）" if words else ""


def _rows(frame: Any) -> list[dict[str, Any]]:
    return frame.to_dicts() if hasattr(frame, "to_dicts") else list(frame)


def comparison_summary(frame: Any, metric_name: str, year: int, level: str = "province") -> str:
    """A short Chinese paragraph ranking the regions of one year, noting approximations and unlike periods.

    `frame` holds query.compare rows (one per region); rows of other years are ignored.
    """
    rows = [r for r in _rows(frame) if r.get("year") == year and r.get("value") is not None]
    what = LEVEL_WORDS.get(level, "地区")
    if not rows:
        return f"{year}年，所选{what}没有{metric_name}数据。"
    rows.sort(key=lambda r: (-float(r["value"]), str(r.get("region_code"))))
    unit = rows[0].get("unit") or ""
    scale = scale_for([float(r["value"]) for r in rows], unit)

    def say(r: dict[str, Any]) -> str:
        return value_text(float(r["value"]), unit, r.get("approx") or "", scale)

    period = qualifiers

    top = rows[0]
    parts: list[str] = []
    if len(rows) == 1:
        parts.append(f"{year}年，仅{top['region_name']}有{metric_name}数据：{say(top)}{period(top)}")
    else:
        first = f"{year}年，{top['region_name']}{metric_name}{say(top)}{period(top)}，为所比{what}最高"
        yoy = yoy_text(_float(top.get("yoy_pct")))
        parts.append(first + (f"，{yoy}" if yoy else ""))
        low = rows[-1]
        parts.append(f"{low['region_name']}最低，为{say(low)}{period(low)}")
        if len(rows) > 2:
            parts.append(f"共{len(rows)}个{what}有数据")
    text = "；".join(parts) + "。"

    kinds = {r.get("period_kind") for r in rows}
    if len(kinds) > 1 or kinds - {"year"}:
        partial = [r for r in rows if r.get("period_kind") != "year"]
        listed = "、".join(f"{r['region_name']}为{period_words(r)}" for r in partial[:6])
        more = "等" if len(partial) > 6 else ""
        if len(kinds) > 1:
            text += f"注意：{listed}{more}数据，与全年数据口径不同，不宜直接比较。"
        elif len({period_words(r) for r in rows}) > 1:
            text += f"注意：{listed}{more}数据，并非全年数，且各地期间不同，不宜直接比较。"
        else:
            text += f"注意：{listed}{more}数据，并非全年数。"
    text += _december_note(rows)
    scoped = [r for r in rows if scope_words(r)]
    if scoped:
        listed = "、".join(f"{r['region_name']}为{scope_words(r)}" for r in scoped[:6])
        more = "等" if len(scoped) > 6 else ""
        text += f"注意：{listed}{more}数据，只涵盖部分范围，并非全口径数，不宜与全口径数值直接比较。"
    approx = [r for r in rows if r.get("approx")]
    if approx:
        text += f"其中{len(approx)}个数值为约数（如“{say(approx[0])}”），排名仅供参考。"
    return text


def headline_sentence(frame: Any, metric_name: str, year: int, level: str = "province") -> str:
    """The one line a briefing opens with: how many regions have the figure, who is highest and lowest."""
    rows = sorted((r for r in _rows(frame) if r.get("year") == year and r.get("value") is not None),
                  key=lambda r: (-float(r["value"]), str(r.get("region_code"))))
    what = LEVEL_WORDS.get(level, "地区")
    if not rows:
        return f"{year}年{metric_name}：所选{what}都没有全口径数值。"
    def say(r: dict[str, Any]) -> str:  # each value in its own 万/亿 unit: 35.2亿元, 435.8万元
        return value_text(float(r["value"]), r.get("unit") or "", r.get("approx") or "") + qualifiers(r)

    top, low = rows[0], rows[-1]
    if len(rows) == 1:
        return f"{year}年{metric_name}：仅{top['region_name']}有数值，为{say(top)}。"
    return (f"{year}年{metric_name}：{len(rows)}个{what}有数值，{top['region_name']}最高（{say(top)}），"
            f"{low['region_name']}最低（{say(low)}）。")


# GB/T 2260 codes from 71 on are 台湾, 香港 and 澳门, whose figures these reports do not give: the
# provinces a province-level briefing counts are the 31 of the mainland.
MAINLAND_BELOW = "710000"


def expected_regions(level: str, regions: list[str] | None = None) -> list[tuple[str, str]]:
    """(code, name) of the regions a comparison could cover: the given ones, else the 31 mainland
    provinces at province level; other levels have no fixed list (empty)."""
    from metrics import regions as reg

    if regions:
        return [(c, getattr(reg.get(c), "name", c)) for c in regions]
    if level != "province":
        return []
    return sorted((r["code"], r["name"]) for r in reg.all_regions()
                  if r["level"] == "province" and r["valid_to"] is None and r["code"] < MAINLAND_BELOW)


def _names(items: list[tuple[str, str]]) -> str:
    return "、".join(name for _, name in items)


# A government work report delivered early in a year reviews the year before (guideline: "a report
# delivered in early 2025 that reviews 过去一年 → year 2024"); other documents speak of the year they
# are published in.
REVIEWS_PREVIOUS_YEAR = frozenset({"work_report"})


def reviewed_year(published_on: Any, genre: str | None) -> int | None:
    """The year a document reports on: its publication year, the year before for a work report."""
    if published_on is None:
        return None
    return published_on.year - 1 if genre in REVIEWS_PREVIOUS_YEAR else published_on.year


def reporting_sentence(frame: Any, documents: Any, metric_name: str, year: int, level: str = "province",
                       regions: list[str] | None = None) -> str:
    """Which regions report the metric for the year and which do not; of the latter, which have a
    document about that year in the database that gives no such figure, and which have none."""
    from metrics import regions as reg

    have = {r["region_code"] for r in _rows(frame) if r.get("year") == year and r.get("value") is not None}
    expected = expected_regions(level, regions)
    what = LEVEL_WORDS.get(level, "地区")
    if not expected:  # prefectures, counties: no fixed list, so only who has the figure
        return f"{year}年共有{len(have)}个{what}有{metric_name}的全口径数值。"
    covered: set[str] = set()
    for d in _rows(documents):
        code = d.get("region_code")
        if not code or reviewed_year(d.get("published_on"), d.get("genre")) != year:
            continue
        found = reg.province_of(code) if level == "province" and not regions else reg.get(code)
        if found is not None:
            covered.add(found.code)
    reporting = [(c, n) for c, n in expected if c in have]
    missing = [(c, n) for c, n in expected if c not in have]
    silent = [(c, n) for c, n in missing if c in covered]
    absent = [(c, n) for c, n in missing if c not in covered]
    scope = f"所选{len(expected)}个{what}" if regions else f"全国{len(expected)}个{what}"
    if reporting:
        text = f"{scope}中，{len(reporting)}个有{year}年{metric_name}的全口径数值：{_names(reporting)}。"
        if not missing:
            return text
        text += f"其余{len(missing)}个没有："
    else:
        text = f"{scope}都没有{year}年{metric_name}的全口径数值："
    parts = []
    if silent:
        parts.append(f"{len(silent)}个在库中有回顾{year}年的文件（当年发布的文件或次年的政府工作报告），"
                     f"但未从中读出该数值（{_names(silent)}）")
    if absent:
        parts.append(f"{len(absent)}个在库中没有这样的文件（{_names(absent)}）")
    return text + "；".join(parts) + "。"


def profile_summary(frame: Any, region_name: str, metric_names: dict[str, str]) -> str:
    """The latest whole-scope value of each metric for the region, then how many 分项/口径 figures follow.

    `frame` holds query.region_profile rows; with include_scoped=True its `headline` column marks the
    whole-scope figures, the others are about one subject and are never given as the region's total.
    """
    rows = [r for r in _rows(frame) if r.get("value") is not None]
    if not rows:
        return f"数据库中没有{region_name}的指标数据。"
    heads = [r for r in rows if r.get("headline", True) and not scope_words(r)]
    scoped = [r for r in rows if r not in heads]
    years = sorted({r["year"] for r in rows if r.get("year") is not None})
    span = f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年" if years else "各年"
    metrics = {r["metric"] for r in rows}
    text = f"{region_name}{span}共有{len(metrics)}项指标的{len(rows)}个数值。"
    if heads:
        latest: dict[str, dict[str, Any]] = {}
        for r in heads:
            m = r["metric"]
            if m not in latest or (r.get("year") or 0) > (latest[m].get("year") or 0):
                latest[m] = r
        parts = [f"{r.get('year')}年{metric_names.get(m, m)}"
                 f"{value_text(float(r['value']), r.get('unit') or '', r.get('approx') or '')}{qualifiers(r)}"
                 for m, r in sorted(latest.items())]
        text += f"全口径数值共{len(heads)}个，各指标最新：" + "；".join(parts) + "。"
    else:
        text += "其中没有全口径（全地区、不分项）的数值。"
    if scoped:
        names = "、".join(metric_names.get(m, m) for m in sorted({r["metric"] for r in scoped}))
        subjects = list(dict.fromkeys((r.get("subject") or "").strip() for r in scoped if r.get("subject")))
        shown = "、".join(f"“{x}”" for x in subjects[:3]) + ("等" if len(subjects) > 3 else "")
        text += (f"另有{len(scoped)}个分项/口径数值（{names}；如{shown}），只涵盖部分范围，"
                 f"不是{region_name}的总数，不宜与其他地区的总数比较。")
    partial = [r for r in rows if r.get("period_kind") != "year"]
    if partial:
        text += f"{len(partial)}个数值并非全年数（年内累计、单月等），见表中“期间”一栏。" + _december_note(partial)
    return text


def coverage_summary(frame: Any) -> str:
    """How many region-years have figures, and how many of them are full-year."""
    everything = _rows(frame)
    rows = [r for r in everything if r.get("period_kind") != "not_extracted"]
    left_out = len(everything) - len(rows)
    note = f"另有{left_out}个文件超出单个文件的处理时间或大小限制，未能抽取。" if left_out else ""
    if not rows:
        return "所选范围内没有数据。" + note
    cells = {(r["region_code"], r["year"]) for r in rows}
    full = {(r["region_code"], r["year"]) for r in rows if r.get("period_kind") == "year"}
    regions = {r["region_code"] for r in rows}
    return (f"共{len(regions)}个地区、{len(cells)}个“地区×年份”有数据，"
            f"其中{len(full)}个有全年数，其余只有年内累计、单月或其他口径的数据。" + note)


def metric_names(db: Any = None) -> dict[str, str]:
    """Chinese display name of each metric id (query.metric_names; kept here for older notebooks)."""
    from metrics import query

    return query.metric_names(db)


def _float(v: Any) -> float | None:
    return None if v is None else float(v)


def profile_chart_note(region_name: str, frame: Any, suggestions: list[tuple[str, str, int]]) -> str:
    """Why a region's profile has no chart (no whole-scope figures) and which `region` values would have one."""
    rows = _rows(frame)
    scoped = sum(1 for r in rows if not r.get("headline", True) or scope_words(r))
    others = "、".join(f"{name}（{code}）" for code, name, _ in suggestions[:6])
    what = f"下表列出其{scoped}个分项/口径数值，但不同分项不宜连成一条线" if scoped else "数据库中没有该地区的数值"
    hint = f"有全口径数值、可以画图的地区如：{others}（参数 region）。" if others else "数据库中没有任何全口径数值。"
    return f"{region_name}没有全口径（全地区、不分项）的数值，因此不画历年图；{what}。{hint}"
