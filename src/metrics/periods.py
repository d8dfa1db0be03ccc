"""Time-period phrases (今年以来, 1-8月, 上半年, 截至6月底, 2018年至今, 过去一年 …) resolved against a
publication date into (kind, start, end, year)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from metrics.numbers import chinese_to_int


@dataclass(frozen=True, slots=True)
class Period:
    """A resolved span; year is the calendar year the span ends in."""

    kind: str              # year, ytd, quarter, month, multi_year, point, unknown
    start: date | None
    end: date | None
    year: int | None
    label: str = ""


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """A period phrase found at [start, end) of the text."""

    start: int
    end: int
    period: Period


_N = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_Y = r"(?:(?P<y>(?:19|20)\d{2})年|(?P<this>今年|本年|当年))"
_DASH = r"(?:-|—|–|~|～|至|到)"


class YearOnly(date):
    """A publication date of which only the year is known (31 December stands in): it tells the year
    of relative phrases (今年以来, 上半年, 1-7月) but never ends a span, so 今年以来 gets no end date."""


def _end(pub: date | None) -> date | None:
    """The publication date as the end of a span running up to it: None when only its year is known."""
    return None if isinstance(pub, YearOnly) else pub


def _num(s: str | None) -> int | None:
    if s is None:
        return None
    return int(s) if s.isdigit() else chinese_to_int(s)


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _year_for(m: re.Match[str], pub: date | None, last_month: int | None = None) -> int | None:
    """The stated year, else the publication year (the year before when the span has not yet ended)."""
    if m.groupdict().get("y"):
        return int(m.group("y"))
    if pub is None:
        return None
    if last_month and not m.groupdict().get("this") and last_month > pub.month:
        return pub.year - 1
    return pub.year


def _ytd_months(m: re.Match[str], pub: date | None) -> Period | None:
    last = _num(m.group("m"))
    if not last or not 1 <= last <= 12:
        return None
    y = _year_for(m, pub, last)
    if y is None:
        return Period("ytd", None, None, None, f"1–{last}月")
    return Period("ytd", date(y, 1, 1), _month_end(y, last), y, f"1–{last}月")


def _half(m: re.Match[str], pub: date | None) -> Period:
    first = m.group("h") == "上"
    y = _year_for(m, pub, 6 if first else 12)
    if y is None:
        return Period("ytd" if first else "unknown", None, None, None, m.group(0))
    if first:
        return Period("ytd", date(y, 1, 1), date(y, 6, 30), y, "上半年")
    return Period("unknown", date(y, 7, 1), date(y, 12, 31), y, "下半年")


def _quarters_to_date(m: re.Match[str], pub: date | None) -> Period | None:
    q = _num(m.group("q"))
    if not q or not 1 <= q <= 4:
        return None
    y = _year_for(m, pub, q * 3)
    return Period("ytd", date(y, 1, 1) if y else None, _month_end(y, q * 3) if y else None, y, f"前{q}季度")


def _quarter(m: re.Match[str], pub: date | None) -> Period | None:
    q = _num(m.group("q"))
    if not q or not 1 <= q <= 4:
        return None
    y = _year_for(m, pub, q * 3)
    if y is None:
        return Period("quarter", None, None, None, f"第{q}季度")
    return Period("quarter", date(y, q * 3 - 2, 1), _month_end(y, q * 3), y, f"第{q}季度")


def _month(m: re.Match[str], pub: date | None) -> Period | None:
    mo = _num(m.group("m"))
    if not mo or not 1 <= mo <= 12:
        return None
    y = _year_for(m, pub, mo)
    if y is None:
        return Period("month", None, None, None, f"{mo}月")
    return Period("month", date(y, mo, 1), _month_end(y, mo), y, f"{mo}月")


def _until(m: re.Match[str], pub: date | None) -> Period | None:
    if len(m.group(0)) <= 2:  # a bare 截至 names no date
        return None
    mo = _num(m.group("m"))
    if mo is None or not 1 <= mo <= 12:
        if pub is not None and _end(pub) is None:  # 截至目前 with only the year known
            return Period("ytd", date(pub.year, 1, 1), None, pub.year, m.group(0))
        end = pub
    else:
        y = _year_for(m, pub, mo) or (pub.year if pub else None)
        if y is None:
            return Period("ytd", None, None, None, m.group(0))
        d = _num(m.group("d"))
        if d and 1 <= d <= calendar.monthrange(y, mo)[1]:
            end = date(y, mo, d)
        elif m.group("part") in ("上旬",):
            end = date(y, mo, 10)
        elif m.group("part") in ("中旬",):
            end = date(y, mo, 20)
        else:
            end = _month_end(y, mo)
    if end is None:
        return Period("ytd", None, None, None, m.group(0))
    return Period("ytd", date(end.year, 1, 1), end, end.year, m.group(0))


def _since(m: re.Match[str], pub: date | None) -> Period | None:
    y0 = int(m.group("y"))
    if pub is not None and y0 > pub.year:  # a start after publication: a misread date, no period
        return None
    if pub is not None and y0 == pub.year:
        return Period("ytd", date(y0, 1, 1), _end(pub), pub.year, m.group(0))
    return Period("multi_year", date(y0, 1, 1), _end(pub), pub.year if pub else None, m.group(0))


def _this_year(m: re.Match[str], pub: date | None) -> Period:
    if pub is None:
        return Period("ytd", None, None, None, m.group(0))
    return Period("ytd", date(pub.year, 1, 1), _end(pub), pub.year, m.group(0))


def _last_n_years(m: re.Match[str], pub: date | None) -> Period:
    n = _num(m.group("n")) or 0
    if pub is None:
        return Period("multi_year", None, None, None, m.group(0))
    if not 0 < n <= 50:
        return Period("multi_year", None, _end(pub), pub.year, m.group(0))
    return Period("multi_year", date(pub.year - n + 1, 1, 1) if n else None, _end(pub), pub.year, m.group(0))


def _vague_years(m: re.Match[str], pub: date | None) -> Period:
    return Period("multi_year", None, _end(pub), pub.year if pub else None, m.group(0))


def _past_year(m: re.Match[str], pub: date | None) -> Period:
    if pub is None:
        return Period("year", None, None, None, m.group(0))
    y = pub.year - 1
    return Period("year", date(y, 1, 1), date(y, 12, 31), y, "全年")


def _day_range(m: re.Match[str], pub: date | None) -> Period | None:
    """2月4日至10日: days within one month read as that month; across months, an unknown span."""
    m1, d1, d2 = int(m.group("m")), int(m.group("d1")), int(m.group("d2"))
    m2 = int(m.group("m2")) if m.group("m2") else m1
    y = _year_for(m, pub, m2)
    if y is None:
        return Period("month" if m1 == m2 else "unknown", None, None, None, m.group(0))
    return Period("month" if m1 == m2 else "unknown", date(y, m1, d1), date(y, m2, d2), y, m.group(0))


def _last_year(m: re.Match[str], pub: date | None) -> Period:
    if pub is None:
        return Period("year", None, None, None, m.group(0))
    y = pub.year - (2 if m.group(0).startswith("前") else 1)
    return Period("year", date(y, 1, 1), date(y, 12, 31), y, "全年")


def _whole_year(m: re.Match[str], pub: date | None) -> Period:
    """全年 with no year: the publication year, or the year before for a report of January to March."""
    if pub is None:
        return Period("year", None, None, None, "全年")
    y = pub.year - 1 if pub.month <= 3 else pub.year
    return Period("year", date(y, 1, 1), date(y, 12, 31), y, "全年")


def _year_span(m: re.Match[str], pub: date | None) -> Period:
    y0, y1 = int(m.group("y0")), int(m.group("y"))
    if y1 < y0:
        return Period("year", date(y1, 1, 1), date(y1, 12, 31), y1, "全年")
    return Period("multi_year", date(y0, 1, 1), date(y1, 12, 31), y1, m.group(0))


_PLAN_YEARS = {"十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_CONGRESS_YEARS = {"十八大": 2012, "十九大": 2017, "二十大": 2022}


def _plan_period(m: re.Match[str], pub: date | None) -> Period:
    y0, y1 = _PLAN_YEARS[m.group("plan")]
    end: date | None = date(y1, 12, 31)
    year = y1
    if pub is not None and pub < date(y1, 12, 31):
        end, year = _end(pub), pub.year
    return Period("multi_year", date(y0, 1, 1), end, year, m.group(0))


def _since_congress(m: re.Match[str], pub: date | None) -> Period:
    y0 = _CONGRESS_YEARS[m.group("cong")]
    return Period("multi_year", date(y0, 1, 1), _end(pub), pub.year if pub else None, m.group(0))


def _year(m: re.Match[str], pub: date | None) -> Period:
    y = int(m.group("y"))
    return Period("year", date(y, 1, 1), date(y, 12, 31), y, "全年")


def _issue(m: re.Match[str], pub: date | None) -> Period:
    y = int(m.group("y"))
    return Period("unknown", None, None, y, m.group(0))


# Ordered: the first pattern matching at a position wins, so ranges come before single months.
# Each regex states what it catches; none may fire on an event date such as "7月31日" or "2019年4月制定".
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], date | None], Period | None]]] = [
    # 2023年1-7月, 今年1至7月份, 1—8月: year to date
    (re.compile(rf"{_Y}?(?<![\d一二三四五六七八九十])(?:1|一)月?(?:份)?{_DASH}(?P<m>{_N})月(?:份|底|末)?"), _ytd_months),
    # 今年前7月, 前8个月: year to date
    (re.compile(rf"{_Y}?前(?P<m>{_N})(?:个)?月(?:份)?"), _ytd_months),
    # 前三季度: year to date
    (re.compile(rf"{_Y}?前(?P<q>[一二三1-3])(?:个)?季度"), _quarters_to_date),
    # 2023年上半年, 今年上半年, 上半年: Jan-Jun
    (re.compile(rf"{_Y}?(?P<h>[上下])半年(?!来)"), _half),
    # 半年来, 年初以来, 今年以来: year to date at publication
    (re.compile(r"(?:今年|本年|年初)(?:以来|至今)|半年来|今年来"), _this_year),
    # 目前已立案1件 (not 截至目前, read below): so far this year
    (re.compile(r"(?<![至止])目前(?=已|共|累计|全)"), _this_year),
    # 截至2023年底: the whole of that year
    (re.compile(r"截[至止](?P<y>(?:19|20)\d{2})年(?:底|末)"), _year),
    # 截至年底 (no year): the year just ended, or the publication year
    (re.compile(r"截[至止](?:今年|本年|当年)?年(?:底|末)"), _whole_year),
    # 截至9月25日, 截至今年6月底, 截至目前, 截止12月中旬: year to that date
    (re.compile(rf"截[至止](?:目前|{_Y})?(?:(?P<m>{_N})月(?:(?P<d>\d{{1,2}})日|(?P<part>底|末|中旬|上旬|下旬))?)?"),
     _until),
    # 2018年至2022年, 2021—2023年: several whole years
    (re.compile(r"(?P<y0>(?:19|20)\d{2})年?(?:-|—|–|~|至|到)(?P<y>(?:19|20)\d{2})年"), _year_span),
    # “十三五”期间, 十四五以来: a five-year plan period
    (re.compile(r"[“\"]?(?P<plan>十[二三四五]五)[”\"]?(?:期间|以来|时期)"), _plan_period),
    # 党的十八大以来
    (re.compile(r"(?P<cong>十八大|十九大|二十大)以来"), _since_congress),
    # 去年, 上年, 上一年度, 前年: the year(s) before publication
    (re.compile(r"(?<![比较于与])(?:去年(?!同期)|上一?年度?(?!同期)(?=[,，]|全年|全[国省市区县]|共|累计)|前年)"), _last_year),
    # 全年 with no stated year
    (re.compile(r"(?<![0-9年])全年(?=[,，]|共|累计|全[国省市区县]|[\u4e00-\u9fff]{0,6}(?:共|累计))"), _whole_year),
    # 2023年第二季度, 二季度
    (re.compile(rf"{_Y}?第?(?P<q>[一二三四1-4])季度"), _quarter),
    # 2018年至今, 2018年以来: several years, or year to date when it is this year
    (re.compile(r"(?P<y>(?:19|20)\d{2})年(?:初)?(?:以来|至今)"), _since),
    # 2018年8月整治工作开展以来: from an event to publication
    (re.compile(r"(?P<y>(?:19|20)\d{2})年(?:\d{1,2}月(?:份)?)?[^,，。;；0-9]{1,12}?以来"), _since),
    # 近三年, 过去五年, 五年来, 三年以来
    # (not a superlative: "增速为近五年来最高" compares, it states no span)
    (re.compile(r"(?:(?:近|过去|最近)(?P<n>[两二三四五六七八九十\d]{1,2})年(?!级)(?:来|以来)?|"
                r"(?P<n2>[两二三四五六七八九十\d]{1,2})年(?:来|以来))(?![^,，。;；]{0,2}(?:最|新高|首次|之最))"),
     lambda m, pub: _last_n_years(_Alias(m), pub)),
    # 近年来, 近几年, 多年来
    (re.compile(r"近年来|近几年|多年来|这些年"), _vague_years),
    # 过去一年, 过去的一年: the year before publication (a work report's review)
    # 一年来 heading a work report's review ("一年来的主要工作是"); not 十一年来 or 近一年来
    (re.compile(r"过去(?:的)?一年|(?<![近\d两二三四五六七八九十百])一年(?:来|以来)"), _past_year),
    # 2月4日至10日, 2023年7月1日—7月31日: a run of days
    (re.compile(rf"{_Y}?(?P<m>\d{{1,2}})月(?P<d1>\d{{1,2}})日?(?:-|—|–|~|至|到)(?:(?P<m2>\d{{1,2}})月)?(?P<d2>\d{{1,2}})日"),
     _day_range),
    # 2023年第45期: a numbered notice in that year
    (re.compile(r"(?P<y>(?:19|20)\d{2})年第\d+期"), _issue),
    # 8月份, 今年8月份, 2020年8月份: one month ("8月" alone is too often an event date)
    (re.compile(rf"{_Y}?(?P<m>{_N})月份"), _month),
    # 2022年, / 2021年广西新登记… / 2024年工作回顾 / 2022年度: a calendar year. Not a date (2019年4月),
    # an issue (2023年第45期), a span start (2018年以来, 2018年至今) or a comparison (与2021年相比).
    (re.compile(r"(?<![比较与于同至到])(?P<y>(?:19|20)\d{2})年(?:全年|度)?"
                r"(?![0-9一二三四五六七八九十]{1,2}月|第|以来|至今|初|底|末|[-—–~至到]|[0-9])"), _year),
    # 今年, (a bare 今年 opening a clause): year to date
    (re.compile(r"(?<![在到至])今年(?=[,，]|全[国省市区县]|共|累计|[\u4e00-\u9fff]{0,3}(?:共|累计|全))"), _this_year),
]


class _Alias:
    """Lets the 近三年 / 五年来 alternatives share one group name."""

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m

    def group(self, name: str | int = 0) -> str | None:
        if name == "n":
            return self._m.group("n") or self._m.group("n2")
        return self._m.group(name)

    def groupdict(self) -> dict[str, str | None]:
        return self._m.groupdict()


# Titles 《…》 and bracketed year ranges carry years that are not periods (《纲要(2015-2020年)》).
_SHIELD = re.compile(r"《[^》]{0,80}》|[(（][^)）]{0,40}?(?:19|20)[0-9]{2}\s*[-—–至][^)）]{0,20}[)）]")


# Per rule (in _RULES order), characters one of which every match of the rule holds inside its span
# (not in a look-around): a rule is tried in a window only when the window holds one of them.
_DASHES = ("-", "—", "–", "~", "～", "至", "到")
_RULE_NEEDS: tuple[tuple[str, ...], ...] = (
    _DASHES, ("前",), ("季",), ("半",), ("来", "至"), ("目",), ("截",), ("截",), ("截",), _DASHES, ("五",),
    ("来",), ("去", "上", "前"), ("全",), ("季",), ("来", "至"), ("来",), ("近", "过", "来"), ("近", "来", "这"),
    ("过", "来"), _DASHES, ("期",), ("份",), ("年",), ("今",),
)
assert len(_RULE_NEEDS) == len(_RULES), "periods.py: _RULE_NEEDS must list one entry per rule"


def _max_width(rx: re.Pattern[str]) -> int | None:
    """The longest text the pattern can match, None when unbounded (read from the parsed pattern)."""
    from re import _constants, _parser  # the standard parser: the width is what the engine uses too

    width = _parser.parse(rx.pattern, rx.flags).getwidth()[1]
    return None if width >= _constants.MAXREPEAT else width


def _peek_width(rx: re.Pattern[str]) -> int | None:
    """How far past a match's end its look-aheads may read (the widest look-ahead), None when unbounded."""
    from re import _constants, _parser

    widest = 0
    stack = [_parser.parse(rx.pattern, rx.flags)]
    while stack:
        for op, av in stack.pop():
            if op in (_constants.ASSERT, _constants.ASSERT_NOT):
                direction, sub = av
                if direction == 1:
                    widest = max(widest, sub.getwidth()[1])
                stack.append(sub)
            elif op is _constants.BRANCH:
                stack.extend(av[1])
            elif op is _constants.SUBPATTERN:
                stack.append(av[3])
            elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
                stack.append(av[2])
            elif op is _constants.ATOMIC_GROUP:
                stack.append(av)
            elif op is _constants.GROUPREF_EXISTS:
                stack.extend(x for x in av[1:] if x is not None)
    return None if widest >= _constants.MAXREPEAT else widest


def _reach(rx: re.Pattern[str]) -> int | None:
    """How far past its start a match attempt reads: the match's width plus its widest look-ahead."""
    width, peek = _max_width(rx), _peek_width(rx)
    return None if width is None or peek is None else width + peek


_GATED_RULES = tuple((rx, make, frozenset(needs), _max_width(rx), _reach(rx))
                     for (rx, make), needs in zip(_RULES, _RULE_NEEDS, strict=True))
# A window longer than this is scanned per rule only around that rule's gate characters: a match holds
# one and is at most the rule's width long, so it lies within that width of it.
_WIDE_WINDOW = 160
_GATE_CHARS = frozenset(c for needs in _RULE_NEEDS for c in needs)

_SHIELD_OPENERS = ("《", "(", "（")  # what a _SHIELD match starts with: looked for first, as literals

# Every period phrase contains one of these characters; the rules run only in windows around them.
_ANCHOR = re.compile(r"[年月季截]|目前|十[二三四五八九]|二十大")
_REACH = 16  # no period phrase extends further than this from its anchor


def find_periods(norm: str, start: int = 0, end: int | None = None, published_on: date | None = None) -> list[
        PeriodMention]:
    """Period phrases in norm[start:end], left to right, not overlapping, outside titles and brackets."""
    end = len(norm) if end is None else end
    windows: list[list[int]] = []
    for a in _ANCHOR.finditer(norm, start, end):
        lo, hi = max(start, a.start() - _REACH), min(end, a.end() + _REACH)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    if not windows:
        return []
    shielded = [(m.start(), m.end()) for m in _SHIELD.finditer(norm, start, end)] \
        if any(norm.find(c, start, end) >= 0 for c in _SHIELD_OPENERS) else []
    hits: list[PeriodMention] = []
    for lo, hi in windows:
        present = _GATE_CHARS.intersection(norm[lo:hi])
        for rx, make, needs, width, reach in _GATED_RULES:
            if present.isdisjoint(needs):
                continue
            wide = width is not None and hi - lo > _WIDE_WINDOW
            for m in _rule_matches(rx, norm, lo, hi, needs, width, reach) if wide else rx.finditer(norm, lo, hi):
                if any(a <= m.start() < b for a, b in shielded):
                    continue
                try:
                    p = make(m, published_on)
                except ValueError:  # a year or day out of range (a misprinted or odd date): no period
                    continue
                if p is not None:
                    hits.append(PeriodMention(m.start(), m.end(), p))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[PeriodMention] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def _rule_matches(rx: re.Pattern[str], norm: str, lo: int, hi: int, needs: frozenset[str],
                  width: int | None, reach: int | None = None) -> Iterator[re.Match[str]]:
    """What rx.finditer(norm, lo, hi) yields. In a wide window only the stretches within `width` of a
    gate character are scanned: no match lies elsewhere, and none crosses from one stretch into the
    next. A stretch is scanned up to `reach` past its end (what an attempt there can read: so look-aheads
    see the same text as with the window's end), or to the window's end when that is unbounded."""
    if width is None or hi - lo <= _WIDE_WINDOW:
        yield from rx.finditer(norm, lo, hi)
        return
    gates = sorted(i for c in needs for i in _positions(norm, c, lo, hi))
    stretches: list[list[int]] = []
    for g in gates:
        a, b = max(lo, g - width), min(hi, g + width + 1)
        if stretches and a <= stretches[-1][1]:
            stretches[-1][1] = b
        else:
            stretches.append([a, b])
    for a, b in stretches:
        for m in rx.finditer(norm, a, hi if reach is None else min(hi, b + reach)):
            if m.start() >= b:
                break
            yield m


def _positions(text: str, c: str, lo: int, hi: int) -> Iterator[int]:
    i = text.find(c, lo, hi)
    while i >= 0:
        yield i
        i = text.find(c, i + 1, hi)


def default_period(published_on: date | None, reviews_last_year: bool = False) -> Period:
    """The period of a figure with no period phrase: unknown span in the publication year, or the
    year before publication for a government work report's review."""
    if published_on is None:
        return Period("unknown", None, None, None, "")
    if reviews_last_year and published_on.year > 1:
        y = published_on.year - 1
        return Period("year", date(y, 1, 1), date(y, 12, 31), y, "全年")
    return Period("unknown", None, None, published_on.year, "")
