"""Extract headline figures (metric, value, region, period, subject, provenance) from one document's text.

Pure: text in, Extraction out, no I/O. Number tokens are found by one regex scan over the normalised
body; each is classified by the nearest catalogue trigger in its clause, then given period, region,
year-on-year change and subject from its sentence, paragraph and section.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from metrics import regions
from metrics.catalogue import Catalogue, CompiledMetric, catalogue
from metrics.figures import Figure
from metrics.metadata import DocMeta, read_metadata
from metrics.numbers import NumberToken, find_numbers
from metrics.periods import Period, PeriodMention, YearOnly, default_period, find_periods
from metrics.prepare import Prepared, prepare
from metrics.tables import INDEX_HEADER, TOTAL_LABEL, UNIT_IN_BRACKETS, YEAR_HEADER, YOY_HEADER, find_tables


@dataclass(slots=True)
class Extraction:
    """A document's metadata and the figures found in it."""

    meta: DocMeta
    figures: list[Figure]


# Sentence ends: a figure's quote runs between two of these.
_SENT_END = re.compile(r"[。!?！？\n]")
# Clause ends: the trigger of a number must sit in the same clause. A comma between digits (1,234)
# and a colon inside a time (9:30) are not clause ends.
_CLAUSE_END = re.compile(r"[。!?！？\n;；，:：]|,(?!\d{3})")
# The same ends searched backwards in the reversed text (every comma: one before three digits is
# skipped in Python, as _CLAUSE_END's look-ahead does), so bounds are found per number, not per paragraph.
_SENT_END_REV = re.compile(r"[。!?！？\n]")
_CLAUSE_END_REV = re.compile(r"[。!?！？\n;；，:：,]")
_THOUSANDS = re.compile(r"\d{3}")
# A list continuation between two numbers of one clause: "3711件、3105件和3024件".
_LIST_SEP = re.compile(r"\s*(?:[、]|和|及|与|以及|,)?\s*")
# A labelled list item after a number: "饮料2批次、酒类1批次和食用农产品8批次" (label without a verb).
_LIST_ITEM = re.compile(r"\s*(?:[、]|和|及|与|以及)\s*[^\d、,，;；。:：]{1,12}")
# A year-on-year change after a figure: 同比增长25.93%, 下降3.1%, 同比分别增长26.4%、55.3%.
_YOY = re.compile(
    r"(?P<tb>同比|比上年|比去年|较上年|较去年同期|较去年)?(?P<f1>分别)?(?P<dir>增长|上升|提高|增加|增幅|增|下降|减少|降低|下滑|降幅)了?"
    r"(?P<f2>分别)?(?:为|达)?(?P<vals>(?:(?:超过?|约|近|逾)?\d+(?:\.\d+)?%[、和,]?)+)")
_PCT = re.compile(r"\d+(?:\.\d+)?(?=%)")
_YOY_CHARS = ("%",)  # every _YOY match ends in a percentage: no % in the sentence, no change to read
_DOWN = ("下降", "减少", "降低", "下滑", "降幅")
# Context vocabulary (data/context.yaml): area, scope and period cues around a figure.
_CTX = yaml.safe_load((Path(__file__).with_name("data") / "context.yaml").read_text(encoding="utf-8"))
_SCOPE = re.compile(_CTX["scope_words"])
_NOT_AREA_AFTER = re.compile(_CTX["not_area_after"])
_NOT_AREA_BEFORE = re.compile(_CTX["not_area_before"])
_NATIONAL_OK = re.compile(_CTX["national_ok"])
_HEADLINE_ONLY = re.compile(_CTX["headline_only"])
_ENTERPRISE_KIND = re.compile(_CTX["enterprise_kind"])
_COMPLAINT_WORDS = re.compile(_CTX["complaint_words"])
_DATA_CUTOFF = re.compile(_CTX["data_cutoff"])
_WORK_REPORT = re.compile(_CTX["work_report"])
_YEAR_ONLY_SOURCES = frozenset(_CTX["year_only_date_sources"])
_SAMPLING_SUBJECTS = [(re.compile(e["pattern"]), str(e["subject"])) for e in _CTX["sampling_subjects"]]
_SAMPLING_OBJECT = re.compile("|".join(f"(?:{e['pattern']})" for e in _CTX["sampling_subjects"]))
_CAMPAIGN = re.compile(_CTX["campaign_clause"])
_RESULT_AFTER_TARGET = re.compile(_CTX["result_after_target"])
_CAMPAIGN_ACT = re.compile(_CTX["campaign_act"])
_CAMPAIGN_METRICS = frozenset(_CTX["campaign_metrics"])
_SAMPLING_METRICS = ("sampling_batches", "failed_batches", "pass_rate", "fail_rate")
# A region heading opening a section: "北京:抓牢疫情防控 深化改革创新".
_HEADING_COLON = re.compile(r"\s*[:：]")
# An unannounced number after "有/是/为" restates something ("其中有8批次样品是…"), after 分 it splits
# work into rounds ("分3批开展"): no category figure.
_PREDICATE_END = re.compile(r"(?:[有是为分]|涉及|包括|含)$")
_YEAR_WORD = re.compile(r"(?:19|20)[0-9]{2}年")
_NIAN = re.compile("年")
# Table units: the unit a heading or label names → base unit, family, scale.
_TABLE_UNITS = {
    "万元": ("元", "money", Decimal(10000)), "亿元": ("元", "money", Decimal(100000000)), "元": ("元", "money", Decimal(1)),
    "万户": ("户", "entity", Decimal(10000)), "户": ("户", "entity", Decimal(1)), "家": ("户", "entity", Decimal(1)),
    "万件": ("件", "count", Decimal(10000)), "件": ("件", "count", Decimal(1)), "起": ("件", "count", Decimal(1)),
    "条": ("件", "count", Decimal(1)), "个": ("件", "count", Decimal(1)),
    "批次": ("批次", "batch", Decimal(1)), "批": ("批次", "batch", Decimal(1)), "%": ("%", "percent", Decimal(1)),
}
# The unit a column heading ends in: 抽检批次, 合格率(%), 投诉量（件）.
_HEADER_UNIT = re.compile(r"(批次|万元|亿元|元|万户|户|家|万件|件|起|%)(?=[)）]?$)")
# Hard-wrapped text: nine lines in ten at most this long, and lines that end without closing a sentence.
_WRAP_MAX_LINE = 50
_LINE_END = re.compile(r"[。！？!?；;：:」”]\s*$")
# A report's title line names plans too ("关于2019年工作总结和2020年工作计划的报告"): no plans heading.
_REPORT_TITLE = re.compile(r"总结|报告|回顾")
# A numbered section heading: "二、存在的不足和下一步打算", "（三）…", "3."
_NUMBERED_HEADING = re.compile(r"\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|[0-9]+(?:、|\.(?![0-9])))")
# An earlier period's value right before a number: "（去年春节期间为600件）", "上年同期为6.15万件",
# "2022年为46.0万户", "比2021年的97.8%". It is the same metric as the figure before it, for that period.
_PAST_VALUE = re.compile(
    r"(?:(?P<rel>去年|上年|上一年|前年)|(?P<y>(?:19|20)[0-9]{2})年)(?:同期)?[^()（）,，。;；0-9]{0,8}?(?:为|是|达)$"
    r"|比(?:(?P<rel2>去年|上年)|(?P<y2>(?:19|20)[0-9]{2})年)(?:同期)?的$")
_PAST_VALUE_LAST = frozenset("为是达的")  # every _PAST_VALUE match ends in one of these
_YEAR_ITEM = re.compile(r"(?:19|20)[0-9]{2}(?=年)")
# A clause that only lists values for names given before it: "…居前三位，分别为7.12万件、5.86万件".
_RESPECTIVELY = re.compile(r"\s*分别(?:为|是|达到?|有|约)?\s*")
# A bracketed aside: its period phrase does not carry beyond the closing bracket.
_BRACKETS = re.compile(r"[(（][^()（）]{0,80}[)）]")
# Cells of a table-like line: runs without blanks.
_TABLE_CELLS = re.compile(r"[^\s]+")
# A heading line: short, not ending in sentence punctuation.
_HEADING_LINE = re.compile(r"[^。;；!?！？]{1,50}")
_DIGIT = re.compile(r"[0-9]")
# What may surround the area name in a by-area part: "其中", "，", "为", "达".
_REGION_PART_REST = re.compile(r"\s*(?:其中)?[,，:：]?\s*(?:为|达|有)?\s*")
_SHIELD = re.compile(r"《[^》]{0,80}》")


@dataclass(slots=True)
class _Para:
    """One body span with its sentence ends, clause ends and period phrases."""

    start: int
    end: int
    _periods: list[PeriodMention] | None = None
    _mentions: list[regions.Mention] | None = None
    _shields: list[tuple[int, int]] | None = None
    _scopes: list[tuple[int, int, str]] | None = None
    _asides: list[tuple[int, int]] | None = None
    limit: int | None = None  # end of the paragraph's last figure: no period after it is ever needed

    def periods_of(self, d: _Doc) -> list[PeriodMention]:
        """Period phrases of this paragraph (up to its last figure, when known), found on first use."""
        if self._periods is None:
            end = self.end if self.limit is None else min(self.end, self.limit + 32)
            self._periods = find_periods(d.norm, self.start, end, d.published_on)
        return self._periods

    def mentions(self, d: _Doc) -> list[regions.Mention]:
        """Region names of this paragraph that name an area (not a dateline or a platform), found on first use."""
        if self._mentions is None:
            s = self.start
            # names after the paragraph's last figure are never asked for; the margin keeps a name's
            # list neighbour (阳泉、运城) in view
            end = self.end if self.limit is None else min(self.end, self.limit + 64)
            found = regions.find_mentions(d.norm[s:end], within=d._within)
            self._mentions = [m for m in (regions.Mention(m.start + s, m.end + s, m.surface, m.region)
                                          for m in found) if d._is_area(m, self)]
        return self._mentions

    def asides(self, d: _Doc) -> list[tuple[int, int]]:
        """Bracketed asides holding a value ("（去年同期为600件）"): their period phrase stays inside.
        A bracket that only dates the text ("（2月4日至10日）") is no aside."""
        if self._asides is None:
            n, end = d.norm, self._end(32)  # only asides closing before a figure are asked for
            self._asides = []
            if n.find("(", self.start, end) >= 0 or n.find("（", self.start, end) >= 0:
                periods = self.periods_of(d)
                self._asides = [(m.start(), m.end()) for m in _BRACKETS.finditer(n, self.start, end)
                                if _DIGIT.search(_strip_spans(n, m.start(), m.end(), periods))]
        return self._asides

    def _end(self, margin: int) -> int:
        """Where scans of this paragraph may stop: `margin` past its last figure, once that is known."""
        return self.end if self.limit is None else min(self.end, self.limit + margin)

    def shields(self, d: _Doc) -> list[tuple[int, int]]:
        """Spans of titles 《…》 in this paragraph: names inside them are not areas."""
        if self._shields is None:
            end = self._end(64 + 82)  # past the names asked for, and a title that may hold one
            self._shields = [(m.start(), m.end()) for m in _SHIELD.finditer(d.norm, self.start, end)] \
                if d.norm.find("《", self.start, end) >= 0 else []
        return self._shields

    def scopes(self, d: _Doc) -> list[tuple[int, int, str]]:
        """全省 / 全市 / 我局 … words of this paragraph."""
        if self._scopes is None:
            end = self._end(16)  # only scope words before a figure are asked for
            self._scopes = [(m.start(), m.end(), m.group()) for m in _SCOPE.finditer(d.norm, self.start, end)]
        return self._scopes


@dataclass(slots=True)
class _Hit:
    """A classified number token."""

    tok: NumberToken
    metric: str
    rule: str
    confidence: float
    trigger: tuple[int, int] | None
    clause_start: int
    seg_start: int = -1
    extra: dict = field(default_factory=dict)


class _Doc:
    """Per-document lookup tables: sentence/clause bounds, paragraphs, mentions, periods, sections."""

    def __init__(self, prep: Prepared, meta: DocMeta, published_on: date | None) -> None:
        self.prep = prep
        self.norm = prep.norm
        self.meta = meta
        n = self.norm
        self.published_on = published_on
        self._paras: dict[int, _Para] = {}
        self._last_para: _Para | None = None
        self.rev = self.norm[::-1]  # for searching backwards from a number
        self._sentences: dict[int, tuple[int, int]] = {}  # pos -> its sentence, as asked for
        self._last_clause: tuple[int, int] = (-1, 0)
        self._last_sentence_start: tuple[int, int] = (-1, 0)
        self._headings: dict[int, bool] = {}  # line start -> whether the line is a heading
        self.body = sorted(prep.body)
        self.body_starts = [s for s, _ in self.body]
        self.scope = _meta_region(meta)
        self._within = self.scope.code if self.scope else None
        self._year: int | None = published_on.year if published_on else None
        self._year_known = published_on is not None
        self.work_report = bool(_WORK_REPORT.search(n, 0, min(len(n), 400))) or "work_report" in (meta.genre or "")
        self.sections = self._sections()
        self.section_starts = [s for s, _ in self.sections]
        self.plan_start = self._plan_start()
        self._opening: Period | None = None
        self._opening_known = False
        self._cutoff: Period | None = None
        self._cutoff_known = False

    def _is_area(self, m: regions.Mention, para: _Para) -> bool:
        n = self.norm
        if any(a <= m.start < b for a, b in para.shields(self)):
            return False
        if _NOT_AREA_AFTER.match(n, m.end) or _NOT_AREA_BEFORE.search(n, max(0, m.start - 4), m.start):
            return False
        if m.region.code == regions.COUNTRY.code and m.surface.startswith("全"):
            return bool(_NATIONAL_OK.match(n, m.end))
        return True

    def _sections(self) -> list[tuple[int, list[regions.Region]]]:
        """(start, regions) of every short body line that opens with region names and a colon
        ("北京:抓牢疫情防控", "湖南、湖北：联手整治价格乱象")."""
        out = []
        n = self.norm
        for s, e in self.body:
            if e - s > 60 or (n.find(":", s, e) < 0 and n.find("：", s, e) < 0):
                continue
            ments = self.para(s).mentions(self)
            if not ments or ments[0].start - s > 2:
                continue
            chain = [ments[0]]
            for m in ments[1:]:
                if self.norm[chain[-1].end:m.start] in ("、", "和", "及", "与"):
                    chain.append(m)
                else:
                    break
            if _HEADING_COLON.match(self.norm, chain[-1].end):
                out.append((s, [m.region for m in chain]))
        return out

    def _plan_start(self) -> int:
        """Where the plans part of a report begins: a plan heading at the start of a line after the
        title, naming the coming year (or no year), else len(text)."""
        pub = self.published_on
        rx = catalogue().plan_heading
        for s, e in self.body[1:]:
            if e - s > 60 and not self.work_report:
                continue
            numbered = e - s <= 60 and _NUMBERED_HEADING.match(self.norm, s)
            m = rx.search(self.norm, s, e if numbered else min(e, s + 48))
            if m is None or (not numbered and m.start() - s > 8) or _REPORT_TITLE.search(self.norm, s, e):
                continue
            y = _YEAR_WORD.match(m.group())
            if y and pub is not None:
                year = int(y.group()[:4])
                if year < pub.year or (year == pub.year and pub.month > 4):
                    continue
            return m.start()
        return len(self.norm)

    def para(self, pos: int) -> _Para:
        """Sentence and clause ends and period phrases of the paragraph holding pos, computed once."""
        last = self._last_para
        if last is not None and last.start <= pos < last.end:
            return last
        i = bisect.bisect_right(self.body_starts, pos) - 1
        s, e = self.body[i] if i >= 0 and pos < self.body[i][1] else (pos, pos + 1)
        p = self._paras.get(s)
        if p is None:
            p = _Para(s, e)
            self._paras[s] = p
        self._last_para = p
        return p

    def sentence(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence holding pos: after the last sentence end before pos in its
        paragraph, through the first one at or after pos."""
        got = self._sentences.get(pos)
        if got is not None:
            return got
        p = self.para(pos)
        start = self.sentence_start(pos)
        fwd = _SENT_END.search(self.norm, pos, p.end)
        got = self._sentences[pos] = (start, fwd.start() + 1 if fwd is not None else p.end)
        return got

    def sentence_start(self, pos: int) -> int:
        """Just after the last sentence end before pos in its paragraph, else the paragraph start."""
        if self._last_sentence_start[0] == pos:
            return self._last_sentence_start[1]
        p = self.para(pos)
        size = len(self.norm)
        back = _SENT_END_REV.search(self.rev, size - pos, size - p.start)
        start = size - back.start() if back is not None else p.start
        self._last_sentence_start = (pos, start)
        return start

    def clause_start(self, pos: int) -> int:
        """Just after the last clause end before pos in its paragraph, else the paragraph start."""
        if self._last_clause[0] == pos:
            return self._last_clause[1]
        p = self.para(pos)
        n, rev, size = self.norm, self.rev, len(self.norm)
        j, stop, start = size - pos, size - p.start, p.start
        while True:
            m = _CLAUSE_END_REV.search(rev, j, stop)
            if m is None:
                break
            i = size - 1 - m.start()
            if n[i] != "," or not _THOUSANDS.match(n, i + 1, p.end):
                start = i + 1
                break
            j = m.start() + 1  # 1,234: a thousands separator, no clause end
        self._last_clause = (pos, start)
        return start

    def periods_in(self, start: int, end: int) -> list[PeriodMention]:
        found = self.para(start).periods_of(self)  # in text order
        i = bisect.bisect_left(found, start, key=_start_of)
        j = bisect.bisect_left(found, end, lo=i, key=_start_of)
        return found[i:j]

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

    def paragraph(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.body_starts, pos) - 1
        return self.body[i] if i >= 0 else (0, len(self.norm))

    def section_regions(self, pos: int) -> list[regions.Region]:
        i = bisect.bisect_right(self.section_starts, pos) - 1
        return self.sections[i][1] if i >= 0 else []

    def section_region(self, pos: int) -> regions.Region | None:
        """The area of the section holding pos, when its heading names exactly one."""
        regs = self.section_regions(pos)
        return regs[0] if len(regs) == 1 else None

    def mentions_in(self, start: int, end: int) -> list[regions.Mention]:
        found = self.para(start).mentions(self)  # in text order
        i = bisect.bisect_left(found, start, key=_start_of)
        j = bisect.bisect_left(found, end, lo=i, key=_start_of)
        return found[i:j]

    def period_at(self, pos: int, para_start: int) -> tuple[Period, bool]:
        """The last period phrase before pos in its paragraph (not one shut inside brackets that close
        before pos), else the nearest heading's, else the section's or the document opening's, else
        the default for the publication date."""
        para = self.para(pos)
        n = self.norm
        periods = para.periods_of(self)
        if periods and periods[0].start < pos:
            closed = [(a, b) for a, b in para.asides(self) if b <= pos]
            for m in reversed(periods):  # the last phrase before pos outside a closed aside
                if m.start < pos and not any(a < m.start < b for a, b in closed):
                    return self._review(m.period), True
        i = bisect.bisect_right(self.body_starts, para_start) - 1
        sec = self.section_start(pos)
        headings = self._headings
        for s, e in reversed(self.body[max(0, i - 40):max(0, i)]):
            if sec is not None and s < sec:
                break
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
                first = _CLAUSE_END.search(self.norm, s, e)
                stop = e if _is_heading(self.norm, s, e) else (first.start() if first else e)
                got = [m for m in self.para(s).periods_of(self) if m.start < stop and m.period.kind != "unknown"]
                if got:
                    self._opening = got[0].period
                    break
        return self._opening

    def data_cutoff(self) -> Period | None:
        """"（数据截至11月底）" near the top: the year's figures run only to that date."""
        if not self._cutoff_known:
            self._cutoff_known = True
            for s, e in self.body[:4]:
                m = _DATA_CUTOFF.search(self.norm, s, e)
                if m:
                    got = [p for p in self.para(s).periods_of(self) if p.start >= m.start() + 2]
                    if got and got[0].period.kind == "ytd":
                        self._cutoff = got[0].period
                    break
        return self._cutoff

    def _review(self, p: Period) -> Period:
        """In a work report or early in a year, "过去五年" / "近三年" / "十四五以来" review up to the end of
        the year before; a
        year whose data are cut off early ("数据截至11月底") runs to the cut-off."""
        cut = self.data_cutoff()
        if cut is not None and p.kind == "year" and p.year == cut.year:
            return cut
        pub = self.published_on
        if pub is not None and p.kind == "year" and p.year == pub.year and pub < date(pub.year, 12, 31):
            return Period("ytd", date(pub.year, 1, 1), pub, pub.year, "今年以来")
        if pub is not None and p.kind == "multi_year" and p.end == pub and (self.work_report or pub.month <= 3):
            return replace(p, end=date(pub.year - 1, 12, 31), year=pub.year - 1)
        return p

    def section_start(self, pos: int) -> int | None:
        i = bisect.bisect_right(self.section_starts, pos) - 1
        return self.sections[i][0] if i >= 0 else None


def _start_of(item: PeriodMention | regions.Mention) -> int:
    return item.start


def _is_heading(text: str, start: int, end: int) -> bool:
    """A heading line: short, not ending a sentence, and not a table row ("指标	2024年	2023年")."""
    return bool(_HEADING_LINE.fullmatch(text, start, end)) and len(_TABLE_CELLS.findall(text, start, end)) <= 2


def _in_year(d: date, y: int) -> date:
    """The same day in year y (28 February for a 29th in a common year)."""
    try:
        return d.replace(year=y)
    except ValueError:
        return d.replace(year=y, day=28)


def _strip_spans(text: str, start: int, end: int, periods: list[PeriodMention]) -> str:
    """text[start:end] without the period phrases inside it."""
    out, pos = [], start
    for m in periods:
        if start <= m.start and m.end <= end:
            out.append(text[pos:m.start])
            pos = m.end
    out.append(text[pos:end])
    return "".join(out)


def _text_year(periods: list[PeriodMention]) -> int | None:
    """With no publication date, the year of the first period phrase that states one."""
    return next((p.period.year for p in periods if p.period.year is not None), None)


def _meta_region(meta: DocMeta) -> regions.Region | None:
    r = getattr(meta, "region", None)
    if r is None or isinstance(r, regions.Region):
        return r
    return regions.get(str(r))


def _last_trigger(cms: list[CompiledMetric], text: str, start: int, end: int) -> tuple[CompiledMetric, re.Match] | None:
    """The metric whose trigger ends nearest to `end` in text[start:end] (longer match wins a tie)."""
    best: tuple[CompiledMetric, re.Match] | None = None
    for cm in cms:
        last = None
        for m in cm.trigger.finditer(text, start, end):
            last = m
        if last is None:
            continue
        if best is None or (last.end(), last.end() - last.start()) > (best[1].end(), best[1].end() - best[1].start()):
            best = (cm, last)
    return best


class _Extractor:
    """Classify the tokens of one document and dress the hits as Figures."""

    def __init__(self, doc: _Doc, cat: Catalogue) -> None:
        self.d = doc
        self.cat = cat

    def run(self) -> list[Figure]:
        d = self.d
        hits: list[_Hit] = []
        if not d.body:
            return []
        ends = [e for _s, e in d.body]
        prev: _Hit | None = None
        # one scan over the body's extent; tokens outside body spans (furniture) are skipped
        for tok in find_numbers(d.norm, d.body[0][0], min(d.body[-1][1], d.plan_start)):
            i = bisect.bisect_right(d.body_starts, tok.start) - 1
            if i < 0 or tok.end > ends[i] or tok.family == "points":
                continue
            if prev is not None and prev.tok.start < d.body_starts[i]:
                prev = None
            hit = self.classify(tok, prev, hits)
            if hit is None:
                hit = _Hit(tok, "none", "none", 0.0, None, d.clause_start(tok.start))
            hits.append(hit)
            prev = hit
        hits.extend(self.table_hits())
        hits.sort(key=lambda h: h.tok.start)
        figures = _dedupe(self.dress(hits))
        self.inherit_sampling_scope(figures)
        return figures

    # --- tables ---------------------------------------------------------------------------------

    def table_hits(self) -> list[_Hit]:
        """Figures in plain-text tables: year columns with a metric per row, or metric columns with a
        category per row (see metrics.tables)."""
        d = self.d
        out: list[_Hit] = []
        for table in find_tables(d.norm, [sp for sp in d.body if sp[0] < d.plan_start]):
            years = [YEAR_HEADER.fullmatch(c.text) for c in table.header]
            if any(years):
                out.extend(self._year_table(table, years))
            else:
                out.extend(self._metric_table(table))
        return out

    def _classify_label(self, start: int, end: int, family: str) -> CompiledMetric | None:
        found = _last_trigger(self.cat.by_family.get(family, []), self.d.norm, start, end)
        if found is None:
            return None
        cm = found[0]
        if not cm.spec.emit or (cm.exclusion is not None and cm.exclusion.search(self.d.norm, start, end)):
            return None
        return cm

    def _year_table(self, table, years: list) -> list[_Hit]:
        """"指标 | 2024年 | 2023年 | 同比": each row a metric with its unit in brackets."""
        n, out = self.d.norm, []
        yoy_col = next((k for k, c in enumerate(table.header) if YOY_HEADER.fullmatch(c.text)), None)
        for row in table.rows:
            label = row[0]
            unit = UNIT_IN_BRACKETS.search(n, label.start, label.end)
            if unit is None:
                continue
            base, family, scale = _TABLE_UNITS[unit.group(1)]
            cm = self._classify_label(label.start, unit.start(), family)
            if cm is None:
                continue
            row_hits = []
            for k, y in enumerate(years):
                cell = row[k]
                if y is None or cell.number is None or "%" in cell.text and family != "percent":
                    continue
                tok = NumberToken(cell.start, cell.end, cell.text, cell.number * scale, base, family, "", False)
                h = _Hit(tok, cm.spec.id, f"{cm.spec.id}:table", 0.8, None, label.start)
                h.extra.update(year=int(y.group(1)), subject=self._label_subject(label.start, unit.start(), cm))
                row_hits.append(h)
            if yoy_col is not None and row_hits and row[yoy_col].number is not None:
                latest = max(row_hits, key=lambda h: h.extra["year"])
                latest.extra["yoy"] = row[yoy_col].number
            out.extend(row_hits)
        return out

    def _label_subject(self, start: int, end: int, cm: CompiledMetric) -> str:
        """The scope a table row's label names ("其中：新登记外资企业（户）" → 外资企业)."""
        h = _Hit(NumberToken(end, end, "", Decimal(0), "", "", "", False), cm.spec.id, "table", 0.0, None, start)
        h.seg_start = start
        return self._subject(h, cm)

    def _metric_table(self, table) -> list[_Hit]:
        """"序号 | 食品类别 | 抽检批次 | 合格批次 | 不合格批次": each row a category."""
        n, out = self.d.norm, []
        label_col = next((k for k, c in enumerate(table.header) if not INDEX_HEADER.fullmatch(c.text)
                          and all(r[k].number is None for r in table.rows)), None)
        if label_col is None:
            return out
        columns = []
        for k, head in enumerate(table.header):
            if k == label_col or INDEX_HEADER.fullmatch(head.text):
                continue
            unit = _HEADER_UNIT.search(n, head.start, head.end)
            if unit is not None:
                base, family, scale = _TABLE_UNITS[unit.group(1)]
            elif "率" in head.text:
                base, family, scale = _TABLE_UNITS["%"]
            else:
                continue
            cm = self._classify_label(head.start, head.end, family)
            if cm is not None:
                columns.append((k, cm, base, family, scale))
        for row in table.rows:
            label = row[label_col].text
            subject = "" if not label or TOTAL_LABEL.fullmatch(label) else self._clean_subject(label)
            for k, cm, base, family, scale in columns:
                cell = row[k]
                if cell.number is None:
                    continue
                tok = NumberToken(cell.start, cell.end, cell.text, cell.number * scale, base, family, "", False)
                h = _Hit(tok, cm.spec.id, f"{cm.spec.id}:table", 0.75, None, row[0].start)
                h.extra["subject"] = subject
                out.append(h)
        return out

    # --- classification -------------------------------------------------------------------------

    def classify(self, tok: NumberToken, prev: _Hit | None, done: list[_Hit]) -> _Hit | None:
        d, cat, n = self.d, self.cat, self.d.norm
        cstart = d.clause_start(tok.start)
        seg_start = max(cstart, prev.tok.end) if prev and prev.tok.end > cstart else cstart
        cms = cat.by_family.get(tok.family, [])
        if not cms:
            return None
        # fast path: no cue in the clause, no live list, no bracket, no bare-category default, no 其中
        if tok.family != "batch" and (prev is None or prev.tok.end <= cstart or prev.metric == "none") \
                and not cat.any_cue[tok.family].search(n, cstart, tok.start):
            near = n[max(cstart, tok.start - 24):tok.start]
            if "(" not in near and "（" not in near \
                    and not (near and near[-1] in _PAST_VALUE_LAST and _PAST_VALUE.search(near)) \
                    and not _RESPECTIVELY.match(n, cstart):
                sstart = d.sentence_start(tok.start)
                if not n.startswith("其中", sstart) \
                        and not (done and done[-1].metric != "none" and done[-1].tok.start >= sstart
                                 and tok.start - cstart <= 12):
                    return None
        sstart, _ = d.sentence(tok.start)
        hit: _Hit | None = None
        if prev is not None and prev.tok.end > cstart and prev.tok.family == tok.family \
                and _LIST_SEP.fullmatch(n, prev.tok.end, tok.start):
            hit = _Hit(tok, prev.metric, "list", max(prev.confidence - 0.05, 0.5), None, cstart)
        else:
            found = _last_trigger(cms, n, seg_start, tok.start)
            if found is None and prev is not None and prev.tok.end > cstart and prev.tok.family == tok.family \
                    and _LIST_ITEM.fullmatch(n, prev.tok.end, tok.start) \
                    and not cat.between.search(n, prev.tok.end, tok.start):
                hit = _Hit(tok, prev.metric, "list-item", max(prev.confidence - 0.1, 0.5), None, cstart)
            elif found is not None:
                cm, m = found
                if cat.between.search(n, m.start(), tok.start):
                    return None
                hit = _Hit(tok, cm.spec.id, f"{cm.spec.id}:trigger", 0.9, (m.start(), m.end()), cstart)
            else:
                hit = self._breakdown(tok, cms, seg_start, sstart, done) \
                    or self._fallback(tok, cms, cstart, seg_start, sstart, done)
                if hit is None:
                    return None
        cm = cat.metrics.get(hit.metric)
        hit.seg_start = seg_start
        if cm is None or not cm.spec.emit:
            return hit
        if not hit.rule.startswith("list"):
            for rx, to in cm.after:
                if rx.match(n, tok.end, min(len(n), tok.end + 16)):
                    if to is None:
                        return _Hit(tok, "excluded", "after", 0.0, None, cstart)
                    hit.metric, hit.rule = to, f"{to}:after"
                    cm = cat.metrics[to]
                    break
            if cm.exclusion is not None and cm.exclusion.search(n, cstart, tok.start):
                return _Hit(tok, "excluded", "excluded", 0.0, None, cstart)
        if cm.spec.exact_only and tok.approx in ("over", "under"):
            return None
        if self._target(tok, sstart) or cat.after_number.match(n, tok.end):
            return None
        return hit

    def _target(self, tok: NumberToken, sstart: int) -> bool:
        """Whether the sentence states a target or plan for this number: a target word anywhere in it,
        unless a result word stands between the last one before the number and the number ("全年计划
        抽检2600批次，截至11月底已完成抽检2488批次" reports 2488 done) and none follows it."""
        n, send = self.d.norm, self.d.sentence(tok.start)[1]
        if self.cat.target.search(n, sstart, send) is None:
            return False
        found = list(self.cat.target.finditer(n, sstart, send))
        if any(m.start() >= tok.end for m in found):
            return True
        return not _RESULT_AFTER_TARGET.search(n, found[-1].end(), tok.start)

    def _breakdown(self, tok: NumberToken, cms: list[CompiledMetric], seg_start: int, sstart: int,
                   done: list[_Hit]) -> _Hit | None:
        """"新设经营主体52.3万户，其中企业15.6万户": a part named right after a figure of another metric."""
        last = next((h for h in reversed(done) if h.metric != "none"), None)
        if last is None or last.tok.start < sstart:
            return None
        for cm in cms:
            if cm.breakdown is not None and cm.spec.breakdown.of == last.metric \
                    and cm.breakdown.search(self.d.norm, seg_start, tok.start):
                return _Hit(tok, cm.spec.id, f"{cm.spec.id}:breakdown", 0.8, None, self.d.clause_start(tok.start))
        return None

    def _region_part(self, start: int, end: int) -> bool:
        """"…58.37万户，其中南宁市12.5万户": the clause names only an area (after 其中) before the number."""
        n = self.d.norm
        ments = self.d.mentions_in(start, end)
        if not ments:
            return False
        rest = n[start:ments[0].start] + n[ments[-1].end:end]
        return bool(_REGION_PART_REST.fullmatch(rest)) and all(
            _LIST_SEP.fullmatch(n, a.end, b.start) for a, b in zip(ments, ments[1:], strict=False))

    def _past_value(self, tok: NumberToken, sstart: int, last: _Hit | None) -> _Hit | None:
        """"526件，同比下降12.3%（去年春节期间为600件）", "52.9万户；2022年为46.0万户": an earlier period's
        value of the figure before it."""
        if last is None or last.tok.start < sstart or last.tok.family != tok.family:
            return None
        m = _PAST_VALUE.search(self.d.norm, max(sstart, last.tok.end, tok.start - 24), tok.start)
        if m is None:
            return None
        rel = m.group("rel") or m.group("rel2")
        year = m.group("y") or m.group("y2")
        hit = _Hit(tok, last.metric, f"{last.metric}:past-value", 0.6, None, m.start())
        hit.extra["past"] = ("rel", 2 if rel == "前年" else 1) if rel else ("abs", int(year))
        return hit

    def _fallback(self, tok: NumberToken, cms: list[CompiledMetric], cstart: int, seg_start: int, sstart: int,
                  done: list[_Hit]) -> _Hit | None:
        """No trigger in the clause: a sampling notice's bare "乳制品140批次", a "其中" sentence
        breaking down the previous sentence's figure, or "…诉求量居前三位，分别为7.12万件、…"."""
        d, n = self.d, self.d.norm
        if seg_start == cstart and _RESPECTIVELY.match(n, cstart) and cstart > sstart:
            found = _last_trigger(cms, n, sstart, cstart)
            if found is not None and found[0].spec.emit and not self.cat.between.search(n, found[1].start(), tok.start):
                return _Hit(tok, found[0].spec.id, f"{found[0].spec.id}:respectively", 0.75, None, sstart)
            for cm in cms:  # "…受理量居前三位，分别为…" after figures of that metric
                if cm.fallback is not None and cm.fallback.search(n, sstart, cstart) \
                        and any(h.metric == cm.spec.id for h in done):
                    return _Hit(tok, cm.spec.id, f"{cm.spec.id}:respectively", 0.65, None, sstart)
        last = next((h for h in reversed(done) if h.metric in self.cat.metrics
                     and self.cat.metrics[h.metric].spec.emit), None)
        past = self._past_value(tok, sstart, last)
        if past is not None:
            return past
        if self.cat.between.search(n, seg_start, tok.start):
            return None
        predicate = bool(_PREDICATE_END.search(n, seg_start, tok.start))
        pstart, _ = d.paragraph(tok.start)
        for cm in cms:
            if cm.fallback is None or (predicate and cm.spec.fallback.mode == "any"):
                continue
            lo = sstart if cm.spec.fallback.mode == "any" else cstart
            in_sentence = bool(cm.fallback.search(n, lo, min(len(n), tok.end + 30) if lo == sstart else tok.start))
            if cm.spec.fallback.mode == "any":
                in_context = last is not None and last.tok.start >= pstart and last.tok.family == tok.family
            else:
                in_context = any(h.metric == cm.spec.id and h.tok.start >= pstart for h in reversed(done[-12:]))
            if (in_sentence and in_context) or (cm.spec.fallback.mode == "any" and (in_sentence or in_context)):
                return _Hit(tok, cm.spec.id, f"{cm.spec.id}:fallback", 0.7, None, cstart)
        if last is not None and last.tok.start >= sstart and last.tok.family == tok.family \
                and self._region_part(cstart, tok.start):
            return _Hit(tok, last.metric, f"{last.metric}:by-region", 0.7, None, cstart)
        if not predicate and last is not None and last.tok.family == tok.family and n.startswith("其中", sstart):
            psent = d.sentence(sstart - 1)[0] if sstart > 0 else 0
            if last.tok.start >= psent:
                return _Hit(tok, last.metric, f"{last.metric}:inherit", 0.6, None, cstart)
        return None

    # --- attributes ---------------------------------------------------------------------------

    def dress(self, hits: list[_Hit]) -> list[Figure]:
        d, text = self.d, self.d.prep.text
        figures: list[Figure] = []
        kept = [h for h in hits if self.cat.metrics.get(h.metric) is not None and self.cat.metrics[h.metric].spec.emit]
        by_sentence: dict[tuple[int, int], list[_Hit]] = {}
        for h in kept:
            para = d.para(h.tok.start)
            para.limit = max(para.limit or 0, h.tok.end)
        for h in kept:
            by_sentence.setdefault(d.sentence(h.tok.start), []).append(h)
        for (ss, se), group in by_sentence.items():
            self._distribute(group, ss)
            yoy = self._yoy(group, ss, se)
            for h in group:
                cm = self.cat.metrics[h.metric]
                pstart, _ = d.paragraph(h.tok.start)
                period, stated = d.period_at(h.tok.start, pstart)
                period = self._override_period(h, period, figures)
                carry = next((f for f in reversed(figures) if f.extra.get("region_from") != "list"), None)
                region, how = self._region(h, ss, pstart, carry)
                subject = h.extra.get("subject")
                if subject is None:
                    subject = self._subject(h, cm)
                conf = h.confidence
                if how in ("document", "none"):
                    conf -= 0.15
                if not stated:
                    conf -= 0.05
                if period.year is None:
                    conf -= 0.1
                figures.append(Figure(
                    metric=h.metric, value=h.tok.value, unit=cm.spec.unit, token=text[h.tok.start:h.tok.end],
                    char_start=h.tok.start, char_end=h.tok.end, quote=text[ss:se].strip(),
                    sentence_start=ss, sentence_end=se, rule=h.rule, confidence=round(max(conf, 0.05), 2),
                    approx=h.tok.approx,
                    region_code=region.code if region else None, region_name=region.name if region else None,
                    region_level=region.level if region else None,
                    year=period.year, period_kind=period.kind, period_start=period.start, period_end=period.end,
                    yoy_pct=h.extra.get("yoy", yoy.get(id(h))), subject=subject, extra={"region_from": how}))
        # keep quotes' offsets exact: strip() above may move the start, so recompute bounds
        for f in figures:
            raw = text[f.sentence_start:f.sentence_end]
            lead = len(raw) - len(raw.lstrip())
            f.sentence_start += lead
            f.sentence_end = f.sentence_start + len(f.quote)
        figures.sort(key=lambda f: f.char_start)
        self._inherit_subjects(figures)
        return figures

    def _override_period(self, h: _Hit, period: Period, figures: list[Figure]) -> Period:
        """The stated year of a list item ("2021年、2022年…分别…") or of an earlier period's value."""
        if "year" in h.extra:
            y = h.extra["year"]
            return Period("year", date(y, 1, 1), date(y, 12, 31), y, "全年")
        if "past" not in h.extra:
            return period
        anchor = next((f for f in reversed(figures) if f.metric == h.metric), None)
        kind, n = h.extra["past"]
        base_year = anchor.year if anchor is not None and anchor.year else period.year
        if base_year is None and kind == "rel":
            return Period("unknown", None, None, None, "")
        y = n if kind == "abs" else base_year - n
        if anchor is not None and anchor.period_kind in ("ytd", "quarter", "month") and anchor.period_start \
                and anchor.period_end:
            return Period(anchor.period_kind, _in_year(anchor.period_start, y), _in_year(anchor.period_end, y), y, "")
        return Period("year", date(y, 1, 1), date(y, 12, 31), y, "全年")

    def _distribute(self, group: list[_Hit], ss: int) -> None:
        """"A、B、C分别…x、y、z": give the i-th number of the list the i-th region or subject."""
        n = self.d.norm
        i = 0
        while i < len(group):
            j = i + 1
            while j < len(group) and group[j].rule == "list" and group[j].metric == group[i].metric:
                j += 1
            run = group[i:j]
            if len(run) > 1:
                head = run[0]
                k = n.rfind("分别", head.clause_start, head.tok.start)
                if k >= 0:
                    self._split_list(run, head.clause_start, k)
            i = j

    def _split_list(self, run: list[_Hit], start: int, stop: int) -> None:
        d, n = self.d, self.d.norm
        ss = d.sentence(start)[0]
        years = _YEAR_ITEM.findall(n, ss, stop)
        if len(years) == len(run) > 1:  # "2021年、2022年、2023年，全市分别查办各类案件9865件、10214件、11126件"
            for h, y in zip(run, years, strict=True):
                h.extra["year"] = int(y)
        ments = d.mentions_in(start, stop)
        if len(ments) == len(run) and all(ments[i].end <= ments[i + 1].start for i in range(len(ments) - 1)):
            for h, m in zip(run, ments, strict=True):
                h.extra["region"] = m.region
            return
        heading = d.section_regions(start)
        if not ments and len(heading) == len(run) > 1:
            for h, r in zip(run, heading, strict=True):
                h.extra["region"] = r
        phrase = n[start:stop]
        phrase = re.sub(r"^(?:其中|另外|此外)[,，]?", "", phrase)
        phrase = re.sub(r"(?:的)?(?:不合格率|合格率|抽检|投诉举报|问题)+(?:的)?$", "", phrase)
        items = [p.strip("“”\" ") for p in re.split(r"[、]|和(?=[^和]*$)", phrase) if p.strip("“”\" ")]
        if len(items) == len(run):
            for h, item in zip(run, items, strict=True):
                h.extra["subject"] = self._clean_subject(item)

    def _yoy(self, group: list[_Hit], ss: int, se: int) -> dict[int, Decimal]:
        """Year-on-year % tied to figures of one sentence: a 分别 list distributes in order."""
        n = self.d.norm
        out: dict[int, Decimal] = {}
        if not any(n.find(c, ss, se) >= 0 for c in _YOY_CHARS):
            return out
        for m in _YOY.finditer(n, ss, se):
            if n.endswith("环比", ss, m.start()) or n.endswith("环比", ss, m.start("dir")):
                continue  # month on month, not year on year
            # an earlier period's value ("比2022年的3.97亿元增长16.4%") is the base, not the figure changed
            before = [h for h in group if h.tok.end <= m.start() and not h.rule.endswith(":past-value")]
            if not before:
                continue
            vals = [Decimal(v) for v in _PCT.findall(m.group("vals"))]
            if m.group("dir") in _DOWN:
                vals = [-v for v in vals]
            gap = n[before[-1].tok.end:m.start()]
            if (not m.group("tb") and len(gap) > 3) or "其中" in gap:
                continue  # "…3642件，其中涉及旅游服务的投诉同比增长63.8%" changes another quantity
            if m.group("f1") or m.group("f2") or len(vals) > 1:
                targets = before[-len(vals):]
                for h, v in zip(targets, vals[-len(targets):], strict=True):
                    out.setdefault(id(h), v)
            else:
                h = before[-1]
                if len(gap) <= 40 and not any(b.tok.start > h.tok.end for b in group if b.tok.end <= m.start()):
                    out.setdefault(id(h), vals[0])
        return out

    def _region(self, h: _Hit, ss: int, pstart: int, last: Figure | None) -> tuple[regions.Region | None, str]:
        """The area of a figure: a distributed list, the nearest name or 全省-like word before it in its
        sentence, the previous figure's area in the paragraph, the section heading, the publisher's area."""
        d = self.d
        if "region" in h.extra:
            return h.extra["region"], "list"
        pos = h.tok.start
        ments = d.mentions_in(ss, pos)
        scope_hits = [s for s in d.para(pos).scopes(d) if ss <= s[0] < pos]
        last_m = ments[-1] if ments else None
        last_s = scope_hits[-1] if scope_hits else None
        if last_s is not None and (last_m is None or last_s[0] >= last_m.end):
            base = last_m.region if last_m is not None else (d.section_region(pos) or d.scope)
            r = _scope_region(last_s[2], base)
            if r is not None:
                return r, "sentence"
        if last_m is not None:
            return last_m.region, "sentence"
        sec_start = d.section_start(pos)
        if last is not None and last.char_start >= pstart and last.region_code \
                and (sec_start is None or last.char_start >= sec_start):
            scope = d.section_region(pos) or d.scope
            if scope is not None and last.region_code != scope.code and regions.is_within(last.region_code, scope.code):
                return scope, "paragraph"  # a sub-area named for one figure does not carry ("喀什市受理…")
            return regions.get(last.region_code), "paragraph"
        sec = d.section_region(pos)
        if sec is not None:
            return sec, "section"
        if d.scope is not None:
            return d.scope, "document"
        return None, "none"

    def _subject(self, h: _Hit, cm: CompiledMetric) -> str:
        """The scope words between the clause (or list item) start and the number, with region names,
        period phrases, 全省-like words, verbs and generic words cut out."""
        d, n = self.d, self.d.norm
        start = h.seg_start if h.seg_start >= 0 else h.clause_start
        end = h.tok.start
        if cm.spec.id == "new_enterprises":
            kind = _ENTERPRISE_KIND.search(n, start, end)
            return kind.group(0) if kind else ""
        cuts = [(m.start, m.end) for m in d.mentions_in(start, end)]
        cuts += [(p.start, p.end) for p in d.periods_in(start, end)]
        cuts += [(a, b) for a, b, _ in d.para(start).scopes(d) if start <= a < end]
        if not cm.spec.keep_trigger_in_subject:
            cuts += [(m.start(), m.end()) for m in cm.trigger.finditer(n, start, end)]
        keep = []
        pos = start
        for a, b in sorted(cuts):
            if a > pos:
                keep.append(n[pos:a])
            pos = max(pos, b)
        keep.append(n[pos:end])
        phrase = "".join(keep)
        for old, new in cm.spec.subject_rewrite.items():
            phrase = phrase.replace(old, new)
        subject = self._clean_subject(phrase)
        if subject:
            return subject
        ss = d.sentence(h.tok.start)[0]
        if cm.subject_fallback is not None:
            found = list(cm.subject_fallback.finditer(n, ss, start))
            if found:
                g = found[-1].groupdict()
                return g.get("scope") or (g.get("name") or "") + (g.get("tail") or "")
        return ""

    def _campaign(self, ss: int, cstart: int) -> str:
        """The object of a 开展 clause earlier in the sentence ("开展“三小”食品经营主体数据排查，…"), else ""."""
        n = self.d.norm
        scope = ""
        a = ss
        for end in _CLAUSE_END.finditer(n, ss, cstart):
            if end.group() in ";；":
                scope = ""  # a statement of its own ends here
            elif not _DIGIT.search(n, a, end.start()):
                m = _CAMPAIGN.search(n, a, end.start())
                if m is not None:
                    scope = _CAMPAIGN_ACT.sub("", m.group("scope"))
            a = end.end()
        pstart = self.d.paragraph(ss)[0]
        if not scope and ss - 1 > pstart and n[ss - 1] == "。":
            # the sentence before, when its last clause only announces a campaign
            prev = self.d.sentence_start(ss - 1)
            last = max((e.end() for e in _CLAUSE_END.finditer(n, prev, ss - 1)), default=prev)
            m = _CAMPAIGN.search(n, last, ss - 1) if not _DIGIT.search(n, last, ss) else None
            if m is not None:
                scope = _CAMPAIGN_ACT.sub("", m.group("scope"))
        return re.sub(r"[“”\"‘’\s]", "", scope)

    def _drop(self, phrase: str) -> str:
        """subject_drop.sub("", phrase): the full pattern at the start, the start-free rest after it
        (a ^ entry matches nowhere else, and none of the rest looks behind)."""
        m = self.cat.subject_drop.match(phrase)
        if m is not None and m.end() > 0:
            phrase = phrase[m.end():]
        return self.cat.subject_drop_rest.sub("", phrase)

    def _clean_subject(self, phrase: str, cm: CompiledMetric | None = None) -> str:
        phrase = self._drop(self._drop(phrase))
        phrase = _HEADLINE_ONLY.sub("", phrase)
        return phrase.strip("、 和及与")[:40]

    def _inherit_subjects(self, figures: list[Figure]) -> None:
        """A figure with no scope of its own takes the scope of the figure before it in the same
        sentence part ("水产制品抽检467批次，…不合格16批次，合格率96.57%", "查处食品药品案件1.42万件、
        罚没款1.35亿元"). Across metrics only the scope travels, not complaint words (投诉, 举报)."""
        n = self.d.norm
        parent: dict[int, str] = {}  # sentence start of a 其中 sentence -> the scope it breaks down
        for i, f in enumerate(figures):
            if i and f.sentence_start not in parent and n.startswith("其中", f.sentence_start):
                g = figures[i - 1]  # already final: figures are settled in text order
                if g.sentence_end == f.sentence_start and g.subject:
                    parent[f.sentence_start] = self._clean_subject(_COMPLAINT_WORDS.sub("", g.subject))
            if f.subject or i == 0:
                continue
            g = figures[i - 1]
            if g.sentence_start != f.sentence_start or not g.subject \
                    or n.find(";", g.char_end, f.char_start) >= 0 or n.find("；", g.char_end, f.char_start) >= 0:
                # "…接收食品类投诉举报2.3万件。其中，…立案674件": a breakdown keeps the scope it breaks down
                f.subject = parent.get(f.sentence_start, "")
                continue
            if g.metric == f.metric:
                f.subject = g.subject
            elif g.rule != "list-item" and g.metric in self.cat.metrics[f.metric].spec.inherits_scope_from:
                # a labelled list item's label names that item only
                f.subject = self._clean_subject(_COMPLAINT_WORDS.sub("", g.subject)) \
                    if g.metric == "complaints" else g.subject
            if not f.subject:
                f.subject = parent.get(f.sentence_start, "")


    def inherit_sampling_scope(self, figures: list[Figure]) -> None:
        """A failed count or a rate still without scope takes that of the paragraph's last sampling
        figure; a complaints figure still without one takes which-of-these from the last complaints
        figure before it ("诉求量居前三位，分别为7.12万件…" counts 诉求)."""
        d = self.d
        last_complaints = ""
        for f in figures:
            if f.metric != "complaints":
                continue
            if f.subject:
                last_complaints = f.subject
            elif last_complaints:
                f.subject = last_complaints
        for i, f in enumerate(figures):
            if f.subject or f.metric not in ("failed_batches", "pass_rate", "fail_rate"):
                continue
            pstart = d.paragraph(f.char_start)[0]
            sample = next((x for x in reversed(figures[:i])
                           if x.metric == "sampling_batches" and x.rule != "list-item"), None)
            if sample is not None and sample.char_start >= pstart:
                f.subject = sample.subject
        for f in figures:  # no scope inherited either: a campaign the sentence names, what is sampled
            if not f.subject and f.metric in _CAMPAIGN_METRICS:
                f.subject = self._campaign(d.sentence_start(f.char_start), d.clause_start(f.char_start))
            if not f.subject and f.metric in _SAMPLING_METRICS:
                f.subject = self._sampling_object(f.char_start)

    def _sampling_object(self, pos: int) -> str:
        """What the paragraph before pos says is sampled (context.yaml sampling_subjects), else ""."""
        n = self.d.norm
        found = None
        for m in _SAMPLING_OBJECT.finditer(n, self.d.paragraph(pos)[0], pos):
            found = m
        if found is None:
            return ""
        return next(subject for rx, subject in _SAMPLING_SUBJECTS if rx.fullmatch(found.group()))


def _scope_region(word: str, base: regions.Region | None) -> regions.Region | None:
    """全省 / 全市 / 全区 / 我局 relative to the nearest named area or the publishing body's area."""
    if base is None:
        return None
    if word == "全省" or word == "省局":
        return regions.province_of(base.code) or base
    if word in ("全市", "市局", "全地区", "全州", "全盟"):
        if base.level == "county" and base.parent and not base.name.endswith("市"):
            return regions.get(base.parent) or base
        return base
    return base


def _dedupe(figures: list[Figure]) -> list[Figure]:
    """One figure per (metric, value, region, year) and scope: a number repeated (the title and the
    body) is one figure, kept where it is best attributed; equal values of two named categories
    ("饮料1批次", "酒类1批次") are two."""
    groups: dict[tuple, list[list[Figure]]] = {}
    for f in figures:
        clusters = groups.setdefault((f.metric, f.value, f.region_code, f.year), [])
        for c in clusters:
            if any(not g.subject or not f.subject or g.subject in f.subject or f.subject in g.subject for g in c):
                c.append(f)
                break
        else:
            clusters.append([f])
    kept = {id(max(c, key=lambda g: (g.confidence, g.yoy_pct is not None))) for cs in groups.values() for c in cs}
    out = [f for f in figures if id(f) in kept]
    exact = [f for f in out if not f.approx]
    # a rounded restatement ("查处价格违法案件千余件" in a title over "1086件" in the body) is the same figure
    return [f for f in out if not f.approx or not any(
        g.metric == f.metric and g.region_code == f.region_code and g.year == f.year
        and (not g.subject or not f.subject or g.subject in f.subject or f.subject in g.subject)
        and _rounds_to(g.value, f.value, f.approx) for g in exact)]


def _rounds_to(exact: Decimal, rounded: Decimal, approx: str) -> bool:
    """Whether an approximate figure (千余 / 近10万 / 不足1000) may be a rounding of an exact one."""
    if approx == "over":
        return rounded <= exact <= rounded * Decimal("1.5")
    if approx == "under":
        return rounded * Decimal("0.7") <= exact <= rounded
    return abs(exact - rounded) <= rounded * Decimal("0.1")


def extract_text(text: str, *, doc: str = "", published_on: date | None = None,
                 title_hint: str | None = None) -> Extraction:
    """All figures of one document's text; published_on overrides the date read from the text."""
    prep = prepare(text)
    meta = read_metadata(prep, doc, title_hint)
    ref = meta.published_on
    if published_on is not None:
        meta = replace(meta, published_on=published_on, date_precision="day")
        ref = published_on
    elif ref is not None and (meta.date_precision == "year" or meta.date_source in _YEAR_ONLY_SOURCES):
        # only the year is known: never roll a span back to the year before, never end one on a made-up day
        ref = YearOnly(ref.year, 12, 31)
    work, back = _unwrap(prep)
    d = _Doc(work, meta, ref)
    figures = _Extractor(d, catalogue()).run()
    for f in figures:
        f.doc = doc
        if back is not None:
            _map_back(f, back, prep.text)
    return Extraction(meta=meta, figures=figures)


def _unwrap(prep: Prepared) -> tuple[Prepared, list[tuple[int, int]] | None]:
    """A hard-wrapped text (short lines breaking mid-sentence, as copied from a PDF) with its wraps
    joined, and the (new_start, old_start) segments that map offsets back; the text as is otherwise."""
    n, body = prep.norm, sorted(prep.body)
    lens = sorted(e - s for s, e in body)
    if len(body) < 6 or lens[int(len(lens) * 0.9)] > _WRAP_MAX_LINE:
        return prep, None
    long_lines = [(s, e) for s, e in body if e - s >= 8]
    open_ends = [1 for s, e in long_lines if not _LINE_END.search(n, s, e)]
    if not long_lines or len(open_ends) < 0.5 * len(long_lines):
        return prep, None
    cuts = []  # (start, end) of line breaks to drop
    for (s1, e1), (s2, _e2) in zip(body, body[1:], strict=False):
        if n[e1:s2].strip() or _LINE_END.search(n, s1, e1) or _NUMBERED_HEADING.match(n, s2) \
                or (_NUMBERED_HEADING.match(n, s1) and e1 - s1 <= 20) \
                or len(_TABLE_CELLS.findall(n, s1, e1)) > 2 or len(_TABLE_CELLS.findall(n, s2, _e2)) > 2:
            continue  # a sentence ends, a heading starts, or a table row
        cuts.append((e1, s2))
    if not cuts:
        return prep, None
    segments, pieces_t, pieces_n, pos, new = [], [], [], 0, 0
    for a, b in [*cuts, (len(n), len(n))]:
        segments.append((new, pos))
        pieces_t.append(prep.text[pos:a])
        pieces_n.append(n[pos:a])
        new += a - pos
        pos = b
    starts = [seg[1] for seg in segments]

    def to_new(i: int) -> int:
        k = bisect.bisect_right(starts, i) - 1
        return segments[k][0] + (i - segments[k][1])

    merged: list[tuple[int, int]] = []
    cut_ends = {b for _a, b in cuts}
    for s, e in body:
        ns, ne = to_new(s), to_new(e)
        if merged and s in cut_ends:  # this line continues the one before
            merged[-1] = (merged[-1][0], ne)
        else:
            merged.append((ns, ne))
    return Prepared("".join(pieces_t), "".join(pieces_n), merged), segments


def _map_back(f: Figure, segments: list[tuple[int, int]], text: str) -> None:
    """Offsets of a figure found in the unwrapped text, moved back into the stored text."""
    news = [seg[0] for seg in segments]

    def old(i: int) -> int:
        k = bisect.bisect_right(news, i) - 1
        return segments[k][1] + (i - segments[k][0])

    f.char_start, f.char_end = old(f.char_start), old(f.char_end - 1) + 1
    f.sentence_start, f.sentence_end = old(f.sentence_start), old(f.sentence_end - 1) + 1
    f.token = text[f.char_start:f.char_end]
    f.quote = text[f.sentence_start:f.sentence_end]
