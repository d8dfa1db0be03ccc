"""Read a figure's subject (what was sampled, whose complaints, which enterprises) from the words
before its number, and carry subjects and sampling scope between figures."""

from __future__ import annotations

import bisect
import re

from metrics.catalogue import Catalogue, CompiledMetric
from metrics.context import CTX, Doc, Hit
from metrics.figures import Figure

# Clause ends: the trigger of a number must sit in the same clause. A comma between digits (1,234)
# and a colon inside a time (9:30) are not clause ends.
_CLAUSE_END = re.compile(r"[。!?！？\n;；，:：]|,(?!\d{3})")
# Context vocabulary (data/context.yaml, loaded in metrics.context).
_HEADLINE_ONLY = re.compile(CTX["headline_only"])
_ENTERPRISE_KIND = re.compile(CTX["enterprise_kind"])
_COMPLAINT_WORDS = re.compile(CTX["complaint_words"])
_SAMPLING_SUBJECTS = [(re.compile(e["pattern"]), str(e["subject"])) for e in CTX["sampling_subjects"]]
_SAMPLING_OBJECT = re.compile("|".join(f"(?:{e['pattern']})" for e in CTX["sampling_subjects"]))
_CAMPAIGN = re.compile(CTX["campaign_clause"])
_CAMPAIGN_ACT = re.compile(CTX["campaign_act"])
_CAMPAIGN_METRICS = frozenset(CTX["campaign_metrics"])
_SAMPLING_METRICS = ("sampling_batches", "failed_batches", "pass_rate", "fail_rate")
_DIGIT = re.compile(r"[0-9]")


# The qualifier a registration verb puts before 企业 (context.yaml enterprise_qualifier).
_ENTERPRISE_QUALIFIER = re.compile(CTX["enterprise_qualifier"])
_ENTITY_QUALIFIER = re.compile(CTX["entity_qualifier"])
_ENTERPRISE_SHORT: dict[str, str] = CTX["enterprise_short_forms"]
_REGISTRATION_SCOPE = re.compile(CTX["registration_scope_before"])
_REGISTRATION_ZONE = re.compile(CTX["registration_zone"])
_REGISTRATION_VERB = re.compile(CTX["registration_verb"])
_REGISTRATION_METRICS = ("new_enterprises", "new_market_entities")
# What is sampled, named right after the count (context.yaml sampled_object_after / _not).
_SAMPLED_AFTER = re.compile(CTX["sampled_object_after"])
_SAMPLED_NOT = re.compile(CTX["sampled_object_not"])


class SubjectReader:
    """Mixin of the extractor: the subject words of a figure."""

    d: Doc
    cat: Catalogue

    def _subject(self, h: Hit, cm: CompiledMetric) -> str:
        """The scope words between the clause (or list item) start and the number, with region names,
        period phrases, 全省-like words, verbs and generic words cut out."""
        d, n = self.d, self.d.norm
        start = h.seg_start if h.seg_start >= 0 else h.clause_start
        end = h.tok.start
        if cm.spec.id in _REGISTRATION_METRICS:
            subject = self._registration_subject(h, cm, start, end)
            return cm.spec.subject_rewrite.get(subject, subject)
        if cm.spec.id == "sampling_batches" and h.tok.text:
            after = _SAMPLED_AFTER.match(n, h.tok.end)
            if after is not None and not _SAMPLED_NOT.search(after.group("obj")):
                return self._clean_subject(after.group("obj"))
        cuts = [(m.start, m.end) for m in d.mentions_in(start, end)]
        cuts += [(p.start, p.end) for p in d.periods_in(start, end)]
        scopes = d.para(start).scopes(d)  # in text order
        i = bisect.bisect_left(scopes, start, key=_first)
        cuts += [(a, b) for a, b, _ in scopes[i:bisect.bisect_left(scopes, end, lo=i, key=_first)]]
        if not cm.spec.keep_trigger_in_subject:
            # with the 量 of a volume ("食品抽检量达1.8万批次" → 食品)
            cuts += [(m.start(), m.end() + (n[m.end():m.end() + 1] == "量")) for m in cm.trigger.finditer(n, start, end)]
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

    def _registration_subject(self, h: Hit, cm: CompiledMetric, start: int, end: int) -> str:
        """Which registrations: the kind of enterprise (外资企业, 台企 → 台资企业), the qualifier before 企业
        or 主体 (农业企业, 文化和旅游), else the zone or programme counted in (自贸试验区, “湘商回归”)."""
        n = self.d.norm
        if cm.spec.id == "new_enterprises":
            kind = _ENTERPRISE_KIND.search(n, start, end)
            if kind is not None:
                return kind.group(0)
            for short, full in _ENTERPRISE_SHORT.items():
                if n.find(short, start, end) >= 0:
                    return full
            qualified = _ENTERPRISE_QUALIFIER.search(n, start, end)
        else:
            qualified = _ENTITY_QUALIFIER.search(n, start, end)
        if qualified:
            kind = self._clean_subject(qualified.group("kind")) if cm.spec.id != "new_enterprises" \
                else qualified.group("kind")
            if kind:
                return kind
        verb = _REGISTRATION_VERB.search(n, start, end)
        if verb is not None:
            before = _REGISTRATION_SCOPE.search(n, start, verb.start())
            if before is not None:
                return re.sub(r"[“”\"]", "", before.group("scope"))
        ss = self.d.sentence(h.tok.start)[0]
        zones = list(_REGISTRATION_ZONE.finditer(n, ss, start))
        return self._clean_subject(zones[-1].group("scope")) if zones else ""

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
            if g.metric != f.metric:
                g = self._total_of(figures, i, g)
            if g.metric == f.metric:
                f.subject = g.subject
            elif g.rule != "list-item" and g.metric in self.cat.metrics[f.metric].spec.inherits_scope_from:
                # a labelled list item's label names that item only
                f.subject = self._clean_subject(_COMPLAINT_WORDS.sub("", g.subject)) \
                    if g.metric == "complaints" else g.subject
            if not f.subject:
                f.subject = parent.get(f.sentence_start, "")


    def _total_of(self, figures: list[Figure], i: int, g: Figure) -> Figure:
        """The total g's figure is a part of when g ends a "total, 其中 parts" run of its metric in this
        sentence part ("共计326批次，其中粮食加工品120批次，…乳制品120批次，抽检合格率100%": the rate is
        the total's), else g itself."""
        n, f = self.d.norm, figures[i]
        k = i  # the figures of f's sentence before it: in text order, they end the list before i
        while k > 0 and figures[k - 1].sentence_start == f.sentence_start:
            k -= 1
        run = [x for x in figures[k:i] if x.metric == g.metric
               and n.find(";", x.char_end, f.char_start) < 0 and n.find("；", x.char_end, f.char_start) < 0]
        if len(run) >= 3 and n.find("其中", run[0].char_end, run[1].char_start) >= 0:
            return run[0]
        return g

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
        last_sample: Figure | None = None  # the last sampling figure that is no labelled list item
        first_sample: dict[int, Figure] = {}  # sentence start -> its first sampling figure
        for f in figures:
            if f.metric == "sampling_batches":
                first_sample.setdefault(f.sentence_start, f)
                if f.rule != "list-item":
                    last_sample = f
                continue
            if f.subject or f.metric not in ("failed_batches", "pass_rate", "fail_rate") or last_sample is None:
                continue
            # the sentence's total, not one of its categories ("共抽检3256批次，其中粮食加工品412批次、…")
            sample = first_sample[last_sample.sentence_start]
            if sample.char_start >= d.paragraph(f.char_start)[0]:
                f.subject = sample.subject
        for f in figures:  # no scope inherited either: a campaign the sentence names, what is sampled
            if not f.subject and f.metric in _CAMPAIGN_METRICS:
                f.subject = self._campaign(d.sentence_start(f.char_start), d.clause_start(f.char_start))
            if not f.subject and f.metric in _SAMPLING_METRICS:
                # a table's total row is the table's: no guess from the document at large
                f.subject = self._sampling_object(f.char_start, whole=not f.rule.endswith(":table"))

    def _sampling_object(self, pos: int, whole: bool = True) -> str:
        """What the paragraph before pos says is sampled (context.yaml sampling_subjects), else what the
        document before it says when `whole` ("本期抽检合格率为97.94%" closing a food sampling notice), else ""."""
        d = self.d
        pstart, pend = d.paragraph(pos)
        found = d.last_match(_SAMPLING_OBJECT, pstart, max(pend, pos), pos)
        if found is None and whole:
            found = d.last_match(_SAMPLING_OBJECT, 0, len(d.norm), pos)
        if found is None:
            return ""
        return next(subject for rx, subject in _SAMPLING_SUBJECTS if rx.fullmatch(found.group()))


def _first(item: tuple[int, int, str]) -> int:
    return item[0]
