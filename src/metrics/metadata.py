"""Document metadata read from the text itself: title, publisher, publication date, region and genre.

Pure: works on a Prepared text (prepare.py). The date comes, in order of trust, from a page field
(发布时间:), a feed dateline (2023-08-02,正文:), a delivery line (2025年1月15日在…会议上), the latest
date the BODY implies (never page furniture such as related-news links), and last the file name.
Vocabulary lives in data/doc_metadata.yaml.
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Any

import yaml

from metrics import regions
from metrics.paths import PACKAGE_DATA
from metrics.prepare import Prepared
from metrics.regions import Region

METADATA_YAML = PACKAGE_DATA / "doc_metadata.yaml"
DATE_SOURCES = ("field", "dateline", "delivery", "implied", "name", "none")
# How much of published_on the text states: the day, or only the year (the day given is a stand-in:
# 1 January for a file name's year, 31 December for a body naming a year but no day of it).
DATE_PRECISIONS = ("day", "year")
GENRES = ("work_report", "digest", "speech", "news", "bureau_report", "other")

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
_HEAD_RE = re.compile(r"[^\n]{0,80}?,正文:")
_DATELINE_DATE_RE = re.compile(r"(?<!\d)(\d{4}|\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_FULL_DATE_RE = re.compile(r"(?<!\d)" + _DATE + r"(?!\d)")
_YEAR_RE = re.compile(r"(?<![\d.\-–—~])((?:19[89]|20\d)\d)(?=年|版)")
_MONTH_DAY_RE = re.compile(r"(?<![\d年./-])(\d{1,2})月(\d{1,2})日")
_NAME_YEAR_RE = re.compile(r"(?<!\d)((?:19[89]|20\d)\d)(?!\d)")
# Literal characters every match of the three patterns above holds at a known distance from its start:
# scanning for these (fast literal search) and trying the pattern only there gives the same matches
# as a scan that tries the pattern at every digit. (pattern, anchor literals, distances from a match
# start to its anchor, whether blanks may stand between the digits and the anchor)
_DATE_SCANS = {
    "full": (_FULL_DATE_RE, ("-", "/", ".", "年"), (4,), True),       # 2023 年 / 2023-…: four digits
    "year": (_YEAR_RE, ("年", "版"), (4,), False),                    # 2023年
    "month_day": (_MONTH_DAY_RE, ("月",), (2, 1), False),             # 12月 / 8月
}
# What must follow an anchor for a match to be possible (checked by the scan itself, so a decimal
# point in 98.5% or a 年 in 年度 is dropped without a Python step): a full date's first separator is
# followed by a month and its second separator.
_AFTER_ANCHOR = {"full": r"(?=\s*\d{1,2}\s*[-/.月])", "year": "", "month_day": r"(?=\d{1,2}日)"}
_DIGIT_BEFORE = {"full": False, "year": True, "month_day": True}  # the anchor follows a digit directly
_ANCHORS = {kind: tuple(re.compile(re.escape(c) + (rf"(?<=\d{re.escape(c)})" if _DIGIT_BEFORE[kind] else "")
                                   + _AFTER_ANCHOR[kind]) for c in scan[1])
            for kind, scan in _DATE_SCANS.items()}
_SENTENCE_END = tuple("。!?;；")
_FIELD_COLON = re.compile(r":(?=\s*\d{4}\s*[-/.年])")  # the colon of a "发布时间: 2017-11-23" field
_FIELD_BEFORE = frozenset(" \t\n\r|\u3000\u00a0【[")
# A bureau named only by its level ("省市场监管局", "自治区市场监管局") and the levels it may sit at.
_LEVEL_BY_PREFIX = {"自治区": ("province",), "省": ("province",), "市": ("prefecture", "county"), "区": ("county",),
                    "县": ("county",), "": ("county", "prefecture", "province")}


@dataclass(slots=True)
class DocMeta:
    """What a document says about itself; None where the text does not say."""

    title: str | None
    publisher: str | None
    published_on: date | None
    date_source: str
    region: Region | None
    genre: str
    date_precision: str | None = None  # "day" or "year" (see DATE_PRECISIONS); None without a date


class MetadataConfigError(ValueError):
    """doc_metadata.yaml is malformed."""


@dataclass(slots=True, frozen=True)
class _Conf:
    field_dates: tuple[tuple[str, re.Pattern[str]], ...]  # field name, "name: date" pattern
    delivery: re.Pattern[str]
    delivery_gate: str
    future_before: re.Pattern[str]
    future_after: re.Pattern[str]
    lede_stop: re.Pattern[str]
    title_max: int
    heading_max: int
    publisher_field: re.Pattern[str]
    bureau: re.Pattern[str]
    government_words: tuple[str, ...]
    digest: re.Pattern[str]
    work_report: re.Pattern[str]
    genres: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]  # genre, pattern, literals it needs
    name_hints: tuple[tuple[str, int], ...]


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _conf() -> _Conf:
    with METADATA_YAML.open(encoding="utf-8") as fh:
        raw: dict[str, Any] = yaml.safe_load(fh)
    expected = {"dates", "title", "publisher", "genre"}
    if set(raw) != expected:
        raise MetadataConfigError(f"{METADATA_YAML.name}: sections must be {sorted(expected)}, got {sorted(raw)}")
    d, t, p = raw["dates"], raw["title"], raw["publisher"]
    for h in d.get("name_hints") or []:
        if set(h) != {"glob", "year", "why"}:
            raise MetadataConfigError(f"{METADATA_YAML.name}: a name hint needs glob, year and why: {h!r}")
    for g in raw["genre"]:
        if not {"genre", "pattern"} <= set(g) <= {"genre", "pattern", "needs"} or g["genre"] not in GENRES:
            raise MetadataConfigError(f"{METADATA_YAML.name}: bad genre rule {g!r}; genres are {GENRES}")
    return _Conf(
        field_dates=tuple((f, re.compile(rf"{re.escape(f)}\s*:\s*{_DATE}")) for f in d["field_names"]),
        delivery=re.compile(d["delivery"]),
        delivery_gate=str(d.get("delivery_gate") or ""),
        future_before=re.compile(rf"(?:{_alt(d['future_before'])})\s*:?\s*$"),
        future_after=re.compile(rf"^\s*(?:{_alt(d['future_after'])})"),
        lede_stop=re.compile(rf"{_alt(t['lede_starts'])}|。|\s{{2,}}|\s来源|{t['lede_dateline']}"),
        title_max=int(t["max_len"]),
        heading_max=int(t["heading_max_len"]),
        publisher_field=re.compile(rf"(?:{_alt(p['field_names'])})\s*:\s*([\u4e00-\u9fffA-Za-z·()]{{2,40}})"),
        bureau=re.compile(_alt(p["bureau_suffixes"])),
        government_words=tuple(p["government_words"]),
        digest=re.compile(p["digest"]),
        work_report=re.compile(p["work_report"]),
        genres=tuple((g["genre"], re.compile(g["pattern"], re.M), tuple(g.get("needs") or ())) for g in raw["genre"]),
        name_hints=tuple((h["glob"], int(h["year"])) for h in d.get("name_hints") or []),
    )


def _date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _body_text(prep: Prepared) -> str:
    return "\n".join(prep.norm[s:e] for s, e in prep.body)


def _is_future(text: str, start: int, end: int) -> bool:
    c = _conf()
    return bool(c.future_before.search(text[max(0, start - 4):start]) or c.future_after.match(text[end:end + 4]))


def _scan(kind: str, text: str) -> list[re.Match[str]]:
    """What _DATE_SCANS[kind]'s pattern.finditer(text) yields: a match's digits end right before its
    anchor character (or the blanks before it), at one of the listed distances, so only those starts
    are tried."""
    rx, _literals, distances, blanks = _DATE_SCANS[kind]
    anchors = sorted(m.start() for a in _ANCHORS[kind] for m in a.finditer(text))
    out: list[re.Match[str]] = []
    pos = 0
    for p in anchors:
        if p < pos:
            continue
        q = p
        if blanks:
            while q > pos and text[q - 1].isspace():
                q -= 1
        if q == 0 or not text[q - 1].isdecimal():
            continue
        for d in distances:
            k = q - d
            if k >= pos and (m := rx.match(text, k)) is not None:
                out.append(m)
                pos = m.end()
                break
    return out


def _implied_date(body: str) -> tuple[date, str] | None:
    """The latest date the body implies: the latest year it names, then its latest day in that year;
    with its precision ("year" when the body names no day of that year)."""
    ceiling = date.today().year + 1
    days: list[date] = []
    for m in _scan("full", body):
        d = _date(int(m[1]), int(m[2]), int(m[3]))
        if d is not None and d.year <= ceiling and not _is_future(body, m.start(), m.end()):
            days.append(d)
    years: list[int] = []
    for m in _scan("year", body):
        y = int(m[1])
        if y <= ceiling and not _is_future(body, m.start(), m.end() + 1):
            years.append(y)
    if days:
        # A bare year later than every full date names a plan ("编制2023年随机抽查计划"), not the past.
        year = max(d.year for d in days)
        years = [y for y in years if y <= year]
    if not years and not days:
        return None
    year = max(years + [d.year for d in days])
    in_year = [d for d in days if d.year == year]
    for m in _scan("month_day", body):
        d = _date(year, int(m[1]), int(m[2]))
        if d is not None and not _is_future(body, m.start(), m.end()):
            in_year.append(d)
    return (max(in_year), "day") if in_year else (date(year, 12, 31), "year")


def read_date(prep: Prepared, name: str = "", body: str | None = None) -> tuple[date | None, str]:
    """(published_on, date_source): field, dateline, delivery, implied by the body, file name, none.
    `body` is the joined body text when the caller has it already."""
    published_on, source, _precision = _read_date(prep, name, body)
    return published_on, source


def _read_date(prep: Prepared, name: str, body: str | None) -> tuple[date | None, str, str | None]:
    """read_date with the date's precision ("day", "year", None without a date)."""
    c = _conf()
    norm = prep.norm
    # every field match holds a colon followed by a date: find those colons first (a literal scan),
    # then try each field name, in the order of trust the vocabulary lists them, right before them
    colons = [m.start() for m in _FIELD_COLON.finditer(norm, 0, 4000)]
    for field_name, field in c.field_dates if colons else ():
        for colon in colons:
            q = colon
            while q > 0 and norm[q - 1].isspace():
                q -= 1
            s = q - len(field_name)
            m = field.match(norm, s, 4000) if s >= 0 and norm.startswith(field_name, s) else None
            if m is None:
                continue
            if m.start() > 0 and norm[m.start() - 1] not in _FIELD_BEFORE:
                continue  # "…的时间:" inside prose is not a page field
            d = _date(int(m[1]), int(m[2]), int(m[3]))
            if d is not None:
                return d, "field", "day"
    head = _HEAD_RE.match(norm.lstrip())
    if head:
        m = _DATELINE_DATE_RE.search(head.group())
        if m:
            y = int(m[1])
            d = _date(y + 2000 if y < 100 else y, int(m[2]), int(m[3]))
            if d is not None:
                return d, "dateline", "day"
    opening = norm[:3000]
    m = c.delivery.search(opening) if c.delivery_gate in opening else None
    if m:
        d = _date(int(m[1]), int(m[2]), int(m[3]))
        if d is not None:
            return d, "delivery", "day"
    implied = _implied_date(_body_text(prep) if body is None else body)
    if implied is not None:
        return implied[0], "implied", implied[1]
    m = _NAME_YEAR_RE.search(name)
    if m:
        return date(int(m[1]), 1, 1), "name", "year"
    for pattern, year in c.name_hints:
        if name and fnmatch.fnmatch(name, pattern):
            return date(year, 1, 1), "name", "year"
    return None, "none", None


def read_title(prep: Prepared, title_hint: str | None = None) -> str | None:
    """The first heading line of the body, else the feed's 原标题, else the reader's hint, else an attachment name."""
    c = _conf()
    norm, text = prep.norm, prep.text
    if prep.body:
        s, e = prep.body[0]
        first = norm[s:e]
        if len(first) <= c.heading_max and not first.endswith(_SENTENCE_END) and "\n" not in first:
            return " ".join(text[s:e].split())
    m = re.search(r"原标题\s*:\s*", norm)
    if m:
        start = m.end()
        window = norm[start:start + c.title_max * 2]
        stop = c.lede_stop.search(window, 1)
        cand_end = stop.start() if stop else min(len(window), c.title_max)
        cand = window[:cand_end]
        # Feeds sometimes print the title twice in a row: keep one copy.
        for k in range(4, len(cand) // 2 + 1):
            if cand[k:2 * k] == cand[:k]:
                cand_end = k
                break
        title = " ".join(text[start:start + cand_end].split())
        if title:
            return title[: c.title_max]
    if title_hint and title_hint.strip():
        return " ".join(title_hint.split())
    m = re.search(r"附件\s*\d*\s*:?\s*([^\n]{4,80}?)\s*\.(?i:pdf|docx?|wps|ofd)", norm)
    if m:
        return " ".join(text[m.start(1):m.end(1)].split())
    return None


def read_genre(prep: Prepared, title: str | None) -> str:
    """work_report, digest, speech, news, bureau_report or other, by the rules in doc_metadata.yaml."""
    probe = (title or "") + "\n" + prep.norm[:2000]
    for genre, pattern, needs in _conf().genres:
        if (not needs or any(w in probe for w in needs)) and pattern.search(probe):
            return genre
    return "other"


def _bureau_names(norm: str, body: list[tuple[int, int]]) -> list[str]:
    """Market-regulation bureau names in body order, widened left over the region names before them."""
    c = _conf()
    out: list[str] = []
    if not body:
        return out
    starts = [s for s, _ in body]
    # one scan over the body's extent: a bureau word holds no line break, so a hit lies inside one
    # line, and hits on furniture lines between body spans are dropped
    for m in c.bureau.finditer(norm, body[0][0], body[-1][1]):
        i = bisect_right(starts, m.start()) - 1
        if i < 0 or m.end() > body[i][1]:
            continue
        s = body[i][0]
        bs = m.start()
        start = bs
        window_start = max(s, bs - 16)
        mentions = _window_mentions(norm[window_start:bs])
        if mentions:
            # take the chain of names that runs up to the bureau word (gaps like 高新区 allowed)
            chain_end = window_start + mentions[-1].end
            if bs - chain_end <= 4 and _CJK_RUN.fullmatch(norm, chain_end, bs):
                start = window_start + mentions[-1].start
                for prev in reversed(mentions[:-1]):
                    if window_start + prev.end == start:
                        start = window_start + prev.start
                    else:
                        break
        if start == bs:
            if norm[max(s, bs - 2):bs] == "国家":
                start = bs - 2
            else:
                level_word = next((w for w in _LEVEL_BY_PREFIX if w and norm.endswith(w, s, bs)), "")
                start = bs - len(level_word)
        out.append(norm[start:m.end()])
    return out


# The few characters before a bureau word repeat from document to document ("市市场监管局").
_window_mentions = lru_cache(maxsize=8192)(regions.find_mentions)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]*")


# Bureau names repeat across a document and across documents: resolve each once.
_resolve_bureau = lru_cache(maxsize=8192)(regions.resolve_bureau)
# The body's dominant region at a level, computed at most once per level and document.
_Dominant = Callable[[str | None], Region | None]


# How much of the body the dominant region is read from: a report names its own area throughout,
# so its opening pages say as much as the whole (the same answer on every sample and dev document).
DOMINANT_HEAD = 10000


def _dominant(body: str) -> _Dominant:
    memo: dict[str | None, Region | None] = {}
    head = body[:DOMINANT_HEAD]

    def at(level: str | None) -> Region | None:
        if level not in memo:
            memo[level] = regions.dominant_region(head, level=level)
        return memo[level]
    return at


def _unqualified_prefix(name: str) -> str | None:
    """"省" for 省市场监管局, "" for a bare 市场监督管理局, None for a name that carries its place."""
    if _resolve_bureau(name) is not None:  # 市场监管总局 names its area (the country) itself
        return None
    for word in _LEVEL_BY_PREFIX:  # longest first: 自治区 before 区, the bare "" last
        if name.startswith(word) and _conf().bureau.fullmatch(name, len(word)):
            return word
    return None


def _scope_region(name: str, dominant: _Dominant) -> Region | None:
    """Region for a bureau whose name lacks a place (省市场监管局): the body's dominant region at that level."""
    prefix = _unqualified_prefix(name) or ""
    for level in _LEVEL_BY_PREFIX[prefix]:
        region = dominant(level)
        if region is not None:
            return region
    return None


def _publisher_region(name: str, dominant: _Dominant) -> Region | None:
    region = _resolve_bureau(name)
    if region is not None:
        return region
    mentions = regions.find_mentions(name)
    if mentions:
        return mentions[-1].region
    return _scope_region(name, dominant)


def read_publisher(prep: Prepared, title: str | None, genre: str,
                   body: str | None = None) -> tuple[str | None, Region | None]:
    """The issuing body and the region it covers; see the module docstring for the order of evidence.
    `body` is the joined body text when the caller has it already."""
    c = _conf()
    norm = prep.norm
    body = _body_text(prep) if body is None else body
    dominant = _dominant(body)
    if genre == "work_report" and title:
        m = c.work_report.search(title)
        head = title[: m.start()] if m else title
        # the government whose report it is: the last area the title names before 政府工作报告, at any
        # level ("黔东南州2024年政府工作报告" is the prefecture's, "义乌市…" the county's)
        found = [x for x in regions.find_mentions(head) if x.region.level != "country"]
        if found:
            area = found[-1].region
            return f"{area.name}人民政府", area
    if genre == "digest":
        m = c.digest.search(body)
        if m:
            return m.group(1), dominant("province")
    official = []
    for m in c.publisher_field.finditer(norm[:4000]):
        value = m.group(1)
        if any(w in value for w in c.government_words):
            # "来源:八步区市场监管局返回搜狐": the name ends with its bureau word
            ends = [b.end() for b in c.bureau.finditer(value)]
            official.append(value[: ends[-1]] if ends else value)
    # A fully named issuing body in a page field is the best evidence.
    for name in official:
        region = _resolve_bureau(name)
        if region is not None:
            return name, region
    heading = [(s, e) for s, e in prep.body[:1]] if title else []
    bureaus = _bureau_names(norm, heading) + _bureau_names(norm, prep.body[1:] if heading else prep.body)
    qualified = [(n, r) for n in bureaus if (r := _resolve_bureau(n)) is not None]
    for name in bureaus + official:
        prefix = _unqualified_prefix(name)
        if prefix is None:
            region = _publisher_region(name, dominant)
        else:
            # "省市场监管局", "市场监督管理局": the same bureau named in full elsewhere in the body wins,
            # else the region the body talks about at that level.
            levels = _LEVEL_BY_PREFIX[prefix]
            full = next(((n, r) for n, r in qualified if r.level in levels), None)
            if full is not None:
                return full
            region = _scope_region(name, dominant)
        if region is not None:
            return name, region
    candidates = official + bureaus
    if candidates:
        return candidates[0], None
    return None, dominant("province") if body else None


def read_metadata(prep: Prepared, name: str = "", title_hint: str | None = None) -> DocMeta:
    """Title, publisher, publication date, region and genre of a prepared document."""
    title = read_title(prep, title_hint)
    genre = read_genre(prep, title)
    body = _body_text(prep)
    published_on, source, precision = _read_date(prep, name, body)
    publisher, region = read_publisher(prep, title, genre, body)
    return DocMeta(title=title, publisher=publisher, published_on=published_on, date_source=source,
                   region=region, genre=genre, date_precision=precision)

