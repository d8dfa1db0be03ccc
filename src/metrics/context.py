"""The context of a number in one document: paragraphs, sentences, clauses, headings, sections and
the areas in force at each position (the period in force: metrics.doc_periods)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from metrics import regions
from metrics.agency import AgencyReader
from metrics.catalogue import catalogue
from metrics.doc_periods import _REPORT_TITLE, _YEAR_WORD, PeriodReader
from metrics.metadata import DocMeta
from metrics.numbers import NumberToken
from metrics.periods import Period, PeriodMention, find_periods
from metrics.prepare import Prepared

# Sentence ends: a figure's quote runs between two of these.
_SENT_END = re.compile(r"[。!?！？\n]")
# Clause ends (a comma before three digits is a thousands separator, skipped in Python, as the
# forward clause-end pattern's look-ahead does). Found once per paragraph, looked up per number.
_CLAUSE_END_CHARS = re.compile(r"[。!?！？\n;；，:：,]")
_THOUSANDS = re.compile(r"\d{3}")
# Look-back bound: a "sentence" longer than this (a statistical table pasted as text, a data appendix,
# a run of thousands of numbers) is cut into pieces of at most this many characters, at the last clause
# end in a piece's second half when there is one. Every step that reads a number's sentence or clause
# reads at most this much, so extraction stays linear in the size of the document. Real sentences are
# far shorter (the longest in 40 MB of news is 854 characters), so their reading does not change.
MAX_SENTENCE = 1000
# Context vocabulary (data/context.yaml): area, scope and period cues around a figure.
CTX = yaml.safe_load((Path(__file__).with_name("data") / "context.yaml").read_text(encoding="utf-8"))
_SCOPE = re.compile(CTX["scope_words"])
_NOT_AREA_AFTER = re.compile(CTX["not_area_after"])
_NOT_AREA_BEFORE = re.compile(CTX["not_area_before"])
_NATIONAL_OK = re.compile(CTX["national_ok"])
_DATA_CUTOFF = re.compile(CTX["data_cutoff"])
_WORK_REPORT = re.compile(CTX["work_report"])
# A region heading opening a section: "北京:抓牢疫情防控 深化改革创新".
_HEADING_COLON = re.compile(r"\s*[:：]")
# A numbered section heading: "二、存在的不足和下一步打算", "（三）…", "3."
_NUMBERED_HEADING = re.compile(r"\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|[0-9]+(?:、|\.(?![0-9])))")
# A bracketed aside: its period phrase does not carry beyond the closing bracket.
_BRACKETS = re.compile(r"[(（][^()（）]{0,80}[)）]")
_DIGIT = re.compile(r"[0-9]")
_SHIELD = re.compile(r"《[^》]{0,80}》")
# What lets a match depend on the text after it: such a pattern cut at pos can match where the whole text does not.
_PEEKS = ("(?=", "(?!", "$", "\\b", "\\B", "\\Z")
# A title repeated in the text starts within this many characters (after a dateline or "原标题：").
_TITLE_NEAR_START = 300


@dataclass(slots=True)
class Para:
    """One body span with its sentence ends, clause ends and period phrases."""

    start: int
    end: int
    _periods: list[PeriodMention] | None = None
    _mentions: dict[int, list[regions.Mention]] | None = None  # sentence start -> its names
    _bounds: list[int] | None = None
    _shields: list[tuple[int, int]] | None = None
    _scopes: list[tuple[int, int, str]] | None = None
    _asides: list[tuple[int, int]] | None = None
    _sent_ends: list[int] | None = None  # positions of the sentence-end characters
    _clause_ends: list[int] | None = None  # positions of the clause-end characters
    _pieces: dict[int, list[int]] | None = None  # start of a long sentence -> starts of its pieces
    limit: int | None = None  # end of the paragraph's last figure: no period after it is ever needed

    def periods_of(self, d: Doc) -> list[PeriodMention]:
        """Period phrases of this paragraph (up to its last figure, when known), found on first use."""
        if self._periods is None:
            end = self.end if self.limit is None else min(self.end, self.limit + 32)
            self._periods = find_periods(d.norm, self.start, end, d.published_on)
        return self._periods

    def mentions(self, d: Doc, start: int | None = None, end: int | None = None) -> list[regions.Mention]:
        """Region names of this paragraph (starting in [start, end) when given) that name an area (not a
        dateline or a platform). Each sentence is scanned on first use: no name spans a sentence end, so
        a sentence read with the end before it gives what a scan of the whole paragraph gives there."""
        bounds = self._sentence_bounds(d)
        lo = self.start if start is None else start
        hi = bounds[-1] if end is None else end
        i = max(bisect.bisect_right(bounds, lo) - 1, 0)
        out: list[regions.Mention] = []
        for k in range(i, len(bounds) - 1):
            a = bounds[k]
            if a >= hi:
                break
            got = self._mentions.get(a)
            if got is None:
                # from the sentence end before it: a name at the sentence's start is then judged by that
                # character (a heading needs a line break), as in the paragraph
                found = regions.find_mentions(d.norm, d._within, start=max(a - 1, self.start), end=bounds[k + 1])
                got = self._mentions[a] = [m for m in found if d._is_area(m, self)]
            if got:
                out.extend(got[bisect.bisect_left(got, lo, key=_start_of):bisect.bisect_left(got, hi, key=_start_of)])
        return out

    def _sentence_bounds(self, d: Doc) -> list[int]:
        """Starts of the paragraph's sentences, then where scans for names stop: past the paragraph's last
        figure, with a margin that keeps a name's list neighbour (阳泉、运城) in view."""
        if self._bounds is None:
            end = self.end if self.limit is None else min(self.end, self.limit + 64)
            self._bounds = [self.start] + [m.end() for m in _SENT_END.finditer(d.norm, self.start, end)
                                           if m.end() < end] + [end]
            self._mentions = {}
        return self._bounds

    def sentence_ends(self, d: Doc) -> list[int]:
        """Positions of this paragraph's sentence-end characters, found on first use."""
        if self._sent_ends is None:
            self._sent_ends = [m.start() for m in _SENT_END.finditer(d.norm, self.start, self.end)]
        return self._sent_ends

    def clause_ends(self, d: Doc) -> list[int]:
        """Positions of this paragraph's clause-end characters (not a thousands comma), found on first use."""
        if self._clause_ends is None:
            n, end = d.norm, self.end
            self._clause_ends = [i for m in _CLAUSE_END_CHARS.finditer(n, self.start, end)
                                 if n[i := m.start()] != "," or not _THOUSANDS.match(n, i + 1, end)]
        return self._clause_ends

    def piece(self, d: Doc, start: int, end: int, pos: int) -> tuple[int, int]:
        """The piece of the long sentence [start, end) that holds pos (see MAX_SENTENCE)."""
        if self._pieces is None:
            self._pieces = {}
        cuts = self._pieces.get(start)
        if cuts is None:
            ends, cuts, c = self.clause_ends(d), [start], start
            while end - c > MAX_SENTENCE:
                k = bisect.bisect_left(ends, c + MAX_SENTENCE) - 1  # the last clause end in the piece
                c = ends[k] + 1 if k >= 0 and ends[k] >= c + MAX_SENTENCE // 2 else c + MAX_SENTENCE
                cuts.append(c)
            self._pieces[start] = cuts
        i = bisect.bisect_right(cuts, pos) - 1
        return cuts[i], cuts[i + 1] if i + 1 < len(cuts) else end

    def asides(self, d: Doc) -> list[tuple[int, int]]:
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

    def shields(self, d: Doc) -> list[tuple[int, int]]:
        """Spans of titles 《…》 in this paragraph: names inside them are not areas."""
        if self._shields is None:
            end = self._end(64 + 82)  # past the names asked for, and a title that may hold one
            self._shields = [(m.start(), m.end()) for m in _SHIELD.finditer(d.norm, self.start, end)] \
                if d.norm.find("《", self.start, end) >= 0 else []
        return self._shields

    def scopes(self, d: Doc) -> list[tuple[int, int, str]]:
        """全省 / 全市 / 我局 … words of this paragraph."""
        if self._scopes is None:
            end = self._end(16)  # only scope words before a figure are asked for
            self._scopes = [(m.start(), m.end(), m.group()) for m in _SCOPE.finditer(d.norm, self.start, end)]
        return self._scopes


@dataclass(slots=True)
class Hit:
    """A classified number token."""

    tok: NumberToken
    metric: str
    rule: str
    confidence: float
    trigger: tuple[int, int] | None
    clause_start: int
    seg_start: int = -1
    extra: dict = field(default_factory=dict)


class Doc(PeriodReader):
    """Per-document lookup tables: sentence/clause bounds, paragraphs, mentions, periods, sections."""

    def __init__(self, prep: Prepared, meta: DocMeta, published_on: date | None) -> None:
        self.prep = prep
        self.norm = prep.norm
        self.meta = meta
        n = self.norm
        self.published_on = published_on
        self._paras: dict[int, Para] = {}
        self._last_para: Para | None = None
        self._sentences: dict[int, tuple[int, int]] = {}  # pos -> its sentence, as asked for
        self._scans: dict[tuple[str, int, int], tuple[list[re.Match[str]], list[int]]] = {}
        self._last_clause: tuple[int, int] = (-1, 0)
        self._headings: dict[int, bool] = {}  # line start -> whether the line is a heading
        self.body = sorted(prep.body)
        self.body_starts = [s for s, _ in self.body]
        self.scope = _meta_region(meta)
        self._within = self.scope.code if self.scope else None
        self._deepest: regions.Region | None = None
        self._year: int | None = published_on.year if published_on else None
        self._year_known = published_on is not None
        title = _WORK_REPORT.search(n, 0, min(len(n), 400))
        self.work_report = bool(title) or "work_report" in (meta.genre or "")
        # where a work report's title line ends ("2026年福建省政府工作报告"): its year is the delivery year
        self.report_title_end = self.paragraph(title.start())[1] if title else 0
        self.agencies = AgencyReader(n, meta.title)
        self.sections = self._sections()
        self.section_starts = [s for s, _ in self.sections]
        self.plan_start = self._plan_start()
        self.year_end_review = self._is_year_end_review()
        self._opening: Period | None = None
        self._opening_known = False
        self._cutoff: Period | None = None
        self._cutoff_known = False

    def deepest_scope(self) -> regions.Region | None:
        """The document's area for a figure that names none: with no publisher to say whose figures they
        are, the district or city the text talks about most inside it ("苏家屯区" six times in a story
        that names 沈阳 twice), else the document's area."""
        if self._deepest is None:
            self._deepest = self.scope
            if self.meta.publisher is None and self.scope is not None and self.scope.level == "province":
                text = self.norm[:10000]
                named = [m.region.code for m in regions.find_mentions(text)]
                for level in ("county", "prefecture"):
                    r = regions.dominant_region(text, level=level)
                    # …only when the text names it more often than the province itself
                    if r is not None and regions.is_within(r.code, self.scope.code) \
                            and named.count(r.code) > named.count(self.scope.code):
                        self._deepest = r
                        break
        return self._deepest

    def _is_area(self, m: regions.Mention, para: Para) -> bool:
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

    def para(self, pos: int) -> Para:
        """Sentence and clause ends and period phrases of the paragraph holding pos, computed once."""
        last = self._last_para
        if last is not None and last.start <= pos < last.end:
            return last
        i = bisect.bisect_right(self.body_starts, pos) - 1
        s, e = self.body[i] if i >= 0 and pos < self.body[i][1] else (pos, pos + 1)
        p = self._paras.get(s)
        if p is None:
            p = Para(s, e)
            self._paras[s] = p
        self._last_para = p
        return p

    def sentence(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence holding pos: after the last sentence end before pos in its
        paragraph, through the first one at or after pos; a piece of it when it is longer than MAX_SENTENCE."""
        got = self._sentences.get(pos)
        if got is not None:
            return got
        p = self.para(pos)
        ends = p.sentence_ends(self)
        j = bisect.bisect_left(ends, pos)
        start = ends[j - 1] + 1 if j > 0 else p.start
        end = ends[j] + 1 if j < len(ends) else p.end
        if end - start > MAX_SENTENCE:
            start, end = p.piece(self, start, end, pos)
        got = self._sentences[pos] = (start, end)
        return got

    def sentence_start(self, pos: int) -> int:
        """Just after the last sentence end before pos in its paragraph, else the paragraph start (or the
        start of pos's piece of a long sentence)."""
        return self.sentence(pos)[0]

    def clause_start(self, pos: int) -> int:
        """Just after the last clause end before pos in its paragraph, else the paragraph start (never
        before the start of pos's sentence piece)."""
        if self._last_clause[0] == pos:
            return self._last_clause[1]
        p = self.para(pos)
        ends = p.clause_ends(self)
        j = bisect.bisect_left(ends, pos)
        start = ends[j - 1] + 1 if j > 0 else p.start
        if pos - start > MAX_SENTENCE // 2:
            start = max(start, self.sentence(pos)[0])
        self._last_clause = (pos, start)
        return start

    def last_match(self, rx: re.Pattern[str], start: int, stop: int, pos: int) -> re.Match[str] | None:
        """The last match of rx.finditer(norm, start, pos), for any pos up to `stop`: the scan of
        [start, stop) is made once and each pos bisects it (only a match running past pos is read again,
        as a scan cut at pos would read it). Patterns that peek past their match are scanned each time."""
        if any(p in rx.pattern for p in _PEEKS):
            found = None
            for m in rx.finditer(self.norm, start, pos):
                found = m
            return found
        key = (rx.pattern, start, stop)
        got = self._scans.get(key)
        if got is None:
            found_all = list(rx.finditer(self.norm, start, stop))
            got = self._scans[key] = (found_all, [m.end() for m in found_all])
        found_all, ends = got
        k = bisect.bisect_right(ends, pos)  # found_all[:k] end by pos
        if k < len(found_all) and found_all[k].start() < pos:
            tail = None
            for m in rx.finditer(self.norm, found_all[k].start(), pos):
                tail = m
            if tail is not None:
                return tail
        return found_all[k - 1] if k else None

    def periods_in(self, start: int, end: int) -> list[PeriodMention]:
        found = self.para(start).periods_of(self)  # in text order
        i = bisect.bisect_left(found, start, key=_start_of)
        j = bisect.bisect_left(found, end, lo=i, key=_start_of)
        return found[i:j]

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
        return self.para(start).mentions(self, start, end)  # in text order

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

    def title_span(self) -> tuple[int, int] | None:
        """Where the text repeats its title near the start ("原标题：…，已立案1件…"), or None."""
        title = self.meta.title
        if not title:
            return None
        i = self.prep.text.find(title, 0, _TITLE_NEAR_START + len(title))
        return (i, i + len(title)) if i >= 0 else None

    def section_start(self, pos: int) -> int | None:
        i = bisect.bisect_right(self.section_starts, pos) - 1
        return self.sections[i][0] if i >= 0 else None


def _start_of(item: PeriodMention | regions.Mention) -> int:
    return item.start


def _strip_spans(text: str, start: int, end: int, periods: list[PeriodMention]) -> str:
    """text[start:end] without the period phrases inside it."""
    out, pos = [], start
    for m in periods:
        if start <= m.start and m.end <= end:
            out.append(text[pos:m.start])
            pos = m.end
    out.append(text[pos:end])
    return "".join(out)


def _meta_region(meta: DocMeta) -> regions.Region | None:
    r = getattr(meta, "region", None)
    if r is None or isinstance(r, regions.Region):
        return r
    return regions.get(str(r))
