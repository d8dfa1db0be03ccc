"""Join hard-wrapped lines (PDF copies) before extraction and map figure offsets back afterwards."""

from __future__ import annotations

import bisect
import re

from metrics.figures import Figure
from metrics.prepare import Prepared

# Hard-wrapped text: nine lines in ten at most this long, and lines that end without closing a sentence.
_WRAP_MAX_LINE = 50
_LINE_END = re.compile(r"[。！？!?；;：:」”]\s*$")
# A numbered section heading: "二、存在的不足和下一步打算", "（三）…", "3."
_NUMBERED_HEADING = re.compile(r"\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|[0-9]+(?:、|\.(?![0-9])))")
# Cells of a table-like line: runs without blanks.
_TABLE_CELLS = re.compile(r"[^\s]+")


def unwrap(prep: Prepared) -> tuple[Prepared, list[tuple[int, int]] | None]:
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


def map_back(f: Figure, segments: list[tuple[int, int]], text: str, news: list[int] | None = None) -> None:
    """Offsets of a figure found in the unwrapped text, moved back into the stored text (`news`: the
    segments' new starts, when the caller maps many figures)."""
    if news is None:
        news = [seg[0] for seg in segments]

    def old(i: int) -> int:
        k = bisect.bisect_right(news, i) - 1
        return segments[k][1] + (i - segments[k][0])

    f.char_start, f.char_end = old(f.char_start), old(f.char_end - 1) + 1
    f.sentence_start, f.sentence_end = old(f.sentence_start), old(f.sentence_end - 1) + 1
    f.token = text[f.char_start:f.char_end]
    f.quote = text[f.sentence_start:f.sentence_end]
