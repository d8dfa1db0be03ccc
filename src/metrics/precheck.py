"""Whether a document can hold any figure at all: a cheap, exact test run before the expensive stages.

Every figure starts from a catalogue phrase that announces it: a trigger, a breakdown trigger or a
fallback word of a metric that emits figures (a list item, a past value, a by-region part and every
other rule of metrics.classify extends a figure already announced so; a table row or column is
classified by a trigger in its label). A document in which none of those phrases occurs yields no figure,
so its extraction can be skipped without changing any output. Most news items mention no regulator,
and for them this test is all the extraction there is.

The test is made fast and kept exact in two steps:
1. each phrase pattern needs some literal text in every match (read from its parsed form: 罚款 in
   "罚没款|罚款", 线索 in "(?:投诉|举报)[^,，;；。、\\d]{0,12}线索"); a text holding none of these
   literals is out at once, by one literal-led scan;
2. around each literal found, the phrase patterns with their look-arounds removed (so they match at
   least wherever the originals match, also in the cut-off windows the classifier searches) are tried
   in a window as wide as the longest phrase.
"""

from __future__ import annotations

import re
from functools import cache
from re import _compiler, _constants, _parser  # the stdlib's own regex parser and compiler

from metrics.catalogue import Catalogue, catalogue

_Parsed = _parser.SubPattern
_ASSERTS = (_constants.ASSERT, _constants.ASSERT_NOT, _constants.AT)


def cue_patterns(cat: Catalogue) -> list[str]:
    """The phrases that can announce a figure: triggers, breakdown triggers and fallback words of every
    metric that emits figures (the non-emitting entries only claim numbers, and route none elsewhere)."""
    out: list[str] = []
    for cm in cat.metrics.values():
        spec = cm.spec
        if not spec.emit:
            if any(a.to is not None for a in spec.after):
                out.extend(spec.triggers)  # it could hand a number on to an emitting metric
            continue
        out.extend(spec.triggers)
        if spec.breakdown is not None:
            out.extend(spec.breakdown.triggers)
        if spec.fallback is not None:
            out.extend(re.escape(w) for w in spec.fallback.words)
    return out


def _factors(seq: _Parsed | list) -> set[str] | None:
    """Literal strings one of which every match of the parsed sequence holds (None: no such set).
    Each mandatory item of a sequence gives one; the most selective (longest shortest string) wins."""
    options: list[set[str]] = []
    run = ""
    for op, av in seq:
        if op is _constants.LITERAL:
            run += chr(av)
            continue
        if run:
            options.append({run})
        run = ""
        got: set[str] | None = None
        if op is _constants.SUBPATTERN:
            got = _factors(av[3])
        elif op is _constants.ATOMIC_GROUP:
            got = _factors(av)
        elif op is _constants.BRANCH:
            parts = [_factors(alt) for alt in av[1]]
            got = None if any(p is None for p in parts) else set().union(*parts)  # type: ignore[arg-type]
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT) and av[0] >= 1:
            got = _factors(av[2])
        if got:
            options.append(got)
    if run:
        options.append({run})
    if not options:
        return None
    return max(options, key=lambda o: (min(map(len, o)), -len(o)))


def _strip(seq: _Parsed | list) -> list:
    """The parsed sequence without look-aheads, look-behinds and anchors (it matches a superset)."""
    out = []
    for op, av in seq:
        if op in _ASSERTS:
            continue
        if op is _constants.SUBPATTERN:
            av = (av[0], av[1], av[2], _subpattern(av[3]))
        elif op is _constants.ATOMIC_GROUP:
            av = _subpattern(av)
        elif op is _constants.BRANCH:
            av = (av[0], [_subpattern(alt) for alt in av[1]])
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
            av = (av[0], av[1], _subpattern(av[2]))
        out.append((op, av))
    return out


def _subpattern(seq: _Parsed) -> _Parsed:
    sub = _parser.SubPattern(seq.state, _strip(seq))
    return sub


class Gate:
    """The compiled test: literals every phrase needs, and the phrases without look-arounds."""

    def __init__(self, patterns: list[str]) -> None:
        literals: set[str] = set()
        self.exact = True
        for p in patterns:
            got = _factors(_parser.parse(p))
            if got is None:  # a phrase with no literal in it: the test cannot be cut short
                self.exact = False
                break
            literals |= got
        self.longest_literal = max(map(len, literals), default=0)
        # longest first, so a literal inside another does not end the other's match early
        self.literals = re.compile("|".join(map(re.escape, sorted(literals, key=lambda w: (-len(w), w)))) or "(?!)")
        union = _parser.parse("|".join(f"(?:{p})" for p in patterns) or "(?!)")
        loose = _subpattern(union)
        self.loose = _compiler.compile(loose, 0)
        hi = loose.getwidth()[1]
        self.width = hi if hi < _constants.MAXREPEAT else None

    def can_hold(self, text: str) -> bool:
        """False only when no figure-announcing phrase occurs anywhere in text."""
        if not self.exact or self.width is None:
            return True
        reach = self.width + self.longest_literal
        checked = 0  # text before this was already tried
        for m in self.literals.finditer(text):
            if m.end() + reach <= checked:
                continue
            lo = max(checked, m.start() - reach)
            hi = min(len(text), m.end() + reach)
            if self.loose.search(text, lo, hi) is not None:
                return True
            checked = max(lo, hi - self.width)  # a phrase ending past hi may start in the last width chars
        return False


@cache
def gate() -> Gate:
    """The gate of the packaged catalogue, built once per process."""
    return Gate(cue_patterns(catalogue()))
