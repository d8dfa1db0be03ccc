"""The period in force at each position of a document: the last period phrase before a number, a
heading's or the opening's period, the publication date's default, read as a review or a report of
the year needs."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from metrics.periods import Period, PeriodMention, default_period, find_periods

if TYPE_CHECKING:
    from metrics.metadata import DocMeta
    from metrics.prepare import Prepared

# Clause ends: the trigger of a number must sit in the same clause. A comma between digits (1,234)
# and a colon inside a time (9:30) are not clause ends.
_CLAUSE_END = re.compile(r"[。!?！？\n;；，:：]|,(?!\d{3})")
_YEAR_WORD = re.compile(r"(?:19|20)[0-9]{2}年")
_NIAN = re.compile("年")
# A report's title line names plans too ("关于2019年工作总结和2020年工作计划的报告"): no plans heading.
_REPORT_TITLE = re.compile(r"总结|报告|回顾")
# A year-end review is published from this day of December on (a blanket "December means the full
# year" misreads mid-December news of the year so far).
_YEAR_END_DAY = 15
_YEAR_IN_TITLE = re.compile(r"((?:19|20)[0-9]{2})年")
# What a year-end review means by the whole year (not 今年以来 or 截至目前, which stay the year so far).
_WHOLE_YEAR_WORDS = frozenset({"今年", "全年", "本年", "本年度", "今年全年"})
# A heading line: short, not ending in sentence punctuation.
_HEADING_LINE = re.compile(r"[^。;；!?！？]{1,50}")
# Cells of a table-like line: runs without blanks.
_TABLE_CELLS = re.compile(r"[^\s]+")


class PeriodReader:
    """Mixin of Doc: the period of a position, from the paragraph, headings, opening and publication date
    (uses Doc's para, sentence_start, section_start and data_cutoff)."""

    norm: str
    prep: Prepared
    meta: DocMeta
    published_on: date | None
    body: list[tuple[int, int]]
    body_starts: list[int]
    work_report: bool
    report_title_end: int
    plan_start: int
    year_end_review: bool
    _year: int | None
    _year_known: bool
    _headings: dict[int, bool]
    _opening: Period | None
    _opening_known: bool

    @property
    def year(self) -> int | None:
        """The publication year, else the first year a period phrase of the body states."""
        if not self._year_known:
            self._year_known = True
            n = self.norm
            for a in _NIAN.finditer(n):  # every year word ends in 年: look for that literal first
                m = _YEAR_WORD.match(n, a.start() - 4, a.end()) if a.start() >= 4 else None
                if m is None or not self.prep.in_body(m.start()):
                    continue
                y = _text_year(find_periods(n, max(0, m.start() - 2), m.end() + 16))
                if y is not None:
                    self._year = y
                    break
        return self._year

    def period_at(self, pos: int, para_start: int) -> tuple[Period, bool]:
        """The last period phrase before pos in its paragraph (not one shut inside brackets that close
        before pos), else the nearest heading's, else the section's or the document opening's, else
        the default for the publication date."""
        para = self.para(pos)
        n = self.norm
        periods = para.periods_of(self)
        if periods and periods[0].start < pos:
            asides = para.asides(self)  # in text order, disjoint: ends ascend too
            closed = asides[:bisect.bisect_right(asides, pos, key=_end_of)]
            review_from = self.sentence_start(pos) if self.year_end_review else -1
            # the last phrase before pos outside a closed aside (phrases from pos on are never it)
            for k in range(bisect.bisect_left(periods, pos, key=_start_of) - 1, -1, -1):
                m = periods[k]
                if m.start < review_from and m.period.kind == "ytd":
                    break  # a year-end review's "截至目前" speaks for its own sentence only
                if not _inside(closed, m.start):
                    return self._review(m.period), True
        i = bisect.bisect_right(self.body_starts, para_start) - 1
        sec = self.section_start(pos)
        headings = self._headings
        for s, e in reversed(self.body[max(0, i - 40):max(0, i)]):
            if sec is not None and s < sec:
                break
            if s < self.report_title_end:
                break  # a work report's title names the year it is delivered in, not the year it reviews
            heading = headings.get(s)
            if heading is None:
                heading = headings[s] = _is_heading(n, s, e)
            if heading or (sec is not None and s == sec):
                got = self.para(s).periods_of(self)
                if got:
                    return self._review(got[-1].period), True
        opening = self.opening_period()
        if opening is not None:
            return self._review(opening), True
        p = default_period(self.published_on, self.work_report and pos < self.plan_start)
        if p.year is None and self.year is not None:
            p = replace(p, year=self.year)
        return p, False

    def opening_period(self) -> Period | None:
        """A period the title or the first clause of an opening paragraph states for the whole document
        ("2022年工作总结", "2022年，在市委…", "今年以来，全省共查办…")."""
        if not self._opening_known:
            self._opening_known = True
            for s, e in self.body[:3]:
                if s < self.report_title_end:
                    continue  # the title's year is the delivery year; the review covers the year before
                first = _CLAUSE_END.search(self.norm, s, e)
                stop = e if _is_heading(self.norm, s, e) else (first.start() if first else e)
                got = [m for m in self.para(s).periods_of(self) if m.start < stop and m.period.kind != "unknown"]
                if got:
                    self._opening = got[0].period
                    break
        return self._opening

    def _review(self, p: Period) -> Period:
        """In a work report or early in a year, "过去五年" / "近三年" / "十四五以来" review up to the end of
        the year before; a year whose data are cut off early ("数据截至11月底") runs to the cut-off; this
        year is the year so far, except in a year-end review (see year_end_review)."""
        cut = self.data_cutoff()
        if cut is not None and p.kind == "year" and p.year == cut.year:
            return cut
        if p.kind == "ytd" and p.end is not None:
            opening = self.opening_period()
            if opening is not None and opening.kind == "quarter" and (opening.start, opening.end) == (p.start, p.end):
                return opening  # "2024年1—3月" in a report on "2024年第一季度" is that quarter
        pub = self.published_on
        if pub is not None and p.kind == "year" and p.year == pub.year and pub < date(pub.year, 12, 31) \
                and not self.year_end_review:
            return Period("ytd", date(pub.year, 1, 1), pub, pub.year, "今年以来")
        if pub is not None and p.kind == "ytd" and p.end == pub and p.label in _WHOLE_YEAR_WORDS \
                and self.year_end_review:
            return Period("year", date(pub.year, 1, 1), date(pub.year, 12, 31), pub.year, p.label)
        if pub is not None and p.kind == "multi_year" and p.end == pub and (self.work_report or pub.month <= 3):
            return replace(p, end=date(pub.year - 1, 12, 31), year=pub.year - 1)
        return p

    def _is_year_end_review(self) -> bool:
        """A summary or report of the year ("2019年…工作总结") published in its last fortnight: its "2019年"
        and "全年" are the whole year, not the year so far."""
        pub, title = self.published_on, self.meta.title or ""
        return bool(pub is not None and pub.month == 12 and pub.day >= _YEAR_END_DAY and _REPORT_TITLE.search(title)
                    and all(int(y) == pub.year for y in _YEAR_IN_TITLE.findall(title)))



def _start_of(m: PeriodMention) -> int:
    return m.start


def _end_of(span: tuple[int, int]) -> int:
    return span[1]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether a < pos < b for one of the disjoint, ordered spans (a, b)."""
    k = bisect.bisect_left(spans, pos, key=lambda sp: sp[0]) - 1  # the last span starting before pos
    return k >= 0 and pos < spans[k][1]


def _is_heading(text: str, start: int, end: int) -> bool:
    """A heading line: short, not ending a sentence, and not a table row ("指标	2024年	2023年")."""
    return bool(_HEADING_LINE.fullmatch(text, start, end)) and len(_TABLE_CELLS.findall(text, start, end)) <= 2


def in_year(d: date, y: int) -> date:
    """The same day in year y (28 February for a 29th in a common year)."""
    try:
        return d.replace(year=y)
    except ValueError:
        return d.replace(year=y, day=28)


def _text_year(periods: list[PeriodMention]) -> int | None:
    """With no publication date, the year of the first period phrase that states one."""
    return next((p.period.year for p in periods if p.period.year is not None), None)


