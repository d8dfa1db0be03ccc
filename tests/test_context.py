"""Context of a number: a paragraph's region names, found sentence by sentence on demand."""

from __future__ import annotations

from metrics import regions
from metrics.context import Doc
from metrics.metadata import read_metadata
from metrics.paths import RAW_DIR
from metrics.prepare import prepare


def test_sentence_mentions_equal_a_paragraph_scan() -> None:
    """Names read a sentence at a time are those a scan of the whole paragraph finds, in any order asked."""
    compared = 0
    for path in sorted(RAW_DIR.glob("*.txt")):
        prep = prepare(path.read_text(encoding="utf-8"))
        meta = read_metadata(prep, path.name)
        d = Doc(prep, meta, meta.published_on)
        for s, _e in d.body:
            para = d.para(s)
            ends = [para.end - 1, para.start + (para.end - para.start) // 2, para.start]
            for pos in ends:  # later sentences first: each is scanned alone
                d.mentions_in(pos, para.end)
            got = [(m.start, m.end, m.region.code) for m in d.mentions_in(para.start, para.end)]
            hi = para._sentence_bounds(d)[-1]
            whole = regions.find_mentions(d.norm[para.start:hi], d._within)
            shifted = [regions.Mention(m.start + s, m.end + s, m.surface, m.region) for m in whole]
            want = [(m.start, m.end, m.region.code) for m in shifted if d._is_area(m, para)]
            assert got == want, (path.name, s)
            compared += len(want)
    assert compared > 100


def test_a_name_after_a_full_stop_is_no_heading() -> None:
    """定襄 (a county short form outside the document's province) counts as a heading only at a line start,
    also when its sentence is read alone."""
    prep = prepare("浙江省食品抽检通报\n\n全省抽检合格。定襄：抽检100批次。\n定襄：抽检80批次。\n")
    meta = read_metadata(prep, "x.txt")
    d = Doc(prep, meta, meta.published_on)
    found = [(m.surface, d.norm[m.start - 1]) for s, _e in d.body[1:] for m in d.mentions_in(s, len(d.norm))]
    assert found == [("定襄", "\n")]
