"""Number tokens: numerals, scales, qualifiers and units, as exact Decimals; non-figures never match."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metrics.numbers import chinese_to_int, find_numbers, parse_number

# (text, [(token, value, base unit, approx)]) — real phrasings from market-regulation reports.
CASES = [
    ("共监督抽检33大类食品10611批次", [("10611批次", "10611", "批次", "")]),
    ("罚没款2354.48万余元", [("2354.48万余元", "23544800", "元", "over")]),
    ("为消费者挽回经济损失8000余万元", [("8000余万元", "80000000", "元", "over")]),
    ("罚没款253.22万;有效解决", [("253.22万", "2532200", "元", "")]),
    ("罚没款1.35亿元", [("1.35亿元", "135000000", "元", "")]),
    ("今年以来已立案1万余户", [("1万余户", "10000", "户", "over")]),
    ("查处违法行为800多家", [("800多家", "800", "户", "over")]),
    ("实体商户超4800家", [("超4800家", "4800", "户", "over")]),
    ("下降至150件左右", [("150件左右", "150", "件", "about")]),
    ("约3000件", [("约3000件", "3000", "件", "about")]),
    ("不足200件", [("不足200件", "200", "件", "under")]),
    ("其中有两批次不合格", [("两批次", "2", "批次", "")]),
    ("共计一千二百件", [("一千二百件", "1200", "件", "")]),
    ("受理投诉一万二千件", [("一万二千件", "12000", "件", "")]),
    ("查处案件一千八百余件", [("一千八百余件", "1800", "件", "over")]),
    ("共接收1,234件投诉", [("1,234件", "1234", "件", "")]),
    ("共抽检983个批次成品油", [("983个批次", "983", "批次", "")]),
    ("总体合格率98.16%", [("98.16%", "98.16", "%", "")]),
    ("合格率９８．１６％", []),  # full-width digits are folded by prepare() before matching
    ("提高0.5个百分点", [("0.5个百分点", "0.5", "个百分点", "")]),
    ("立案查处违法案件1601起", [("1601起", "1601", "件", "")]),
]

# Must yield no token: document numbers, hotlines, issue numbers, dates, unknown units, articles.
NOTHING = [
    "根据审计局《专项审计调查报告》(杭审责调报〔2017〕16号)",
    "请拨打食品安全投诉举报电话12315进行投诉举报",
    "关于食品安全监督抽检信息的公告（2023年第45期）",
    "7月31日，福建省市场监管局发布通告",
    "吸纳就业270.55万人",
    "该局日前查处一起“反向抹零”行为",
    "四川、五粮液、十三五规划",
    "推动长三角一体化发展",
]


@pytest.mark.parametrize(("text", "want"), CASES)
def test_tokens(text: str, want: list[tuple[str, str, str, str]]) -> None:
    got = [(t.text, t.value, t.unit, t.approx) for t in find_numbers(text)]
    assert got == [(a, Decimal(b), c, d) for a, b, c, d in want]


@pytest.mark.parametrize("text", NOTHING)
def test_not_numbers(text: str) -> None:
    assert find_numbers(text) == []


def test_offsets_point_at_the_token() -> None:
    text = "今年以来，查处食品药品案件1.42万件、罚没款1.35亿元"
    for t in find_numbers(text):
        assert text[t.start:t.end] == t.text


def test_exact_decimals() -> None:
    (t,) = find_numbers("罚没款0.1万元")
    assert t.value == Decimal("1000")
    assert isinstance(t.value, Decimal)


@pytest.mark.parametrize(("cn", "n"), [("一千二百", 1200), ("两", 2), ("十五", 15), ("二〇二三", 2023),
                                       ("三万五千", 35000), ("壹拾", 10), ("一百零五", 105)])
def test_chinese_numerals(cn: str, n: int) -> None:
    assert chinese_to_int(cn) == n


def test_parse_number_rejects_non_numerals() -> None:
    assert parse_number("四川") is None


def test_anchored_scan_finds_what_a_scan_at_every_position_finds() -> None:
    """The token pattern is tried only before anchor characters; on every sample document (and on
    long digit runs, commas and Chinese numerals) that gives exactly the matches a plain finditer gives."""
    from metrics.numbers import _token_matches, vocab
    from metrics.paths import RAW_DIR
    from metrics.prepare import prepare

    v = vocab()
    texts = [prepare(p.read_text(encoding="utf-8")).norm for p in sorted(RAW_DIR.glob("*.txt"))]
    texts.append("12345件 1,234,567.8万元 一万二千件 两千多家 20231件 3.5.6批次 ,123件 第45期 十余万户 罚没款253.22万;")
    for norm in texts:
        want = [(m.span(), m.groups()) for m in v.regex.finditer(norm)]
        got = [(m.span(), m.groups()) for m in _token_matches(v, norm, 0, len(norm))]
        assert got == want
