"""Find number tokens with their unit, scale and qualifier in normalised text, as exact Decimals.

One compiled regex scans the whole text; nothing converts text outside a token the grammar cut out,
so offsets stay true and place names such as 四川 are never read as numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import NamedTuple

import yaml

DATA = Path(__file__).with_name("data")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9,
              "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10000, "亿": 100000000}
# Last characters of the qualifiers that may stand before a number (超, 约, 近, 逾, 不足 …), filled on load.
_BEFORE_CHARS: set[str] = set()
# A bare scale word read as a number when a qualifier goes with it (近千件, 超万户, 百余家).
_LONE_SCALE = {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 100000000}
# A yuan sign before a number: "￥41,300.00", "¥500万". Not inside a longer number.
_CURRENCY_SIGNS = ("¥", "￥")
_CURRENCY = re.compile(r"[¥￥]\s?(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)(?P<scale>万|亿)?元?")


class NumberToken(NamedTuple):
    """A number as printed ("2354.48万余元") with its value in the base unit (a tuple: cheap to build)."""

    start: int
    end: int
    text: str
    value: Decimal
    unit: str      # base unit: 元, 件, 户, 批次, %, 个百分点
    family: str    # money, count, entity, batch, percent, points
    approx: str    # "", over, about, under
    scaled: bool   # a scale word (万/亿) was printed


@dataclass(frozen=True, slots=True)
class _Vocab:
    units: dict[str, tuple[str, str]]
    scales: dict[str, int]
    bare_family: str
    approx_before: dict[str, str]
    approx_inside: dict[str, str]
    approx_after: dict[str, str]
    regex: re.Pattern[str]
    anchor: re.Pattern[str]
    run_chars: frozenset[str]
    before: re.Pattern[str]
    glued: frozenset[str]


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def vocab() -> _Vocab:
    """The unit/scale/qualifier tables of units.yaml and the token regex built from them."""
    raw = yaml.safe_load((DATA / "units.yaml").read_text(encoding="utf-8"))
    units = {k: (v["base"], v["family"]) for k, v in raw["units"].items()}
    scales = {k: int(v) for k, v in raw["scales"].items()}
    cn = "零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟"
    cn_run = cn + "万亿"  # a Chinese numeral may carry its own 万/亿 inside: 一万二千件
    first = re.escape("".join(sorted({w[0] for w in [*raw["approx_inside"], *scales, *units]})))
    # Catches: 10611批次, 1,234件, 2354.48万余元, 8000余万元, 1.5万余元, 98.16%, 两批次, 一千二百件,
    # 超4800家, 800多家, 150件左右, 253.22万 (bare scale, only before punctuation or end).
    # Must not catch: digits inside longer numbers or codes (lookbehind), ordinals 第45期 (第),
    # 〔2017〕16号 / 12315 / 2023年 (no unit word follows), 270.55万人 (unknown unit after 万).
    # The pattern starts at the numeral itself so the scan can skip quickly; a qualifier before it
    # (超4800家, 约3000件) is read by look-behind in find_numbers.
    pattern = (
        rf"(?P<num>[0-9]{{1,3}}(?:,[0-9]{{3}})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|[{cn_run}][{cn_run}]*)"
        rf"(?=[{first}])"  # fail fast: a numeral must be followed by a qualifier, scale or unit
        rf"(?P<q1>{_alt(list(raw['approx_inside']))})?"
        rf"(?P<scale>{_alt(list(scales))})?"
        rf"(?P<q2>{_alt(list(raw['approx_inside']))})?"
        rf"(?:(?P<unit>{_alt(list(units))})|(?<=[万亿])(?![\u4e00-\u9fff0-9]))"
        rf"(?P<post>{_alt(list(raw['approx_after']))})?"
    )
    # Where a token's numeral ends: a numeral character right before a qualifier, scale or unit
    # character. Every token holds one, so the full pattern is only tried around these (a scan led by
    # the numeral class alone would retry every digit of every long number).
    anchor = re.compile(rf"[0-9{cn_run}](?=[{first}])")
    before = re.compile(rf"(?:{_alt(list(raw['approx_before']))})$")
    _BEFORE_CHARS.update(w[-1] for w in raw["approx_before"])
    # The character before a numeral that makes it part of something else (a longer number, a code,
    # an ordinal 第45期, a Chinese numeral run); checked in Python so the scan starts on the numeral.
    glued = frozenset("0123456789.第" + cn + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return _Vocab(units, scales, raw["bare_scale_family"], raw["approx_before"], raw["approx_inside"],
                  raw["approx_after"], re.compile(pattern), anchor, frozenset("0123456789,." + cn_run), before, glued)


def chinese_to_int(s: str) -> int | None:
    """一千二百 -> 1200, 两 -> 2, 十五 -> 15, 二〇二三 -> 2023; None when not a numeral."""
    if not s:
        return None
    if all(c in _CN_DIGITS for c in s):
        if len(s) == 1:
            return _CN_DIGITS[s]
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
        elif c in _CN_BIG:
            total = (total + section + (digit or 0)) * _CN_BIG[c]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def parse_number(num: str) -> Decimal | None:
    """The exact value of an Arabic ("1,234.5") or Chinese ("一千二百") numeral."""
    if num[0].isdigit():
        return Decimal(num.replace(",", ""))
    n = chinese_to_int(num)
    return None if n is None else Decimal(n)


def _token_matches(v: _Vocab, norm: str, start: int, stop: int) -> Iterator[re.Match[str]]:
    """What v.regex.finditer(norm, start, stop) yields, trying the pattern only at the starts of the
    numeral runs that end in an anchor: a match's numeral is one run of digits, separators or Chinese
    numerals ending at an anchor, so every other start fails anyway."""
    pos = start
    match, run_chars = v.regex.match, v.run_chars
    for a in v.anchor.finditer(norm, start, stop):
        p = a.start()
        if p < pos:
            continue
        s = p
        while s > pos and norm[s - 1] in run_chars:
            s -= 1
        for k in range(s, p + 1):
            m = match(norm, k, stop)
            if m is not None:
                yield m
                pos = m.end()
                break
        else:
            pos = p + 1


def find_numbers(norm: str, start: int = 0, end: int | None = None) -> list[NumberToken]:
    """Every number-with-unit token in norm[start:end], in text order."""
    v = vocab()
    out: list[NumberToken] = []
    glued, units, scales, before = v.glued, v.units, v.scales, v.before
    inside, after = v.approx_inside, v.approx_after
    stop = len(norm) if end is None else end
    new_token = tuple.__new__  # NumberToken(...) without the keyword-argument wrapper
    for m in _token_matches(v, norm, start, stop):
        i = m.start()
        if i > 0 and (norm[i - 1] in glued or (norm[i - 1] == "," and i > 1 and norm[i - 2].isdigit())):
            continue
        num, q1, scale, q2, unit_word, post = m.groups()
        pre_m = before.search(norm, max(0, i - 2), i) if i > 0 and norm[i - 1] in _BEFORE_CHARS else None
        if num[0].isdigit():
            value = Decimal(num.replace(",", "")) if "," in num else Decimal(num)
        elif len(num) == 1 and num in _LONE_SCALE:
            # 近千件, 超万户, 千余件, 不足千批次: a bare scale word counts only with a qualifier
            if not (pre_m or q1 or q2) or not unit_word:
                continue
            value = Decimal(_LONE_SCALE[num])
        else:
            # A lone 一 is an article far more often than a count ("查处一起…行为" is one case, "一件事"
            # a slogan); "罚百万" with no unit is a headline phrase.
            if num == "一" or (num[-1] in "万亿" and not unit_word):
                continue
            n = chinese_to_int(num)
            if n is None:
                continue
            value = Decimal(n)
        if unit_word:
            base, family = units[unit_word]
        elif scale:
            base, family = "元", v.bare_family
        else:
            continue
        if scale:
            value *= scales[scale]
        approx = ""
        tok_start = i
        if pre_m:
            tok_start, approx = pre_m.start(), v.approx_before[pre_m.group()]
        if not approx:
            q = q1 or q2
            approx = inside[q] if q else (after[post] if post else "")
        e = m.end()
        out.append(new_token(NumberToken, (tok_start, e, norm[tok_start:e], value, base, family, approx, bool(scale))))
    # ￥41,300.00: money with the sign before it (a literal look for the signs first: scanning for a
    # character class is ten times slower than for a literal)
    signs = any(norm.find(c, start, stop) >= 0 for c in _CURRENCY_SIGNS)
    for m in _CURRENCY.finditer(norm, start, stop) if signs else ():
        num, scale = m.group("num"), m.group("scale")
        value = Decimal(num.replace(",", ""))
        if scale:
            value *= v.scales[scale]
        if not any(t.start <= m.start("num") < t.end for t in out):
            out.append(NumberToken(m.start(), m.end(), m.group(), value, "元", "money", "", bool(scale)))
            out.sort(key=lambda t: t.start)
    return out
