"""Region resolver: tables of names, sentences and bureau names -> expected GB/T 2260 codes."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from metrics import regions
from metrics.paths import RAW_DIR, REFERENCE_DIR

ROOT = Path(__file__).resolve().parents[1]


def codes(text: str, within: str | None = None) -> list[tuple[str, str]]:
    return [(m.surface, m.region.code) for m in regions.find_mentions(text, within)]


def raw(name: str) -> str:
    return (RAW_DIR / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------------
# the vendored table


def test_table_integrity() -> None:
    with (REFERENCE_DIR / "regions.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_code = {r["code"]: r for r in rows}
    assert len(by_code) == len(rows), "codes must be unique"
    assert by_code["100000"] == {"code": "100000", "name": "全国", "level": "country", "parent": ""}
    for r in rows:
        assert re.fullmatch(r"\d{6}", r["code"]), r
        if r["code"] == "100000":
            continue
        assert r["parent"] in by_code, f"{r['code']} {r['name']}: parent {r['parent']} missing"
        shape = "province" if r["code"].endswith("0000") else "prefecture" if r["code"].endswith("00") else "county"
        assert r["level"] == shape, r
        assert r["code"][:2] == r["parent"][:2] or r["parent"] == "100000", r
    levels = [r["level"] for r in rows]
    assert levels.count("province") == 34
    assert levels.count("prefecture") >= 333


def test_change_list_points_at_current_codes() -> None:
    with (REFERENCE_DIR / "region_changes.csv").open(encoding="utf-8") as fh:
        changes = list(csv.DictReader(fh))
    assert len(changes) >= 6
    for ch in changes:
        assert regions.get(ch["new_code"]) is not None, ch
        assert regions.get(ch["new_code"]).name == ch["new_name"], ch
        assert ch["old_code"] not in {r["code"] for r in regions.all_regions() if r["valid_to"] is None}, ch


def test_gold_region_codes_exist() -> None:
    seen = set()
    for path in sorted((ROOT / "tests" / "gold").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.add(json.loads(line)["region"])
    seen.discard("000000")  # the gold's "region cannot be determined"
    assert seen, "no gold regions read"
    missing = sorted(c for c in seen if regions.get(c) is None)
    assert not missing


def test_all_regions_rows() -> None:
    rows = regions.all_regions()
    assert set(rows[0]) == {"code", "name", "level", "parent", "valid_from", "valid_to"}
    by_code = {r["code"]: r for r in rows}
    assert by_code["330110"]["valid_to"] is None
    assert by_code["371200"]["name"] == "莱芜市"
    assert str(by_code["371200"]["valid_to"]) == "2019-01-09"
    assert by_code["220381"]["parent"] == "220300"


# ---------------------------------------------------------------------------------------------------
# get and lookup


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("100000", "100000"),
        ("330110", "330110"),
        ("371200", "370100"),  # 莱芜市 -> 济南市 (2019)
        ("330104", "330102"),  # 江干区 -> 上城区 (2021)
        ("330103", "330105"),  # 下城区 -> 拱墅区 (2021)
        ("350625", "350605"),  # 长泰县 -> 长泰区 (2021)
        ("220381", "220184"),  # 公主岭市 moved to 长春 (2020)
        ("999999", None),
        ("710101", None),  # finer Taiwan codes are not GB/T 2260
    ],
)
def test_get(code: str, expected: str | None) -> None:
    r = regions.get(code)
    assert (r.code if r else None) == expected


@pytest.mark.parametrize(
    ("name", "within", "expected"),
    [
        ("浙江省", None, "330000"),
        ("杭州市", None, "330100"),
        ("余杭区", None, "330110"),
        ("新疆维吾尔自治区", None, "650000"),
        ("浙江", None, "330000"),
        ("内蒙古", None, "150000"),
        ("广西", None, "450000"),
        ("新疆", None, "650000"),
        ("西藏", None, "540000"),
        ("宁夏", None, "640000"),
        ("吉林", None, "220000"),
        ("吉林市", None, "220200"),
        ("阳泉", None, "140300"),
        ("杭州", None, "330100"),
        ("恩施州", None, "422800"),
        ("溧阳市", None, "320481"),
        ("余杭", None, "330110"),
        ("全国", None, "100000"),
        # ambiguous: only `within` decides
        ("朝阳区", None, None),
        ("朝阳区", "110000", "110105"),
        ("朝阳区", "220100", "220104"),
        ("鼓楼区", None, None),
        ("鼓楼区", "320000", None),  # 南京 and 徐州 both have one
        ("鼓楼区", "320100", "320106"),
        ("鼓楼区", "350100", "350102"),
        ("朝阳", None, None),
        ("朝阳", "210000", "211300"),
        # historical names
        ("莱芜市", None, "370100"),
        ("江干区", None, "330102"),
        ("下城区", None, "330105"),
        ("长泰县", None, "350605"),
        ("宁乡县", None, "430182"),
        ("沙县", None, "350405"),
        ("梅列区", None, "350404"),
        # compound names
        ("浙江省杭州市余杭区", None, "330110"),
        ("杭州余杭", None, "330110"),
        ("北京市朝阳区", None, "110105"),
        # words that are no place
        ("合作", None, None),
        ("南海", None, None),
        ("南海", "440600", "440605"),
        ("新兴", None, None),
        ("公开平台", None, None),
        ("长三角", None, None),
        ("京津冀", None, None),
        ("市场监管", None, None),
        ("", None, None),
    ],
)
def test_lookup(name: str, within: str | None, expected: str | None) -> None:
    r = regions.lookup(name, within)
    assert (r.code if r else None) == expected


def test_within_does_not_override_an_unambiguous_name() -> None:
    assert regions.lookup("北京", within="330000").code == "110000"


def test_descendants_and_within() -> None:
    under = {r.code for r in regions.descendants_of("330100")}
    assert {"330110", "330113", "330102"} <= under
    assert "330200" not in under
    assert regions.is_within("330110", "330000")
    assert regions.is_within("330110", "100000")
    assert not regions.is_within("330110", "320000")
    assert regions.is_within("419001", "410000")  # 济源: county-level under the province


# ---------------------------------------------------------------------------------------------------
# find_mentions


@pytest.mark.parametrize(
    ("text", "within", "expected"),
    [
        # real sentences (data/raw/crud-10-2-1198.txt)
        ("1至7月份，阳泉、运城、太原分别受理食品投诉举报3711件、3105件、3024件",
         "140000", [("阳泉", "140300"), ("运城", "140800"), ("太原", "140100")]),
        ("阳泉、运城、太原成为食品投诉举报重点地区。", None,
         [("阳泉", "140300"), ("运城", "140800"), ("太原", "140100")]),
        # 杭州市场监管局 is 杭州 + 市场监管局
        ("杭州市场监管局发布", None, [("杭州", "330100")]),
        ("杭州市市场监督管理局", None, [("杭州市", "330100")]),
        # a parent right before a short or ambiguous name decides it
        ("北京市朝阳区市场监管局", None, [("北京市", "110000"), ("朝阳区", "110105")]),
        ("长春市朝阳区", None, [("长春市", "220100"), ("朝阳区", "220104")]),
        ("杭州余杭", None, [("杭州", "330100"), ("余杭", "330110")]),
        ("朝阳区市场监管局", None, []),
        ("朝阳区市场监管局", "110000", [("朝阳区", "110105")]),
        # county short forms in a list of the same province, and inside `within`
        ("余杭、萧山两区", None, [("余杭", "330110"), ("萧山", "330109")]),
        ("在余杭开展检查", None, []),
        ("在余杭开展检查", "330100", [("余杭", "330110")]),
        # historical names resolve to today's code
        ("原莱芜市和江干区", None, [("莱芜市", "370100"), ("江干区", "330102")]),
        ("全国市场监管工作座谈会", None, [("全国", "100000")]),
        ("我国企业间商业秘密", None, [("我国", "100000")]),
        ("青海海西州大柴旦", None, [("青海", "630000"), ("海西州", "632800"), ("大柴旦", "632857")]),
        # a rejected candidate does not hide the place that starts inside it (real sentences)
        ("习近平总书记亲临安徽考察", None, [("安徽", "340000")]),  # not 临安
        ("记者从江西省新余市高新区市场监管局", None, [("江西省", "360000"), ("新余市", "360500")]),  # not 从江
        ("信用信息公示系统(安徽)和安徽省事中事后", None, [("安徽", "340000"), ("安徽省", "340000")]),  # 和安县
        # short forms that are ordinary words count only after their parent
        ("佛山南海大力发展", None, [("佛山", "440600"), ("南海", "440605")]),
        ("南海大黄鱼种业", "440000", []),
        ("战略性新兴产业", "440000", []),
    ],
)
def test_find_mentions(text: str, within: str | None, expected: list[tuple[str, str]]) -> None:
    assert codes(text, within) == expected


@pytest.mark.parametrize(
    "text",
    [
        # real sentences from data/raw that name no region
        "市场监管总局和江苏省政府签署合作备忘录",  # only 江苏省
        "在国家企业信用信息公示系统和公开平台公示",
        "推动长三角一体化发展",
        "粤港澳大湾区建设和京津冀协同发展",
        "构建全区统筹、政企合作、资源共享、服务便捷的格局",  # 合作市, 资源县
        "食品安全国家标准",  # 全国
        "健全国有企业监管",
        "在生产加工过程中卫生条件控制不到位",  # 中卫
        "罗浮山县镇村高质量发展",  # 浮山县
        "动美丽安徽建设示范县（市、区）创建",  # 范县 (安徽 is the only place)
        "支持韶关丹霞山、江门开平碉楼",  # 霞山区 (韶关, 江门 are places)
        "在上海南京东路步行街上",  # 南京 (上海 is the place)
        "阿里巴巴、来宾和白银饰品",
        "普通州际运输",
        "长安街沿线",
        "大同小异",
        "合作市场主体",
        "沙县小吃门店",
    ],
)
def test_no_false_places(text: str) -> None:
    allowed = {"江苏省", "安徽", "韶关", "江门", "开平", "上海"}
    found = [s for s, _ in codes(text)]
    assert set(found) <= allowed, found
    assert "合作" not in found and "全国" not in found


def test_trie_pattern_matches_like_a_plain_alternation() -> None:
    """The bucketed trie regex finds exactly what a longest-first alternation of the words finds."""
    words = ["杭州", "杭州市", "杭州湾", "余杭", "余杭区", "北京", "北京市", "公开平台", "开平", "开平市"]
    words += [r.name for r in regions.descendants_of("140000")]
    trie = re.compile(regions._trie_regex(words, bucket=8, sub_bucket=3))
    plain = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    text = "杭州市场在公开平台，余杭区和北京市" + "、".join(words) + "".join(words[::3]) + raw("crud-10-2-1198.txt")
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert len(list(trie.finditer(text))) > 30


def test_section_headings_of_the_ten_provinces() -> None:
    text = raw("001_aa231a102711036a.txt")
    headings = []
    for m in regions.find_mentions(text):
        line_start = m.start == 0 or text[m.start - 1] == "\n"
        if line_start and text[m.end : m.end + 1] == ":":
            headings.append(m.region.code)
    first = headings[:10]
    assert first == ["110000", "230000", "310000", "330000", "370000",
                     "420000", "430000", "500000", "510000", "620000"]


def test_offsets_point_into_the_text() -> None:
    text = raw("crud-10-2-1198.txt")
    mentions = regions.find_mentions(text)
    assert mentions
    for m in mentions:
        assert text[m.start : m.end] == m.surface
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


# ---------------------------------------------------------------------------------------------------
# bureaus and dominant regions


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("杭州市市场监督管理局", "330100"),
        ("福建省市场监管局", "350000"),
        ("北京市市场监管局", "110000"),
        ("余杭区市场监管局", "330110"),
        ("杭州市余杭区市场监管局", "330110"),
        ("溧阳市市场监督管理局", "320481"),
        ("市场监管总局", "100000"),
        ("国家市场监督管理总局", "100000"),
        ("广西壮族自治区市场监督管理局", "450000"),
        ("宁乡市市场监督管理局", "430182"),
        ("杭州市市场监管局余杭分局", "330110"),
        ("省市场监管局", None),
        ("市市场监管局", None),
        ("朝阳区市场监管局", None),  # two 朝阳区: the caller must resolve from the text
        ("某某公司", None),
    ],
)
def test_resolve_bureau(name: str, expected: str | None) -> None:
    r = regions.resolve_bureau(name)
    assert (r.code if r else None) == expected


@pytest.mark.parametrize(
    ("doc", "level", "expected"),
    [
        ("gwr2025-安徽.txt", None, "340000"),
        ("gwr2025-广东.txt", None, "440000"),
        ("000_51d59f3b833229c2.txt", "prefecture", "330100"),
        ("003_7ded9990b3cf83a9.txt", "county", "330110"),
        ("crud-10-2-1198.txt", None, "140000"),
        ("001_aa231a102711036a.txt", None, None),  # ten provinces, none dominant
    ],
)
def test_dominant_region(doc: str, level: str | None, expected: str | None) -> None:
    r = regions.dominant_region(raw(doc), level)
    assert (r.code if r else None) == expected


def test_dominant_region_rejects_unknown_level() -> None:
    with pytest.raises(ValueError, match="unknown level"):
        regions.dominant_region("浙江", "township")


def test_bounds_read_as_a_cut_out_text() -> None:
    """start/end give the names of text[start:end] (a heading at `start`, a list cut at `end`), offsets into text."""
    text = raw("001_aa231a102711036a.txt")
    cuts = [0] + [i + 1 for i, ch in enumerate(text) if ch in "\n。，、"][::3] + [len(text)]
    compared = 0
    for within in (None, "330000"):
        for a, b in zip(cuts, cuts[2:], strict=False):
            want = [(m.start + a, m.end + a, m.surface, m.region.code) for m in regions.find_mentions(text[a:b], within)]
            got = [(m.start, m.end, m.surface, m.region.code)
                   for m in regions.find_mentions(text, within, start=a, end=b)]
            assert got == want, (a, b)
            compared += len(want)
    assert compared > 50
