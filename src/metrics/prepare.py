"""Prepare a document's stored text for matching: a same-length normalised copy and its body spans.

`norm` folds full-width forms to ASCII and traditional characters to simplified, character for
character, so an offset found in `norm` is the same offset in `text`. `body` lists the spans of `text`
that hold the report's prose: page furniture (navigation, field blocks, share buttons, related-news
lists, feed footers; see data/furniture.yaml) and a second copy of a repeated body are left out.
Pure: no I/O beyond loading the two data files once.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from metrics.paths import PACKAGE_DATA

FURNITURE_YAML = PACKAGE_DATA / "furniture.yaml"
CHARMAP_YAML = PACKAGE_DATA / "doc_charmap.yaml"
FURNITURE_KINDS = ("lines", "heads", "tails", "trailing", "inline")
_ENTRY_KEYS = {"catches", "pattern", "example", "invented", "also_before", "needs"}

# Whole-line furniture is short; longer lines are prose and skip the line patterns.
_MAX_FURNITURE_LINE = 300
# Trailing credits sit in the last few dozen characters of a line.
_TRAILING_WINDOW = 160
# A repeated paragraph this long (in characters) is dropped even when it stands alone;
# shorter repeats ("各位代表!", "牵头部门:稽查大队") are dropped only inside a repeated block.
_MIN_LONE_REPEAT = 10

_LINE_RE = re.compile(r"[^\n]+")
_SPACE = " \t\r\n\f\v\u3000\u00a0"
# A line ending in one of these ends in prose, not in a credit.
_SENTENCE_END = "。!?;；”…"


@dataclass(slots=True)
class Prepared:
    """The stored text, its same-length normalised copy, and the (start, end) spans of body prose."""

    text: str
    norm: str
    body: list[tuple[int, int]]

    def body_text(self, sep: str = "\n") -> str:
        """The body spans of `text` joined by `sep` (for display and tests; offsets are lost)."""
        return sep.join(self.text[s:e] for s, e in self.body)

    def in_body(self, start: int, end: int | None = None) -> bool:
        """True when [start, end) lies inside one body span."""
        end = start + 1 if end is None else end
        i = bisect_left(self.body, (start, len(self.text) + 1)) - 1
        return i >= 0 and self.body[i][0] <= start and end <= self.body[i][1]


class FurnitureError(ValueError):
    """furniture.yaml is malformed: an unknown key, a missing field or a pattern that does not compile."""


@cache
def _charmap() -> dict[str, Any]:
    with CHARMAP_YAML.open(encoding="utf-8") as fh:
        conf = yaml.safe_load(fh)
    unknown = set(conf) - {"keep", "extra", "simplified_too"}
    if unknown:
        raise FurnitureError(f"{CHARMAP_YAML.name}: unknown keys {sorted(unknown)}")
    return conf


@cache
def _width_table() -> dict[int, str]:
    conf = _charmap()
    keep = {ord(c) for c in conf.get("keep", [])}
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if cp not in keep}
    for src, dst in (conf.get("extra") or {}).items():
        if len(src) != 1 or len(dst) != 1:
            raise FurnitureError(f"{CHARMAP_YAML.name}: {src!r} -> {dst!r} is not one character to one")
        table[ord(src)] = dst
    return table


@cache
def _width_chars() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(cp)) for cp in _width_table()) + "]")


def _fold_width(text: str) -> str:
    # str.translate walks every character through a dict (slow on CJK text); replacing only the
    # characters present runs at memory speed.
    # Find the first foldable character, replace every copy of it, go on from there: one search per
    # distinct character instead of one match object per occurrence.
    table, rx = _width_table(), _width_chars()
    m = rx.search(text)
    while m is not None:
        pos = m.start()
        ch = text[pos]
        text = text.replace(ch, table[ord(ch)])
        m = rx.search(text, pos)
    return text


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@cache
def _traditional() -> tuple[re.Pattern[str], dict[int, str]]:
    """A regex matching any character OpenCC t2s changes on its own (save those simplified text also
    writes, doc_charmap.yaml `simplified_too`), and the per-character table."""
    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)]
    chars = "".join(chr(cp) for lo, hi in ranges for cp in range(lo, hi))
    converted = _t2s().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("OpenCC t2s changed the number of lines in its character probe")
    also = set(_charmap().get("simplified_too") or "")
    table = {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1 and a not in also}
    cls = "".join(re.escape(chr(cp)) for cp in sorted(table))
    return re.compile(f"[{cls}]"), table


def has_traditional(text: str) -> bool:
    """True when the text holds a character that only traditional script uses."""
    return _traditional()[0].search(text) is not None


def normalise(text: str) -> str:
    """Same-length copy of text for matching: full-width -> ASCII, traditional -> simplified."""
    norm = _fold_width(text)
    pattern, table = _traditional()
    if pattern.search(norm) is None:
        return norm
    cc = _t2s()
    out: list[str] = []
    for line in norm.splitlines(keepends=True):
        if pattern.search(line) is None:
            out.append(line)
            continue
        converted = cc.convert(line)
        # Phrase conversion can change length (rare); then fall back to one character for one.
        out.append(converted if len(converted) == len(line) else line.translate(table))
    return "".join(out)


@dataclass(slots=True, frozen=True)
class _Furniture:
    lines: re.Pattern[str] | None
    heads: re.Pattern[str] | None
    heads_need: tuple[str, ...] | None  # literals one of which every heads match holds (None: no gate)
    tails: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]
    trailing: tuple[re.Pattern[str], ...]
    inline: tuple[re.Pattern[str], ...]


def load_furniture() -> dict[str, list[dict[str, Any]]]:
    """The furniture entries by kind, validated: known keys only, each with catches and pattern."""
    with FURNITURE_YAML.open(encoding="utf-8") as fh:
        conf = yaml.safe_load(fh) or {}
    unknown = set(conf) - set(FURNITURE_KINDS)
    if unknown:
        raise FurnitureError(f"{FURNITURE_YAML.name}: unknown kinds {sorted(unknown)}")
    for kind, entries in conf.items():
        for i, entry in enumerate(entries):
            where = f"{FURNITURE_YAML.name}: {kind}[{i}]"
            bad = set(entry) - _ENTRY_KEYS
            if bad:
                raise FurnitureError(f"{where}: unknown keys {sorted(bad)}")
            if not entry.get("catches") or not entry.get("pattern"):
                raise FurnitureError(f"{where}: needs both 'catches' and 'pattern'")
            if "also_before" in entry and kind != "tails":
                raise FurnitureError(f"{where}: 'also_before' applies to tails only")
            if "needs" in entry and kind != "heads":
                raise FurnitureError(f"{where}: 'needs' applies to heads only")
            try:
                re.compile(entry["pattern"])
            except re.error as exc:
                raise FurnitureError(f"{where}: pattern does not compile: {exc}") from exc
    return {kind: list(conf.get(kind) or []) for kind in FURNITURE_KINDS}


def _union(entries: list[dict[str, Any]]) -> re.Pattern[str] | None:
    if not entries:
        return None
    return re.compile("|".join(f"(?:{e['pattern']})" for e in entries))


@cache
def _furniture() -> _Furniture:
    conf = load_furniture()
    # Tails and inline patterns are scanned over the whole text one by one: each starts with a
    # literal, which the regex engine skips to quickly; a union of them would not.
    return _Furniture(
        lines=_union(conf["lines"]),
        heads=_union(conf["heads"]),
        heads_need=tuple(w for e in conf["heads"] for w in e["needs"])
        if conf["heads"] and all(e.get("needs") for e in conf["heads"]) else None,
        tails=tuple((re.compile(e["pattern"], re.M), tuple(e.get("also_before") or ())) for e in conf["tails"]),
        trailing=tuple(re.compile(e["pattern"]) for e in conf["trailing"]),
        inline=tuple(re.compile(e["pattern"]) for e in conf["inline"]),
    )


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    if s < e and text[s] not in _SPACE and text[e - 1] not in _SPACE:
        return s, e  # the common case: nothing to strip
    while s < e and text[s] in _SPACE:
        s += 1
    while e > s and text[e - 1] in _SPACE:
        e -= 1
    return s, e


def _tail_start(norm: str, start: int, before: tuple[str, ...]) -> int:
    for word in before:
        if norm.startswith(word, start - len(word)):
            return start - len(word)
    return start


def _first_at_or_after(starts: list[int], pos: int) -> int:
    i = bisect_left(starts, pos)
    return starts[i] if i < len(starts) else -1


def _trim_trailing(norm: str, s: int, e: int, trailing: tuple[re.Pattern[str], ...]) -> int:
    """New end of [s, e) after stripping trailing credits; prose ending in a full stop is left alone."""
    while s < e and norm[e - 1] not in _SENTENCE_END:
        for pat in trailing:
            m = pat.search(norm, max(s, e - _TRAILING_WINDOW), e)
            if m:
                e = _strip(norm, s, m.start())[1]
                break
        else:
            break
    return e


def _holds_any(text: str, words: tuple[str, ...], start: int, end: int) -> bool:
    for w in words:
        if text.find(w, start, end) >= 0:
            return True
    return False


def _line_spans(norm: str) -> list[tuple[int, int]]:
    """Spans of one line each, with furniture lines dropped and furniture cut from the others."""
    f = _furniture()
    tail_starts = sorted({_tail_start(norm, m.start(), before) for pat, before in f.tails for m in pat.finditer(norm)})
    cuts = sorted((m.start(), m.end()) for pat in f.inline for m in pat.finditer(norm))
    cut_starts = [c[0] for c in cuts]
    spans: list[tuple[int, int]] = []
    heads_live = f.heads is not None and (f.heads_need is None or _holds_any(norm, f.heads_need, 0, len(norm)))
    for m in _LINE_RE.finditer(norm):
        s, e = _strip(norm, m.start(), m.end())
        if s >= e:
            continue
        if (f.lines is not None and e - s <= _MAX_FURNITURE_LINE and norm[e - 1] != "。"
                and f.lines.fullmatch(norm, s, e)):
            continue
        if heads_live and (f.heads_need is None or _holds_any(norm, f.heads_need, s, e)) \
                and (h := f.heads.match(norm, s, e)):
            s = h.end()
        t = _first_at_or_after(tail_starts, s)
        if 0 <= t < e:
            e = t
        s, e = _strip(norm, s, e)
        e = _trim_trailing(norm, s, e, f.trailing)
        i = bisect_left(cut_starts, s)
        while i < len(cuts) and cuts[i][1] <= e:
            ps, pe = _strip(norm, s, cuts[i][0])
            if ps < pe:
                spans.append((ps, pe))
            s = max(s, cuts[i][1])
            i += 1
        s, e = _strip(norm, s, e)
        if s < e:
            spans.append((s, e))
    return spans


def _drop_repeats(norm: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep the first copy of each paragraph: drop a long exact repeat, and any repeat next to another."""
    seen: set[str] = set()
    repeat: list[bool] = []
    for s, e in spans:
        key = norm[s:e]  # spans are trimmed, so an exact repeat has the same key
        repeat.append(key in seen)
        seen.add(key)
    n = len(spans)
    return [
        (s, e) for i, (s, e) in enumerate(spans)
        if not repeat[i]
        or not (e - s >= _MIN_LONE_REPEAT or (i > 0 and repeat[i - 1]) or (i + 1 < n and repeat[i + 1]))
    ]


def body_spans(norm: str) -> list[tuple[int, int]]:
    """Body-prose spans of a normalised text (offsets valid in the stored text too)."""
    return _drop_repeats(norm, _line_spans(norm))


def prepare(text: str) -> Prepared:
    """Normalise text for matching and find its body spans; offsets in both point into `text`."""
    norm = normalise(text)
    return Prepared(text=text, norm=norm, body=body_spans(norm))
