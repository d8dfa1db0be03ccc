"""Region resolver: GB/T 2260 codes for names, headings, bureau names and mentions in report text.

Tables: data/reference/regions.csv (vendored, dated), data/reference/region_changes.csv (renames and
merges since 2017), and beside this file region_aliases.csv, region_stopwords.csv,
region_bureau_words.csv, region_ethnic_groups.csv. Only full names, listed or derived short forms and
headings resolve; anything else stays unknown (None), never guessed.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from metrics.paths import PACKAGE_DATA, PACKAGE_DIR, REFERENCE_DIR

LEVELS = ("country", "province", "prefecture", "county")


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str
    parent: str | None


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    surface: str
    region: Region


COUNTRY = Region("100000", "全国", "country", None)

# How a surface may resolve, from most to least trusted.
FULL, HIST, SHORT, GUARDED, PARENT, LOOKUP, STOP = (
    "full", "hist", "short", "guarded", "parent", "lookup", "stop")
_MODES = frozenset((FULL, HIST, SHORT, GUARDED, PARENT, LOOKUP, "off"))

# Suffixes stripped to derive short forms (longest first). 自治州/县/旗 also lose their ethnic names.
_PREFECTURE_SUFFIXES = ("自治州", "地区", "盟", "市")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "市", "区", "旗")
_ENUM_SEPARATORS = frozenset("、，,/和及与")
# Names of functional zones get no derived short form (苏州工业园区 must not yield 苏州工业园).
_NO_SHORT_FORM = ("新区", "园区", "行政区")
# A guarded short form inside `within` or at a list's edge must stand as a word: the character on its
# open side is punctuation, a digit or Latin letter, or one of these function characters.
_OPEN_BEFORE = frozenset("在到和与及对向为由从是了至自把将被给于即如含据赴往去来共全原、，。；：,;:（(“\"《【[ \t\r\n")
_OPEN_AFTER = frozenset("等的各两三四五六七八九十市县区州地分共均、，。；：,;:）)”\"》】] \t\r\n")
_HEADING_COLONS = frozenset(":：")


@dataclass(frozen=True, slots=True)
class _Change:
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    changed_on: date
    note: str


@dataclass(slots=True)
class _Tables:
    regions: dict[str, Region]
    changes: dict[str, _Change]
    # surface -> list of (code, mode); one surface can name several places at different trust.
    surfaces: dict[str, list[tuple[str, str]]]
    children: dict[str, list[str]]
    pattern: re.Pattern[str]
    # surfaces that name one place and always count (most matches): resolved without further checks
    simple: dict[str, Region]
    bureau_national: tuple[str, ...]
    bureau_local: tuple[str, ...]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#") and line.strip()]
    return list(csv.DictReader(lines))


def level_of(code: str) -> str:
    """A code's level from its shape: XX0000 province, XXYY00 prefecture, else county (100000 country)."""
    if code == COUNTRY.code:
        return "country"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def _strip_ethnic(base: str, groups: tuple[str, ...]) -> str:
    """Drop trailing ethnic names (围场满族蒙古族 -> 围场), keeping at least two characters."""
    changed = True
    while changed:
        changed = False
        for g in groups:
            for form in (g, g.removesuffix("族")):
                if form and base.endswith(form) and len(base) - len(form) >= 2:
                    base = base[: -len(form)]
                    changed = True
                    break
            if changed:
                break
    return base


def _short_form(name: str, suffixes: tuple[str, ...], groups: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = _strip_ethnic(name[: -len(suffix)], groups)
            return base if len(base) >= 2 and base != name else None
    return None


def _trie_regex(words: Iterable[str], bucket: int = 200, sub_bucket: int = 20) -> str:
    """One alternation shaped as a prefix trie; greedy optionals make the longest word win.

    Python's regex engine tries a group's alternatives one by one, which is slow over the ~900 first
    characters of region names. So a node with many children becomes buckets that start with one
    character-class test on the first character and a look-ahead class test on the second, split again
    into sub-buckets, and only then a look-behind per character: ~25x faster than a flat alternation.
    """
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def char_class(chars: Iterable[str]) -> str:
        return "[" + "".join(re.escape(c) for c in chars) + "]"

    def second(chunk: list[tuple[str, dict]]) -> str:
        nexts = set()
        for _, sub in chunk:
            if "" in sub:
                return ""  # a word ends here: no second character to require
            nexts.update(sub)
        return f"(?={char_class(sorted(nexts))})"

    def dispatch(chunk: list[tuple[str, dict]]) -> str:
        return "|".join(f"(?<={re.escape(ch)}){emit(sub)}" for ch, sub in chunk)

    def emit(node: dict) -> str:
        items = [(ch, sub) for ch, sub in sorted(node.items()) if ch]
        if not items:
            return ""
        if len(items) > bucket // 4:
            groups = []
            for i in range(0, len(items), bucket):
                chunk = items[i : i + bucket]
                subs = [chunk[j : j + sub_bucket] for j in range(0, len(chunk), sub_bucket)]
                inner = "|".join(
                    f"(?<={char_class(ch for ch, _ in sc)}){second(sc)}(?:{dispatch(sc)})" for sc in subs
                )
                groups.append(f"{char_class(ch for ch, _ in chunk)}{second(chunk)}(?:{inner})")
            body = "(?:" + "|".join(groups) + ")"
        else:
            alts = [re.escape(ch) + emit(sub) for ch, sub in items]
            body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _reference(name: str) -> Path:
    """A vendored table in data/reference/, also found from the checkout when REGMETRICS_HOME points elsewhere."""
    for folder in (REFERENCE_DIR, PACKAGE_DIR.parents[1] / "data" / "reference"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"region table {name} not found in {REFERENCE_DIR}: restore data/reference/{name}")


@cache
def _tables() -> _Tables:
    regions: dict[str, Region] = {}
    for row in _read_csv(_reference("regions.csv")):
        code = row["code"]
        regions[code] = Region(code, row["name"], row["level"], row["parent"] or None)
    changes: dict[str, _Change] = {}
    for row in _read_csv(_reference("region_changes.csv")):
        changes[row["old_code"]] = _Change(
            row["old_code"], row["old_name"], row["new_code"], row["new_name"],
            date.fromisoformat(row["changed_on"]), row["note"],
        )
    children: dict[str, list[str]] = defaultdict(list)
    for r in regions.values():
        if r.parent:
            children[r.parent].append(r.code)

    groups = tuple(sorted((r["name"] for r in _read_csv(PACKAGE_DATA / "region_ethnic_groups.csv")),
                          key=len, reverse=True))
    surfaces: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in regions.values():
        if r.level != "country":
            # two-character names (范县, 城区) hide inside ordinary words (示范县, 老城区)
            surfaces[r.name].append((r.code, FULL if len(r.name) > 2 else GUARDED))
    for ch in changes.values():
        if ch.old_name not in surfaces:
            surfaces[ch.old_name].append((ch.new_code, HIST if len(ch.old_name) > 2 else GUARDED))

    explicit: dict[str, list[tuple[str, str]]] = defaultdict(list)
    modifiers: dict[str, str] = {}
    for row in _read_csv(PACKAGE_DATA / "region_aliases.csv"):
        alias, code, mode = row["alias"], row["code"], row["mode"]
        if mode not in _MODES:
            raise ValueError(f"region_aliases.csv: {alias}: unknown mode {mode!r}; use one of {sorted(_MODES)}")
        if code:
            explicit[alias].append((code, mode))
        else:
            modifiers[alias] = mode  # applies to the derived short form of that spelling
    derived: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in regions.values():
        if any(w in r.name for w in _NO_SHORT_FORM):
            continue
        if r.level == "prefecture":
            short = _short_form(r.name, _PREFECTURE_SUFFIXES, groups)
            if short:
                derived[short].append((r.code, SHORT))
                if r.name.endswith("自治州") and not short.endswith("州"):
                    derived[short + "州"].append((r.code, SHORT))  # 恩施州, 海西州
        elif r.level == "county":
            short = _short_form(r.name, _COUNTY_SUFFIXES, groups)
            if short:
                derived[short].append((r.code, GUARDED))
    for ch in changes.values():
        short = _short_form(ch.old_name, _COUNTY_SUFFIXES, groups)
        if short and short not in derived:
            derived[short].append((ch.new_code, GUARDED))
    for surface, mode in modifiers.items():
        if surface not in derived:
            raise ValueError(f"region_aliases.csv: {surface}: no derived short form to set to {mode!r}")
        derived[surface] = [] if mode == "off" else [(c, mode) for c, _ in derived[surface]]
    for surface, entries in derived.items():
        if entries and surface not in surfaces and surface not in explicit:
            surfaces[surface].extend(entries)
    for surface, entries in explicit.items():
        if any(m in (FULL, HIST) for _, m in surfaces.get(surface, [])):
            continue  # an alias never overrides a full name (广西壮族自治区 restated adds nothing)
        surfaces[surface] = list(entries)
    stop_words = [r["word"] for r in _read_csv(PACKAGE_DATA / "region_stopwords.csv")]
    for w in stop_words:
        if w not in surfaces:
            surfaces[w] = [("", STOP)]

    bureau = _read_csv(PACKAGE_DATA / "region_bureau_words.csv")
    national = tuple(sorted((b["word"] for b in bureau if b["scope"] == "national"), key=len, reverse=True))
    local = tuple(sorted((b["word"] for b in bureau if b["scope"] == "local"), key=len, reverse=True))

    # What it catches: every full, historical, alias and short name plus the stop words, longest first
    # at each position; scanning is leftmost, so a stop word that starts earlier (公开平台) hides the
    # place inside it (开平). What it must not: lookup-only names are left out of the scan.
    scanned = [s for s, entries in surfaces.items() if any(m != LOOKUP for _, m in entries)]
    pattern = re.compile(_trie_regex(scanned))
    simple = {}
    for surface, entries in surfaces.items():
        if len(entries) == 1 and entries[0][1] in (FULL, HIST, SHORT):
            code = entries[0][0]
            region = COUNTRY if code == COUNTRY.code else regions.get(code)
            if region is None and code in changes:
                region = regions.get(changes[code].new_code)
            if region is None:
                raise ValueError(f"region tables: {surface} points at unknown code {code}")
            simple[surface] = region
    return _Tables(regions, changes, dict(surfaces), dict(children), pattern, simple, national, local)


# ---------------------------------------------------------------------------------------------------
# codes


@cache
def get(code: str) -> Region | None:
    """The current Region for a six-digit code; an old code maps through the change list."""
    if code == COUNTRY.code:
        return COUNTRY
    t = _tables()
    seen = set()
    while code in t.changes and code not in seen and code not in t.regions:
        seen.add(code)
        code = t.changes[code].new_code
    return t.regions.get(code)


@cache
def is_within(code: str, ancestor: str) -> bool:
    """True when `code` is `ancestor` or lies inside it (every region lies within 100000)."""
    if code == ancestor or ancestor == COUNTRY.code:
        return code in _tables().regions or code == COUNTRY.code
    r = get(code)
    regions = _tables().regions
    while r is not None and r.parent:
        if r.parent == ancestor:
            return True
        r = regions.get(r.parent)
    return False


def descendants_of(code: str) -> list[Region]:
    """All regions below `code`, breadth first."""
    t = _tables()
    out: list[Region] = []
    queue = list(t.children.get(code, ()))
    while queue:
        c = queue.pop(0)
        out.append(t.regions[c])
        queue.extend(t.children.get(c, ()))
    return out


@cache
def province_of(code: str) -> Region | None:
    """The province-level ancestor of a code (itself for a province); None for the country."""
    r = get(code)
    while r is not None and r.level not in ("province", "country"):
        r = get(r.parent) if r.parent else None
    return r if r is not None and r.level == "province" else None


def all_regions() -> list[dict]:
    """Rows for the DuckDB `regions` table: current codes plus retired ones with valid_to set.

    valid_from is None throughout: the vendored table does not say when each current code began.
    """
    t = _tables()
    rows = [
        {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent,
         "valid_from": None, "valid_to": None}
        for r in t.regions.values()
    ]
    for ch in t.changes.values():
        lvl = level_of(ch.old_code)
        parent = None
        if lvl == "prefecture":
            parent = ch.old_code[:2] + "0000"
        elif lvl == "county":
            pref = ch.old_code[:4] + "00"
            parent = pref if (pref in t.regions or pref in t.changes) else ch.old_code[:2] + "0000"
        rows.append({"code": ch.old_code, "name": ch.old_name, "level": lvl, "parent": parent,
                     "valid_from": None, "valid_to": ch.changed_on})
    return rows


# ---------------------------------------------------------------------------------------------------
# names


def _pick(codes: list[str], within: str | None) -> str | None:
    """One code out of candidates: `within`'s descendants win; an ancestor of all the rest wins."""
    codes = list(dict.fromkeys(codes))
    if within and len(codes) > 1:
        inside = [c for c in codes if is_within(c, within)]
        if inside:
            codes = inside
    if len(codes) == 1:
        return codes[0]
    for c in codes:
        if all(o == c or is_within(o, c) for o in codes):
            return c
    return None


def lookup(name: str, within: str | None = None) -> Region | None:
    """A region for a full name, known short form or historical name; None if unknown or ambiguous."""
    name = name.strip().replace(" ", "").replace("\u3000", "")
    if not name:
        return None
    t = _tables()
    entries = t.surfaces.get(name)
    if entries and entries[0][1] != STOP:
        # a short form that is also an ordinary word (新兴, 南海) resolves only inside `within`
        usable = [c for c, m in entries if m != PARENT or (within and is_within(c, within))]
        code = _pick(usable, within) if usable else None
        return get(code) if code else None
    # compound names: 浙江省杭州市余杭区, 杭州余杭 -> the last part, each inside the one before
    mentions = find_mentions(name, within)
    if mentions and mentions[0].start == 0 and mentions[-1].end == len(name):
        contiguous = all(a.end == b.start for a, b in zip(mentions, mentions[1:], strict=False))
        nested = all(is_within(b.region.code, a.region.code) for a, b in zip(mentions, mentions[1:], strict=False))
        if contiguous and nested:
            return mentions[-1].region
    return None


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _open_before(text: str, start: int, lo: int) -> bool:
    return start == lo or not _is_cjk(text[start - 1]) or text[start - 1] in _OPEN_BEFORE


def _open_after(text: str, end: int, hi: int) -> bool:
    return end >= hi or not _is_cjk(text[end]) or text[end] in _OPEN_AFTER


def _heading(text: str, start: int, end: int, lo: int, hi: int) -> bool:
    """A section heading such as 北京:抓牢… at the start of a line (`lo`, `hi`: the bounds of the text read)."""
    at_line_start = start == lo or text[start - 1] in "\n\r"
    return at_line_start and end < hi and text[end] in _HEADING_COLONS


def _related(entries: list[tuple[str, str]], code: str) -> bool:
    """A neighbour in a list counts when it can name a place in the same province as `code`."""
    return any(c[:2] == code[:2] for c, m in entries if m not in (STOP, LOOKUP) and c != COUNTRY.code)


def find_mentions(text: str, within: str | None = None, *, start: int = 0, end: int | None = None) -> list[Mention]:
    """Region names in `text` (already normalised), with offsets into it; unresolvable names are skipped.
    With `start`/`end`, the names of text[start:end] (read as if cut out), offsets still into `text`.

    Full names always count; province and prefecture short forms count; a guarded form (county short
    forms, two-character names, short forms that are also common words) counts only right after its
    parent (杭州余杭), in a heading (余杭:), in a list with a place of the same province (阳泉、运城), or
    inside `within`'s province where it stands as a word; a `parent` form (南海, 新兴) only after its
    parent or in a heading. Ambiguous names need `within` or a parent. A rejected candidate does not
    hide a place that starts inside it: 亲临安徽 is 安徽, not 临安.
    """
    t = _tables()
    pattern, surfaces, simple = t.pattern, t.surfaces, t.simple
    scope_region = province_of(within) if within else None
    scope = scope_region.code if scope_region else None
    out: list[Mention] = []
    lo = pos = start
    n = len(text) if end is None else min(end, len(text))
    while True:
        m = pattern.search(text, pos, n)
        if m is None:
            return out
        start, end = m.span()
        surface = m.group()
        region = simple.get(surface)
        if region is not None and (surface[-1] != "市" or end == n or text[end] != "场"):
            out.append(Mention(start, end, surface, region))
            pos = end
            continue
        entries = surfaces[surface]
        if entries[0][1] == STOP:
            pos = end
            continue
        if surface[-1] == "市" and end < n and text[end] == "场":
            # 杭州市场监管局 reads 杭州 + 市场; 合作市场 is no place (合作 resolves to nothing)
            end -= 1
            surface = surface[:-1]
            entries = surfaces.get(surface, [])
            if not entries or entries[0][1] == STOP:
                pos = start + 1
                continue
        prev = out[-1] if out and out[-1].end == start else None
        codes = [c for c, mode in entries if mode != LOOKUP]
        if prev is not None:
            under_prev = [c for c in codes if c != prev.region.code and is_within(c, prev.region.code)]
            if under_prev:
                codes = under_prev
        code = _pick(codes, within)
        mode = next((md for c, md in entries if c == code), None)
        if code is not None and mode in (GUARDED, PARENT):
            ok = (prev is not None and is_within(code, prev.region.code)) or _heading(text, start, end, lo, n)
            if not ok and mode == GUARDED:
                ok = (scope is not None and is_within(code, scope) and _open_before(text, start, lo)) or _listed(
                    text, out, start, end, code, lo, n)
            if not ok:
                code = None
        region = get(code) if code is not None else None
        if region is None:
            pos = start + 1
            continue
        out.append(Mention(start, end, surface, region))
        pos = end


def _listed(text: str, out: list[Mention], start: int, end: int, code: str, lo: int, hi: int) -> bool:
    """The candidate is an item of a list of places (阳泉、运城; 余杭和萧山) with a neighbour in its province.

    The item must be whole: on the side away from its neighbour it meets punctuation or a function
    character, so 丹霞山、江门 does not make 霞山 a place.
    """
    t = _tables()
    left = False
    if out and start - out[-1].end == 1 and text[out[-1].end] in _ENUM_SEPARATORS:
        left = out[-1].region.code[:2] == code[:2] and out[-1].region.level != "country"
    right = False
    if end + 1 < hi and text[end] in _ENUM_SEPARATORS:
        nxt = t.pattern.match(text, end + 1, hi)
        right = nxt is not None and _related(t.surfaces[nxt.group()], code)
    if left and right:
        return True
    if left:
        return _open_after(text, end, hi)
    if right:
        return _open_before(text, start, lo)
    return False


# ---------------------------------------------------------------------------------------------------
# publishers and dominant regions


def resolve_bureau(name: str) -> Region | None:
    """The area a publishing body covers: 杭州市市场监督管理局 -> 330100, 市场监管总局 -> 100000."""
    t = _tables()
    name = name.strip().replace(" ", "")
    for word in t.bureau_national:
        if word in name:
            return COUNTRY
    cut = -1
    for word in t.bureau_local:
        i = name.find(word)
        if i >= 0 and (cut < 0 or i < cut):
            cut = i
    head = name[:cut] if cut >= 0 else name
    if not head or head in ("省", "市", "区", "县", "自治区", "州", "盟", "旗"):
        return None
    region = lookup(head)
    if region is None and head.endswith(("省", "市", "区", "县")):
        region = lookup(head.rstrip("省市区县")) if len(head) > 2 else None
    if region is None or cut < 0:
        return region
    # 杭州市市场监管局余杭分局 -> 余杭区
    tail = name[cut:]
    branch = re.search(r"局(.{2,8}?)分局", tail)
    if branch:
        sub = lookup(branch.group(1), within=region.code)
        if sub is not None and is_within(sub.code, region.code):
            return sub
    return region


def _winner(mentions: list[Mention], level: str, head: int) -> str | None:
    """The code at `level` that the mentions name most, if it has at least twice the runner-up's score."""
    scores: Counter[str] = Counter()
    for m in mentions:
        r: Region | None = m.region
        while r is not None and r.level != level:
            r = get(r.parent) if r.parent else None
        if r is not None:
            scores[r.code] += 2 if m.start < head else 1
    if not scores:
        return None
    ranked = scores.most_common(2)
    best, best_score = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0
    return best if best_score >= 2 and best_score >= 2 * runner else None


# The last text's mentions below the country: a text is asked about at one level after another.
_last_areas: tuple[str, list[Mention]] = ("", [])


def _area_mentions(text: str) -> list[Mention]:
    global _last_areas
    if _last_areas[0] != text:
        _last_areas = (text, [m for m in find_mentions(text) if m.region.level != "country"])
    return _last_areas[1]


def dominant_region(text: str, level: str | None = None) -> Region | None:
    """The province (or `level`) a text talks about most, mentions in its first fifth counting double.

    Used to place a bare 省市场监管局. None when no region has twice the runner-up's weight; a
    prefecture only wins inside the text's dominant province.
    """
    level = level or "province"
    if level not in LEVELS[1:]:
        raise ValueError(f"dominant_region: unknown level {level!r}; use one of {LEVELS[1:]}")
    mentions = _area_mentions(text)
    head = max(len(text) // 5, 200)
    province = _winner(mentions, "province", head)
    if level == "province" or province is None:
        return get(province) if province and level == "province" else None
    inside = [m for m in mentions if is_within(m.region.code, province)]
    best = _winner(inside, level, head)
    return get(best) if best else None
