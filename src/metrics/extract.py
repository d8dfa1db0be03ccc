"""Extract headline figures (metric, value, region, period, subject, provenance) from one document's text.

Pure: text in, Extraction out, no I/O. Number tokens are found by one regex scan over the normalised
body; each is classified by the nearest catalogue trigger in its clause, then given period, region,
year-on-year change and subject from its sentence, paragraph and section.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import date

from metrics.attribute import Dresser
from metrics.catalogue import Catalogue, catalogue
from metrics.classify import Classifier
from metrics.context import CTX, Doc, Hit
from metrics.dedupe import dedupe
from metrics.figures import Figure
from metrics.metadata import DocMeta, read_metadata
from metrics.numbers import find_numbers
from metrics.periods import YearOnly
from metrics.precheck import gate
from metrics.prepare import prepare
from metrics.subjects import SubjectReader
from metrics.unwrap import map_back, unwrap


@dataclass(slots=True)


class Extraction:
    """A document's metadata and the figures found in it."""

    meta: DocMeta
    figures: list[Figure]



_YEAR_ONLY_SOURCES = frozenset(CTX["year_only_date_sources"])


class _Extractor(Classifier, Dresser, SubjectReader):
    """Classify the tokens of one document and dress the hits as Figures."""

    def __init__(self, doc: Doc, cat: Catalogue) -> None:
        self.d = doc
        self.cat = cat

    def run(self) -> list[Figure]:
        d = self.d
        hits: list[Hit] = []
        if not d.body:
            return []
        ends = [e for _s, e in d.body]
        prev: Hit | None = None
        # one scan over the body's extent; tokens outside body spans (furniture) are skipped
        for tok in find_numbers(d.norm, d.body[0][0], min(d.body[-1][1], d.plan_start)):
            i = bisect.bisect_right(d.body_starts, tok.start) - 1
            if i < 0 or tok.end > ends[i] or tok.family == "points":
                continue
            if prev is not None and prev.tok.start < d.body_starts[i]:
                prev = None
            hit = self.classify(tok, prev, hits)
            if hit is None:
                hit = Hit(tok, "none", "none", 0.0, None, d.clause_start(tok.start))
            hits.append(hit)
            prev = hit
        hits.extend(self.table_hits())
        hits.sort(key=lambda h: h.tok.start)
        figures = dedupe(self.dress(hits), d.title_span())
        self.inherit_sampling_scope(figures)
        return figures

    # --- tables ---------------------------------------------------------------------------------


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
    work, back = unwrap(prep)
    if not gate().can_hold(work.norm):  # no phrase that announces a figure: nothing to find (exact)
        return Extraction(meta=meta, figures=[])
    d = Doc(work, meta, ref)
    figures = _Extractor(d, catalogue()).run()
    news = [seg[0] for seg in back] if back is not None else None
    for f in figures:
        f.doc = doc
        if back is not None:
            map_back(f, back, prep.text, news)
    return Extraction(meta=meta, figures=figures)
