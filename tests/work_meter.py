"""Count the work extract_text does on one generated input: characters handed to the regex engine plus
Python lines executed. Deterministic (no clock), so a test can compare an input with its double.

Run as a script in a fresh interpreter (tests/test_linear.py does): every pattern the extractor compiles
must go through the counting wrapper, so re is patched before metrics is imported.
    python tests/work_meter.py KIND N   ->  prints {"chars": …, "lines": …, "figures": …}
"""

from __future__ import annotations

import json
import re
import sys
from re import _constants, _parser

# What each kind of pathological document looks like, as a function of its size n (numbers in the run).
INPUTS = {
    # the repro, one sentence of n numbers that nothing announces, after a sentence naming
    # complaints (so the pre-check lets the document through and every number is classified)
    "bare_run": lambda n: "浙江省市场监管局发布投诉情况。" + "，".join(f"{i}件" for i in range(n)),
    # n announced figures in one sentence (every clause a trigger and a number)
    "trigger_run": lambda n: "浙江省市场监管局：" + "，".join(f"受理投诉{i}件" for i in range(n)),
    # a sampling table pasted as one line: counts, failures and rates, with period phrases
    "sampling_run": lambda n: "2023年，浙江省" + "，".join(
        f"{i % 12 + 1}月抽检食品{i}批次，不合格{i % 7}批次，合格率9{i % 10}.5%" for i in range(n)),
    # n short lines, each a figure with a year-on-year change (hard-wrapped text is joined first)
    "lines": lambda n: "浙江省市场监管局\n" + "\n".join(f"受理投诉{i}件，同比增长{i % 50}%" for i in range(n)),
    # a list of n values after one trigger, with areas and bracketed earlier values
    "list_run": lambda n: "罚没款" + "、".join(
        ["杭州市", "宁波市", "温州市", "嘉兴市"][i % 4] + f"{i}万元（去年同期为{i + 1}万元）" for i in range(n)),
}

COUNT = {"chars": 0}


def _width(p: re.Pattern[str]) -> int | None:
    hi = _parser.parse(p.pattern, p.flags).getwidth()[1]
    return None if hi >= _constants.MAXREPEAT else hi


class _Counting:
    """A compiled pattern that adds the length of the text each call may read to COUNT["chars"]: the
    range a scan reads up to its match (all of it for finditer); for an anchored match the pattern's
    width, or what an unbounded one matched."""

    __slots__ = ("_p", "_w")

    def __init__(self, p: re.Pattern[str]) -> None:
        self._p = p
        self._w = _width(p)

    def __getattr__(self, name: str) -> object:
        return getattr(self._p, name)

    @staticmethod
    def _range(string: str, pos: int, endpos: int) -> int:
        return max(0, min(endpos, len(string)) - pos)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        m = self._p.search(string, pos, endpos)  # a scan stops where it matches
        r = self._range(string, pos, endpos)
        COUNT["chars"] += r if m is None else min(r, m.end() - pos + 1)
        return m

    def _anchored(self, m: re.Match[str] | None, string: str, pos: int, endpos: int) -> re.Match[str] | None:
        r = self._range(string, pos, endpos)
        if self._w is not None:
            COUNT["chars"] += min(r, self._w + 1)
        else:  # unbounded (\s*…, \d+…): what it matched, and the character that stopped it
            COUNT["chars"] += min(r, (m.end() - pos if m is not None else 0) + 1)
        return m

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._anchored(self._p.match(string, pos, endpos), string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._anchored(self._p.fullmatch(string, pos, endpos), string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize):  # type: ignore[no-untyped-def]
        COUNT["chars"] += self._range(string, pos, endpos)
        return self._p.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list:
        COUNT["chars"] += self._range(string, pos, endpos)
        return self._p.findall(string, pos, endpos)

    def sub(self, repl, string: str, count: int = 0) -> str:  # type: ignore[no-untyped-def]
        COUNT["chars"] += len(string)
        return self._p.sub(repl, string, count)

    def subn(self, repl, string: str, count: int = 0):  # type: ignore[no-untyped-def]
        COUNT["chars"] += len(string)
        return self._p.subn(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list:
        COUNT["chars"] += len(string)
        return self._p.split(string, maxsplit)


def _install() -> None:
    """Route re.compile and the re module functions through _Counting (before metrics is imported)."""
    plain = re._compile  # type: ignore[attr-defined]

    def counting(pattern, flags):  # type: ignore[no-untyped-def]
        if isinstance(pattern, _Counting):
            return pattern
        return _Counting(plain(pattern, flags))

    re._compile = counting  # type: ignore[attr-defined]


def measure(kind: str, n: int) -> dict[str, int]:
    """The work of extract_text on INPUTS[kind](n), after a warm-up that loads every table."""
    from metrics.extract import extract_text

    extract_text("2020年，福建省罚没款1元，抽检食品12批次，合格率99.5%。")
    text = INPUTS[kind](n)
    lines = 0

    def trace(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal lines
        if event == "line":
            lines += 1
        return trace

    COUNT["chars"] = 0
    sys.settrace(trace)
    try:
        figures = extract_text(text).figures
    finally:
        sys.settrace(None)
    return {"chars": COUNT["chars"], "lines": lines, "figures": len(figures)}


if __name__ == "__main__":
    _install()
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
