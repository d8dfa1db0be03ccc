"""Classify number tokens into metric hits: by the nearest catalogue trigger in the clause, by list
and breakdown position, by an earlier-period value, and from plain-text tables."""

from __future__ import annotations

import re
from decimal import Decimal

from metrics.agency import CASES_ARE, VETOES
from metrics.catalogue import Catalogue, CompiledMetric
from metrics.context import CTX, Doc, Hit
from metrics.numbers import NumberToken
from metrics.tables import INDEX_HEADER, TOTAL_LABEL, UNIT_IN_BRACKETS, YEAR_HEADER, YOY_HEADER, find_tables

# A list continuation between two numbers of one clause: "3711件、3105件和3024件".
_LIST_SEP = re.compile(r"\s*(?:[、]|和|及|与|以及|,)?\s*")
# A labelled list item after a number: "饮料2批次、酒类1批次和食用农产品8批次" (label without a verb).
_LIST_ITEM = re.compile(r"\s*(?:[、]|和|及|与|以及)\s*[^\d、,，;；。:：]{1,12}")
# Context vocabulary (data/context.yaml, loaded in metrics.context).
_RESULT_AFTER_TARGET = re.compile(CTX["result_after_target"])
# A one-party penalty decision's money is no aggregate figure (context.yaml single_case).
_SINGLE_CASE = re.compile(CTX["single_case"])
_SINGLE_CASE_METRICS = frozenset(CTX["single_case_metrics"])
# An unannounced number after "有/是/为" restates something ("其中有8批次样品是…"), after 分 it splits
# work into rounds ("分3批开展"): no category figure.
_PREDICATE_END = re.compile(r"(?:[有是为分]|涉及|包括|含)$")
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
# An earlier period's value right before a number: "（去年春节期间为600件）", "上年同期为6.15万件",
# "2022年为46.0万户", "比2021年的97.8%". It is the same metric as the figure before it, for that period.
_PAST_VALUE = re.compile(
    r"(?:(?P<rel>去年|上年|上一年|前年)|(?P<y>(?:19|20)[0-9]{2})年)(?:同期)?[^()（）,，。;；0-9]{0,8}?(?:为|是|达)$"
    r"|比(?:(?P<rel2>去年|上年)|(?P<y2>(?:19|20)[0-9]{2})年)(?:同期)?的$")
_PAST_VALUE_LAST = frozenset("为是达的")  # every _PAST_VALUE match ends in one of these
# A clause that only lists values for names given before it: "…居前三位，分别为7.12万件、5.86万件".
_RESPECTIVELY = re.compile(r"\s*分别(?:为|是|达到?|有|约)?\s*")
# What opens a breakdown of the figure before it: "其中", "按类别看", "从投诉类别看", "分领域看".
_BREAKDOWN_OPENER = re.compile(CTX["breakdown_opener"])
# What may surround the area name in a by-area part: "其中", "，", "为", "达".
_REGION_PART_REST = re.compile(r"\s*(?:其中)?[,，:：]?\s*(?:为|达|有)?\s*")


class _Seen:
    """What the hits classified so far hold, brought up to date as the list grows, so that no number
    looks back over all the hits before it."""

    __slots__ = ("n", "last_real", "last_emitted", "metrics")

    def __init__(self) -> None:
        self.n = 0
        self.last_real: Hit | None = None  # the last hit with a metric (or excluded)
        self.last_emitted: Hit | None = None  # the last hit of a metric that emits figures
        self.metrics: set[str] = set()


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


class Classifier:
    """Mixin of the extractor: number tokens and table cells → Hits (needs self.d, self.cat)."""

    d: Doc
    cat: Catalogue

    def _seen(self, done: list[Hit]) -> _Seen:
        """The running summary of `done` (the hits so far, only ever appended to)."""
        seen = self.__dict__.get("_seen_state")
        if seen is None:
            seen = self.__dict__["_seen_state"] = _Seen()
        metrics = self.cat.metrics
        for h in done[seen.n:]:
            seen.metrics.add(h.metric)
            if h.metric != "none":
                seen.last_real = h
                if h.metric in metrics and metrics[h.metric].spec.emit:
                    seen.last_emitted = h
        seen.n = len(done)
        return seen

    def _cue_before(self, family: str, cstart: int, pos: int) -> bool:
        """Whether a cue of the family (catalogue any_cue) stands in text[cstart:pos]. Numbers of one
        clause ask in turn: the part read for the number before is not read again, except the cue
        pattern's width back from its end (a cue may straddle it; look-aheads reach at most 16 more)."""
        rx, width = self.cat.any_cue[family], self.cat.cue_width[family]
        state = self.__dict__.setdefault("_cue_state", {})
        last = state.get(family)
        if width is not None and last is not None and last[0] == cstart and last[1] <= pos:
            found = last[2]
            m = rx.search(self.d.norm, found if found >= 0 else max(cstart, last[1] - width - 16), pos)
        else:
            m = rx.search(self.d.norm, cstart, pos)
        state[family] = (cstart, pos, m.start() if m is not None else -1)
        return m is not None

    def _sentence_has(self, rx: re.Pattern[str], sstart: int, send: int) -> list[tuple[int, int]]:
        """Spans of rx's matches in the sentence [sstart, send), found once per sentence."""
        cache = self.__dict__.setdefault("_sentence_matches", {})
        key = (rx.pattern, sstart, send)
        got = cache.get(key)
        if got is None:
            got = cache[key] = [m.span() for m in rx.finditer(self.d.norm, sstart, send)]
        return got

    def table_hits(self) -> list[Hit]:
        """Figures in plain-text tables: year columns with a metric per row, or metric columns with a
        category per row (see metrics.tables)."""
        d = self.d
        out: list[Hit] = []
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

    def _year_table(self, table, years: list) -> list[Hit]:
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
                h = Hit(tok, cm.spec.id, f"{cm.spec.id}:table", 0.8, None, label.start)
                h.extra.update(year=int(y.group(1)), subject=self._label_subject(label.start, unit.start(), cm))
                row_hits.append(h)
            if yoy_col is not None and row_hits and row[yoy_col].number is not None:
                latest = max(row_hits, key=lambda h: h.extra["year"])
                latest.extra["yoy"] = row[yoy_col].number
            out.extend(row_hits)
        return out

    def _label_subject(self, start: int, end: int, cm: CompiledMetric) -> str:
        """The scope a table row's label names ("其中：新登记外资企业（户）" → 外资企业)."""
        h = Hit(NumberToken(end, end, "", Decimal(0), "", "", "", False), cm.spec.id, "table", 0.0, None, start)
        h.seg_start = start
        return self._subject(h, cm)

    def _metric_table(self, table) -> list[Hit]:
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
                h = Hit(tok, cm.spec.id, f"{cm.spec.id}:table", 0.75, None, row[0].start)
                h.extra["subject"] = subject
                out.append(h)
        return out

    # --- classification -------------------------------------------------------------------------

    def classify(self, tok: NumberToken, prev: Hit | None, done: list[Hit]) -> Hit | None:
        d, cat, n = self.d, self.cat, self.d.norm
        cstart = d.clause_start(tok.start)
        seg_start = max(cstart, prev.tok.end) if prev and prev.tok.end > cstart else cstart
        cms = cat.by_family.get(tok.family, [])
        if not cms:
            return None
        # fast path: no cue in the clause, no live list, no bracket, no bare-category default, no 其中
        if tok.family != "batch" and (prev is None or prev.tok.end <= cstart or prev.metric == "none") \
                and not self._cue_before(tok.family, cstart, tok.start):
            near = n[max(cstart, tok.start - 24):tok.start]
            if "(" not in near and "（" not in near \
                    and not (near and near[-1] in _PAST_VALUE_LAST and _PAST_VALUE.search(near)) \
                    and not _RESPECTIVELY.match(n, cstart):
                sstart = d.sentence_start(tok.start)
                if not n.startswith("其中", sstart) and not _BREAKDOWN_OPENER.match(n, sstart) \
                        and not (done and done[-1].metric != "none" and done[-1].tok.start >= sstart
                                 and tok.start - cstart <= 12):
                    return None
        sstart, _ = d.sentence(tok.start)
        hit: Hit | None = None
        if prev is not None and prev.tok.end > cstart and prev.tok.family == tok.family \
                and _LIST_SEP.fullmatch(n, prev.tok.end, tok.start):
            hit = Hit(tok, prev.metric, "list", max(prev.confidence - 0.05, 0.5), None, cstart)
        else:
            found = _last_trigger(cms, n, seg_start, tok.start)
            part = self._breakdown(tok, cms, seg_start, sstart, done) if found is None else None
            if part is not None:  # "新登记经营主体147万户、企业57.3万家": the list names a part of another metric
                hit = part
            elif found is None and prev is not None and prev.tok.end > cstart and prev.tok.family == tok.family \
                    and _LIST_ITEM.fullmatch(n, prev.tok.end, tok.start) \
                    and not cat.between.search(n, prev.tok.end, tok.start):
                # every item of a labelled list is as sure as the first: no decay along the list
                drop = 0.0 if prev.rule == "list-item" else 0.1
                hit = Hit(tok, prev.metric, "list-item", max(prev.confidence - drop, 0.5), None, cstart)
            elif found is not None:
                cm, m = found
                if cat.between.search(n, m.start(), tok.start):
                    return None
                hit = Hit(tok, cm.spec.id, f"{cm.spec.id}:trigger", 0.9, (m.start(), m.end()), cstart)
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
                        return Hit(tok, "excluded", "after", 0.0, None, cstart)
                    # the metric word right after the number ("12批次不合格样品") reads it as surely as a trigger
                    hit.metric, hit.rule = to, f"{to}:after"
                    hit.confidence = max(hit.confidence, 0.85)
                    cm = cat.metrics[to]
                    break
            if cm.exclusion is not None and cm.exclusion.search(n, cstart, tok.start):
                return Hit(tok, "excluded", "excluded", 0.0, None, cstart)
        if cm.spec.exact_only and tok.approx in ("over", "under"):
            return None
        if not self._counted_as(tok, cm, sstart):
            return None
        if self._target(tok, sstart) or cat.after_number.match(n, tok.end):
            return None
        if hit.metric in _SINGLE_CASE_METRICS and self._sentence_has(_SINGLE_CASE, sstart, d.sentence(tok.start)[1]):
            return None
        return self._counted_by(hit)

    def _counted_as(self, tok: NumberToken, cm: CompiledMetric, sstart: int) -> bool:
        """Whether the number counts what the metric counts: one of its counter words ("12起", not
        "三条主线"), no noun after a classifier counter ("10个关键性指标"), and the metric's context in
        its sentence or the one before ("抽检…合格率", not "护培合格率")."""
        n, cat = self.d.norm, self.cat
        counters = cm.spec.counters
        if counters and not any(c in tok.text for c in counters):
            return False
        if tok.family == "count" and any(tok.text.endswith(c) for c in cat.classifier_counters) \
                and not cat.after_classifier.match(n, tok.end):
            return False
        if cm.context is not None:
            send = self.d.sentence(tok.start)[1]
            prev = self.d.sentence_start(sstart - 1) if sstart > self.d.paragraph(tok.start)[0] else sstart
            if cm.context.search(n, prev, send) is None:
                return False
        return True

    def _counted_by(self, hit: Hit) -> Hit | None:
        """The hit as the body counting it reads it: none when that body is not market regulation for
        its metric (police cases, a 12345 hotline's 诉求), complaints when a 12315 centre counts 案件."""
        d = self.d
        kind = d.agencies.kind_at(hit.tok.start, d.paragraph(hit.tok.start))
        if kind is None:
            return hit if d.agencies.counter_cue_before(hit.metric, d.sentence(hit.tok.start)[1]) else None
        if hit.metric in VETOES[kind]:
            return None
        if hit.metric == "cases" and kind in CASES_ARE and hit.trigger is not None \
                and d.norm.startswith("案件", hit.trigger[0]):
            hit.metric, hit.rule = CASES_ARE[kind], f"{CASES_ARE[kind]}:counted-by"
        return hit

    def _target(self, tok: NumberToken, sstart: int) -> bool:
        """Whether the sentence states a target or plan for this number: a target word anywhere in it,
        unless a result word stands between the last one before the number and the number ("全年计划
        抽检2600批次，截至11月底已完成抽检2488批次" reports 2488 done) and none follows it."""
        n, send = self.d.norm, self.d.sentence(tok.start)[1]
        found = self._sentence_has(self.cat.target, sstart, send)
        if not found:
            return False
        if found[-1][0] >= tok.end:
            return True
        return not _RESULT_AFTER_TARGET.search(n, found[-1][1], tok.start)

    def _breakdown(self, tok: NumberToken, cms: list[CompiledMetric], seg_start: int, sstart: int,
                   done: list[Hit]) -> Hit | None:
        """"新设经营主体52.3万户，其中企业15.6万户": a part named right after a figure of another metric."""
        last = self._seen(done).last_real
        if last is None or last.tok.start < sstart:
            return None
        for cm in cms:
            if cm.breakdown is not None and cm.spec.breakdown.of == last.metric \
                    and cm.breakdown.search(self.d.norm, seg_start, tok.start):
                return Hit(tok, cm.spec.id, f"{cm.spec.id}:breakdown", 0.8, None, self.d.clause_start(tok.start))
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

    def _past_value(self, tok: NumberToken, sstart: int, last: Hit | None) -> Hit | None:
        """"526件，同比下降12.3%（去年春节期间为600件）", "52.9万户；2022年为46.0万户": an earlier period's
        value of the figure before it."""
        if last is None or last.tok.start < sstart or last.tok.family != tok.family:
            return None
        m = _PAST_VALUE.search(self.d.norm, max(sstart, last.tok.end, tok.start - 24), tok.start)
        if m is None:
            return None
        rel = m.group("rel") or m.group("rel2")
        year = m.group("y") or m.group("y2")
        hit = Hit(tok, last.metric, f"{last.metric}:past-value", 0.6, None, m.start())
        hit.extra["past"] = ("rel", 2 if rel == "前年" else 1) if rel else ("abs", int(year))
        return hit

    def _fallback(self, tok: NumberToken, cms: list[CompiledMetric], cstart: int, seg_start: int, sstart: int,
                  done: list[Hit]) -> Hit | None:
        """No trigger in the clause: a sampling notice's bare "乳制品140批次", a "其中" sentence
        breaking down the previous sentence's figure, or "…诉求量居前三位，分别为7.12万件、…"."""
        d, n = self.d, self.d.norm
        if seg_start == cstart and _RESPECTIVELY.match(n, cstart) and cstart > sstart:
            found = _last_trigger(cms, n, sstart, cstart)
            if found is not None and found[0].spec.emit and not self.cat.between.search(n, found[1].start(), tok.start):
                return Hit(tok, found[0].spec.id, f"{found[0].spec.id}:respectively", 0.75, None, sstart)
            for cm in cms:  # "…受理量居前三位，分别为…" after figures of that metric
                if cm.fallback is not None and cm.fallback.search(n, sstart, cstart) \
                        and cm.spec.id in self._seen(done).metrics:
                    return Hit(tok, cm.spec.id, f"{cm.spec.id}:respectively", 0.65, None, sstart)
        last = self._seen(done).last_emitted
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
                return Hit(tok, cm.spec.id, f"{cm.spec.id}:fallback", 0.7, None, cstart)
        if last is not None and last.tok.start >= sstart and last.tok.family == tok.family \
                and self._region_part(cstart, tok.start):
            return Hit(tok, last.metric, f"{last.metric}:by-region", 0.7, None, cstart)
        if not predicate and last is not None and last.tok.family == tok.family and last.tok.start >= sstart \
                and last.tok.start < cstart and _BREAKDOWN_OPENER.match(n, cstart) \
                and next((h for h in reversed(done) if h.metric != "none"), None) is last:
            # "受理投诉举报2345件，其中食品类497件、日用品479件": the parts of the sentence's figure
            return Hit(tok, last.metric, f"{last.metric}:breakdown-list", 0.65, None, cstart)
        if not predicate and last is not None and last.tok.family == tok.family \
                and (n.startswith("其中", sstart) or _BREAKDOWN_OPENER.match(n, sstart)):
            k = sstart - 1
            while k > 0 and n[k].isspace():  # a 其中 line breaking down the line before
                k -= 1
            psent = d.sentence(k)[0] if k > 0 else 0
            if last.tok.start >= psent:
                return Hit(tok, last.metric, f"{last.metric}:inherit", 0.6, None, cstart)
        return None

    # --- attributes ---------------------------------------------------------------------------
