"""Who is counting: the body a figure's clause speaks for (market regulation, police, courts, a
discipline commission, another enforcer, a government hotline), read from data/agencies.yaml."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_CONF = yaml.safe_load((Path(__file__).with_name("data") / "agencies.yaml").read_text(encoding="utf-8"))
_KINDS: dict[str, dict] = _CONF["kinds"]
_NAMES = re.compile("|".join(f"(?P<{k}>{v['pattern']})" for k, v in _KINDS.items()))
_PARTNER = re.compile(_CONF["partner_before"])
_JOINT = re.compile(_CONF["joint_between"])
_SOURCE_BEFORE = re.compile(_CONF["source_before"])
_SOURCE_AFTER = re.compile(_CONF["source_after"])
_PRECEDENCE: list[str] = _CONF["joint_precedence"]
_MARKET = frozenset(_PRECEDENCE)  # the kinds that are market regulation
_MARKET_NAMES = re.compile("|".join(f"(?:{_KINDS[k]['pattern']})" for k in _PRECEDENCE))
_LOOK_BACK = 16  # the longest partner, list or source phrase before a name
VETOES: dict[str, frozenset[str]] = {k: frozenset(v.get("vetoes", [])) for k, v in _KINDS.items()}
CASES_ARE: dict[str, str] = {k: v["cases_are"] for k, v in _KINDS.items() if v.get("cases_are")}
# Metrics a figure of which needs a market-regulation cue when no body is named (agencies.yaml needs_counter).
NEEDS_COUNTER: dict[str, re.Pattern[str]] = {m: re.compile(p) for m, p in (_CONF.get("needs_counter") or {}).items()}


@dataclass(frozen=True, slots=True)
class Agency:
    """A body named in the text: where, which kind, and its role (counting, joint, partner, source, aside)."""

    start: int
    end: int
    kind: str
    role: str


def find_agencies(text: str, start: int = 0, end: int | None = None) -> list[Agency]:
    """Every body named in text[start:end], in order, with its role."""
    end = len(text) if end is None else end
    out: list[Agency] = []
    depth, last = 0, start
    for m in _NAMES.finditer(text, start, end):
        a, b = m.start(), m.end()
        for ch in text[last:a]:
            if ch in "(（":
                depth += 1
            elif ch in ")）" and depth:
                depth -= 1
        last = a
        before = text[max(start, a - _LOOK_BACK):a]
        if depth:
            role = "aside"
        elif _SOURCE_BEFORE.search(before) or _SOURCE_AFTER.match(text, b, min(end, b + 12)):
            role = "source"
        elif _PARTNER.search(before):
            role = "partner"
        elif out and out[-1].role != "aside" and _JOINT.fullmatch(text, out[-1].end, a):
            # one more of a list: partners and sources stay so, counting bodies count together
            role = out[-1].role if out[-1].role in ("partner", "source") else "joint"
        else:
            role = "counting"
        out.append(Agency(a, b, m.lastgroup or "", role))
    return out


class AgencyReader:
    """The counting body at a position of one document, each paragraph scanned once."""

    def __init__(self, text: str, title: str | None) -> None:
        self.text = text
        self._paras: dict[int, tuple[list[Agency], list[int]]] = {}
        title_found = find_agencies(title or "")
        self.title_kind = _kind_before(title_found, None)
        self._title_market = any(a.kind in _MARKET for a in title_found)
        self._first_market: int | None = None  # where the text first names a market-regulation body
        self._first_cue: dict[str, int] = {}  # metric -> where the text first holds its needs_counter cue
        self._title = title or ""

    def counter_cue_before(self, metric: str, pos: int) -> bool:
        """Whether the metric needs no cue (agencies.yaml needs_counter), or the title or the text before
        pos names a market-regulation body or holds the metric's cue."""
        cue = NEEDS_COUNTER.get(metric)
        if cue is None or self.market_named_before(pos) or cue.search(self._title):
            return True
        first = self._first_cue.get(metric)
        if first is None:
            m = cue.search(self.text)
            first = self._first_cue[metric] = m.start() if m else len(self.text)
        return first < pos

    def market_named_before(self, pos: int) -> bool:
        """Whether the title or the text before pos names a market-regulation body or a 12315 centre."""
        if self._title_market:
            return True
        if self._first_market is None:
            m = _MARKET_NAMES.search(self.text)
            self._first_market = m.start() if m else len(self.text)
        return self._first_market < pos

    def _para(self, pstart: int, pend: int) -> tuple[list[Agency], list[int]]:
        got = self._paras.get(pstart)
        if got is None:
            found = find_agencies(self.text, pstart, pend)
            got = self._paras[pstart] = (found, [a.start for a in found])
        return got

    def kind_at(self, pos: int, para: tuple[int, int]) -> str | None:
        """The kind of the body counting at pos: the last one named before it in its paragraph (with the
        list it heads), else the title's, else None."""
        found, starts = self._para(*para)
        i = bisect.bisect_left(starts, pos)
        while i > 0 and found[i - 1].end > pos:
            i -= 1
        return _kind_before(found[:i], self.title_kind) if i else self.title_kind


def _kind_before(found: list[Agency], default: str | None) -> str | None:
    """The kind counting after the last of `found`: the last counting body and the joint ones after it."""
    group: list[str] = []
    for a in reversed(found):
        if a.role in ("joint", "counting"):
            group.append(a.kind)
            if a.role == "counting":
                break
        elif group:
            break
    if not group:
        return default
    for kind in _PRECEDENCE:
        if kind in group:
            return kind
    return group[-1]
