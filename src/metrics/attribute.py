"""Dress hits as Figures: the period, area, year-on-year change and quote of each, and values
distributed over the names of a list."""

from __future__ import annotations

import bisect
import re
from datetime import date
from decimal import Decimal

from metrics import regions
from metrics.catalogue import Catalogue
from metrics.context import CTX, Doc, Hit
from metrics.doc_periods import in_year
from metrics.figures import Figure
from metrics.periods import Period

# A year-on-year change after a figure: 同比增长25.93%, 下降3.1%, 同比分别增长26.4%、55.3%.
_YOY = re.compile(
    r"(?P<tb>同比|比上年|比去年|较上年|较去年同期|较去年)?(?P<f1>分别)?(?P<dir>增长|上升|提高|增加|增幅|增|下降|减少|降低|下滑|降幅)了?"
    r"(?P<f2>分别)?(?:为|达)?(?P<vals>(?:(?:超过?|约|近|逾)?\d+(?:\.\d+)?%[、和,]?)+)")
_PCT = re.compile(r"\d+(?:\.\d+)?(?=%)")
_YOY_CHARS = ("%",)  # every _YOY match ends in a percentage: no % in the sentence, no change to read
_DOWN = ("下降", "减少", "降低", "下滑", "降幅")
_YEAR_ITEM = re.compile(r"(?:19|20)[0-9]{2}(?=年)")
_DIGIT = re.compile(r"[0-9]")
# Names of a 分别 list given in quotes: "“食品质量”“商品分量不足”“标签、说明书不规范”" (a 、 inside
# quotes belongs to one name); not a quote longer than a name.
_CITY_ABBREVIATIONS: dict[str, str] = CTX["city_abbreviations"]
_LOCATED_IN = re.compile(f"(?:{CTX['located_in']})(?P<abbr>[{''.join(_CITY_ABBREVIATIONS)}])")
_QUOTED = re.compile(r"[“\"]([^“”\"]{1,20})[”\"]")


class Dresser:
    """Mixin of the extractor: Hits → Figures with period, region, yoy and provenance."""

    d: Doc
    cat: Catalogue

    def dress(self, hits: list[Hit]) -> list[Figure]:
        d, text = self.d, self.d.prep.text
        figures: list[Figure] = []
        kept = [h for h in hits if self.cat.metrics.get(h.metric) is not None and self.cat.metrics[h.metric].spec.emit]
        by_sentence: dict[tuple[int, int], list[Hit]] = {}
        for h in kept:
            para = d.para(h.tok.start)
            para.limit = max(para.limit or 0, h.tok.end)
        for h in kept:
            by_sentence.setdefault(d.sentence(h.tok.start), []).append(h)
        carry: Figure | None = None  # the last figure whose area was not handed out by a list
        last_of: dict[str, Figure] = {}  # the last figure of each metric
        for (ss, se), group in by_sentence.items():
            self._distribute(group, ss)
            yoy = self._yoy(group, ss, se)
            for h in group:
                cm = self.cat.metrics[h.metric]
                pstart, _ = d.paragraph(h.tok.start)
                period, stated = d.period_at(h.tok.start, pstart)
                period = self._override_period(h, period, last_of.get(h.metric))
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
                last_of[h.metric] = figures[-1]
                if how != "list":
                    carry = figures[-1]
        # keep quotes' offsets exact: strip() above may move the start, so recompute bounds
        for f in figures:
            raw = text[f.sentence_start:f.sentence_end]
            lead = len(raw) - len(raw.lstrip())
            f.sentence_start += lead
            f.sentence_end = f.sentence_start + len(f.quote)
        figures.sort(key=lambda f: f.char_start)
        self._inherit_subjects(figures)
        return figures

    def _override_period(self, h: Hit, period: Period, anchor: Figure | None) -> Period:
        """The stated year of a list item ("2021年、2022年…分别…") or of an earlier period's value
        (`anchor`: the last figure of the same metric before it)."""
        if "year" in h.extra:
            y = h.extra["year"]
            return Period("year", date(y, 1, 1), date(y, 12, 31), y, "全年")
        if "past" not in h.extra:
            return period
        kind, n = h.extra["past"]
        base_year = anchor.year if anchor is not None and anchor.year else period.year
        if base_year is None and kind == "rel":
            return Period("unknown", None, None, None, "")
        y = n if kind == "abs" else base_year - n
        if anchor is not None and anchor.period_kind in ("ytd", "quarter", "month") and anchor.period_start \
                and anchor.period_end:
            return Period(anchor.period_kind, in_year(anchor.period_start, y), in_year(anchor.period_end, y), y, "")
        return Period("year", date(y, 1, 1), date(y, 12, 31), y, "全年")

    def _distribute(self, group: list[Hit], ss: int) -> None:
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
                if k >= 0 and not n[head.clause_start:k].strip() and head.clause_start > ss:
                    # "A、B、C等问题比较严重，分别达到x、y、z": the names are in the clause before 分别
                    start = self.d.clause_start(head.clause_start - 1)
                    if not _DIGIT.search(n, start, k):
                        self._split_list(run, start, k)
                elif k >= 0:
                    self._split_list(run, head.clause_start, k)
            i = j

    def _split_list(self, run: list[Hit], start: int, stop: int) -> None:
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
        items = _QUOTED.findall(phrase)
        if len(items) != len(run):
            items = [p.strip("“”\" ") for p in re.split(r"[、]|和(?=[^和]*$)", phrase) if p.strip("“”\" ")]
        if len(items) == len(run):
            for h, item in zip(run, items, strict=True):
                h.extra["subject"] = self._clean_subject(item)

    def _yoy(self, group: list[Hit], ss: int, se: int) -> dict[int, Decimal]:
        """Year-on-year % tied to figures of one sentence: a 分别 list distributes in order."""
        n = self.d.norm
        out: dict[int, Decimal] = {}
        if not any(n.find(c, ss, se) >= 0 for c in _YOY_CHARS):
            return out
        ends = [h.tok.end for h in group]  # in text order: the numbers before a change are a prefix
        ordered = all(a <= b for a, b in zip(ends, ends[1:], strict=False))
        # an earlier period's value ("比2022年的3.97亿元增长16.4%") is the base, not the figure changed
        changed = [h for h in group if not h.rule.endswith(":past-value")]
        changed_ends = [h.tok.end for h in changed]
        for m in _YOY.finditer(n, ss, se):
            if n.endswith("环比", ss, m.start()) or n.endswith("环比", ss, m.start("dir")):
                continue  # month on month, not year on year
            vals = [Decimal(v) for v in _PCT.findall(m.group("vals"))]
            if ordered:  # only the last len(vals) changed figures before it are read
                k = bisect.bisect_right(changed_ends, m.start())
                before = changed[max(0, k - len(vals)):k]
                last = group[bisect.bisect_right(ends, m.start()) - 1] if before else None
            else:  # overlapping table cells: read the group whole
                before = [h for h in changed if h.tok.end <= m.start()]
                last = max((b for b in group if b.tok.end <= m.start()), key=_tok_start, default=None)
            if not before:
                continue
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
                # no other number stands between the figure and its change
                if len(gap) <= 40 and last is not None and last.tok.start <= h.tok.end:
                    out.setdefault(id(h), vals[0])
        return out

    def _region(self, h: Hit, ss: int, pstart: int, last: Figure | None) -> tuple[regions.Region | None, str]:
        """The area of a figure: a distributed list, the nearest name or 全省-like word before it in its
        sentence, the previous figure's area in the paragraph, the section heading, the publisher's area."""
        d = self.d
        if "region" in h.extra:
            return h.extra["region"], "list"
        pos = h.tok.start
        ments = d.mentions_in(ss, pos)
        scopes = d.para(pos).scopes(d)  # in text order: the last one starting in [ss, pos) counts
        k = bisect.bisect_left(scopes, pos, key=_first)
        last_m = ments[-1] if ments else None
        last_s = scopes[k - 1] if k > 0 and scopes[k - 1][0] >= ss else None
        if last_s is not None and (last_m is None or last_s[0] >= last_m.end):
            base = last_m.region if last_m is not None else (d.section_region(pos) or d.scope)
            r = _scope_region(last_s[2], base)
            if r is not None:
                return r, "sentence"
        located = _LOCATED_IN.search(d.norm, last_m.end if last_m is not None else ss, pos)
        if located is not None:  # "香港在穗新设企业": the place they came to, not where from
            r = regions.get(_CITY_ABBREVIATIONS[located.group("abbr")])
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
            return d.deepest_scope(), "document"
        return None, "none"


def _tok_start(h: Hit) -> int:
    return h.tok.start


def _first(item: tuple[int, int, str]) -> int:
    return item[0]


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
