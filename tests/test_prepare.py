"""prepare(): same-length normalisation and body spans on the real sample documents."""

from __future__ import annotations

import re

import pytest

from metrics import prepare as prep_mod
from metrics.paths import RAW_DIR
from metrics.prepare import FurnitureError, has_traditional, load_furniture, normalise, prepare

RAW_FILES = sorted(RAW_DIR.glob("*.txt"))
RAW = {p.name: p.read_text(encoding="utf-8") for p in RAW_FILES}
NORM_RAW = "\n".join(normalise(t) for t in RAW.values())


def _file(prefix: str) -> str:
    (name,) = [n for n in RAW if n.startswith(prefix)]
    return name


# --- normalisation ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "norm"),
    [
        ("１．３５亿元", "1.35亿元"),
        ("合格率９８．１６％，同比（上升）：", "合格率98.16%,同比(上升):"),
        ("共抽检１０６１１批次　其中", "共抽检10611批次 其中"),
        ("ＡＢＣ－１２", "ABC-12"),
        # Chinese punctuation that acts as separators stays as it is
        ("饮料、酒类；“两个责任”。", "饮料、酒类；“两个责任”。"),
        ("監督抽檢合格率98.5%", "监督抽检合格率98.5%"),
        ("臺灣地區食品抽檢１２３批次，合格率９９．１％", "台湾地区食品抽检123批次,合格率99.1%"),
    ],
)
def test_norm_folds_width_and_script_char_for_char(text: str, norm: str) -> None:
    p = prepare(text)
    assert p.norm == norm
    assert len(p.norm) == len(p.text)
    assert p.text == text  # the stored text is never changed


def test_offsets_found_in_norm_point_at_the_same_token_in_text() -> None:
    text = "据统计，今年上半年共查处案件１，２３４件，罚没款１．３５亿元。"
    p = prepare(text)
    m = re.search(r"\d+\.\d+亿元", p.norm)
    assert m is not None
    assert text[m.start():m.end()] == "１．３５亿元"


def test_traditional_lines_are_converted_and_simplified_lines_left_alone() -> None:
    text = "一、總體情況\n全省共抽检1000批次。\n監督抽檢合格率98.5%，較去年提高0.3個百分點。\n"
    p = prepare(text)
    assert p.norm.splitlines() == ["一、总体情况", "全省共抽检1000批次。", "监督抽检合格率98.5%,较去年提高0.3个百分点。"]
    assert len(p.norm) == len(text)


def test_no_sample_document_counts_as_traditional() -> None:
    assert [n for n, t in RAW.items() if has_traditional(t)] == []
    assert has_traditional("監督抽檢")


def test_characters_simplified_text_also_writes_leave_a_line_alone() -> None:
    # real lines of gwr2026-陕西省.txt and gwr2026-四川省.txt: 乾县 must stay findable, not become 干县
    for line in ("开工周至至乾县、改扩建西安至永寿", "三星堆、皮洛、濛溪河等遗址先后入选"):
        assert not has_traditional(line)
        assert normalise(line) == line
    assert normalise("乾縣監督抽檢") != "乾縣監督抽檢"  # a traditional line is still converted


@pytest.mark.parametrize("name", sorted(RAW))
def test_norm_has_the_length_of_text_and_body_spans_are_clean(name: str) -> None:
    text = RAW[name]
    p = prepare(text)
    assert len(p.norm) == len(text)
    assert p.body, "every sample has body prose"
    previous_end = 0
    for s, e in p.body:
        assert previous_end <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip(), "spans are trimmed"
        previous_end = e


# --- furniture patterns -------------------------------------------------------------------------

FURNITURE = load_furniture()
ENTRIES = [(kind, i, e) for kind, entries in FURNITURE.items() for i, e in enumerate(entries)]


@pytest.mark.parametrize(("kind", "i", "entry"), ENTRIES, ids=[f"{k}[{i}]" for k, i, _ in ENTRIES])
def test_each_furniture_pattern_catches_its_example(kind: str, i: int, entry: dict) -> None:
    example = normalise(entry["example"])
    pattern = re.compile(entry["pattern"], re.M)
    if kind == "lines":
        assert pattern.fullmatch(example.strip())
    elif kind == "heads":
        assert pattern.match(example)
    elif kind == "trailing":
        assert pattern.search(example)
        assert pattern.search(example).end() == len(example.rstrip())
    else:
        assert pattern.search(example)
    if not entry.get("invented"):
        assert example in NORM_RAW, f"{kind}[{i}] example is not a real line of data/raw"


# (document, text that is furniture and must not be in the body, prose that must stay in the body)
REAL_FURNITURE = [
    ("000_", "【字体:: 保护视力色:", "关于市场监管改革政策落实情况专项审计调查整改情况的报告"),
    ("000_", "浏览次数", "根据审计局《专项审计调查报告》"),
    ("000_", "关闭打印 置顶", "杭州市市场监督管理局"),
    ("000_", "信息索引号", "(十七)网络消费尤其是网络订餐"),
    ("001_", "中国与丹麦签署有机产品合作谅解备忘录(2024-09-15)", "组建520人的专家库"),
    ("002_", "政讯通•食品安全法制调研中心", "省局领导高度重视网站建设"),
    ("002_", "时间:2019-12-24", "2019年省市场监管局政务公开工作总结"),
    ("003_", "附件 杭州市余杭区市场监督管理局2019年法治政府建设报告 .pdf", "5、建立健全法治政府建设容错纠错机制"),
    ("003_", "分享:", "2018年至今共计查办反不正当竞争类案件837件"),
    ("004_", "登录个人中心", "根据市委统一部署"),
    ("004_", "政务微博", "牵头部门:知识产权科"),
    ("crud-1-1-1193", "潇湘晨报综合爆料", "涉及外省市的已通报当地市场监管部门。"),
    ("crud-1-1-541", "分享让更多人看到", "可拨打12315热线电话进行投诉举报。"),
    ("crud-1-2-193", "《 人民日报 》( 2023年07月25日 10 版)", "为创新发展、高质量发展保驾护航。"),
    ("crud-1-3-319", "流程编辑 刘伟利", "守护好平谷大桃地理标志这张“金名片”。"),
    ("crud-10-2-1198", "返回搜狐，查看更多", "占全省食品投诉举报总量的50.76%。"),
    ("crud-10-2-92", "(杨少珍、岳妍菲)来源：八步区市场监管局", "促进消费纠纷快速解决，保护消费者合法权益。"),
    ("crud-2-1-1341", "沈报全媒体主任记者 苏慧婷", "申请办理营业执照11723件。"),
    ("crud-4-3-831", "（来源：齐鲁晚报）", "死掉的小龙虾千万别吃！"),
    ("crud-5-1-565", "他只是个小司机", "回答记者提问。"),
    ("crud-5-1-565", "平步青云扶摇直上！ ×", "高稳介绍，首先开展走访服务。"),
    ("crud-6-1-1496", "（全媒体记者马超", "最大限度地保障了消费者的健康。"),
    ("crud-1-1-1248", "(完)", "实施经济制裁431万元。"),
    ("crud-3-2-111", "来源：人民日报  |  2023年07月25日 06:36:10，正文：", "本报北京7月24日电"),
    ("crud-10-1-785", "2023-08-02，正文：", "福建省市场监管局发布2023年上半年食品安全监督抽检情况的通告"),
    ("gwr2025-广东", "来源 : 南方日报", "2025年广东省政府工作报告"),
    ("gwr2025-安徽", "来源：省政府政策研究室", "各位代表："),
]


@pytest.mark.parametrize(("prefix", "furniture", "prose"), REAL_FURNITURE)
def test_real_furniture_is_left_out_and_prose_kept(prefix: str, furniture: str, prose: str) -> None:
    text = RAW[_file(prefix)]
    assert furniture in text and prose in text, "the table quotes the document"
    body = prepare(text).body_text()
    assert furniture not in body
    assert prose in body


def test_trailing_footer_inside_a_line_is_cut_and_the_sentence_kept() -> None:
    text = "2023-08-02，正文：对违法违规企业立案调查、依法处置。返回搜狐，查看更多责任编辑："
    p = prepare(text)
    assert p.body_text() == "对违法违规企业立案调查、依法处置。"


def test_no_feed_dateline_reaches_the_body() -> None:
    for name, text in RAW.items():
        if "正文：" in text[:80]:
            assert "正文：" not in prepare(text).body_text()[:10], name


# --- repeated bodies ----------------------------------------------------------------------------

def test_a_body_printed_twice_yields_each_figure_sentence_once() -> None:
    text = RAW[_file("001_")]
    p = prepare(text)
    body = p.body_text()
    for token in ("组建520人的专家库", "9124.21万条", "全市新设立市场主体31万户", "3年内在全省建设3万家消费维权服务站"):
        assert text.count(token) == 2
        assert body.count(token) == 1
    second_copy = text.index("编者按", text.index("编者按") + 1)
    assert all(e <= second_copy for _, e in p.body)


def test_short_repeats_outside_a_block_are_kept_but_long_ones_dropped() -> None:
    text = RAW[_file("gwr2025-安徽")]
    p = prepare(text)
    lines = text.splitlines().count("各位代表！")
    assert lines > 1
    assert [text[s:e] for s, e in p.body].count("各位代表！") == lines
    sentence = "全省共监督抽检食品10611批次，合格率98.16%。"
    p = prepare(f"标题：全省抽检合格率98.16%\n{sentence}\n其他情况。\n{sentence}\n")
    assert p.body_text().count(sentence) == 1
    assert "标题：全省抽检合格率98.16%" in p.body_text(), "a headline that is not identical stays"


# --- the pattern file itself --------------------------------------------------------------------

def test_furniture_file_rejects_unknown_keys_and_bad_patterns(tmp_path, monkeypatch) -> None:
    bad_key = tmp_path / "furniture.yaml"
    bad_key.write_text("lines:\n  - catches: x\n    pattern: 'a'\n    note: typo\n", encoding="utf-8")
    monkeypatch.setattr(prep_mod, "FURNITURE_YAML", bad_key)
    with pytest.raises(FurnitureError, match="unknown keys"):
        load_furniture()
    bad_re = tmp_path / "furniture2.yaml"
    bad_re.write_text("tails:\n  - catches: x\n    pattern: '(unclosed'\n", encoding="utf-8")
    monkeypatch.setattr(prep_mod, "FURNITURE_YAML", bad_re)
    with pytest.raises(FurnitureError, match="does not compile"):
        load_furniture()


def test_common_portal_furniture_lines() -> None:
    page = "\n".join([
        "当前位置:首页 > 新闻中心 > 工作动态",
        "字号:大 中 小",
        "全省共监督抽检食品10611批次，合格率98.16%。",
        "【打印】【关闭】",
        "相关新闻:",
        "· 省局召开食品安全工作会议(2023-08-01)",
        "上一篇:省局开展消费维权宣传活动",
        "版权所有:某省市场监督管理局 ICP备12345678号",
    ])
    assert prepare(page).body_text() == "全省共监督抽检食品10611批次，合格率98.16%。"


def test_phrase_conversion_that_changes_length_falls_back_to_characters(monkeypatch) -> None:
    class Lengthening:
        def convert(self, text: str) -> str:
            return text.replace("檢", "检查")  # a phrase table that adds a character

    monkeypatch.setattr(prep_mod, "_t2s", lambda: Lengthening())
    text = "監督抽檢合格率98.5%\n第二行"
    norm = normalise(text)
    assert norm == "监督抽检合格率98.5%\n第二行"
    assert len(norm) == len(text)


def test_in_body_tells_prose_offsets_from_furniture_offsets() -> None:
    text = RAW[_file("crud-10-2-1198")]
    p = prepare(text)
    figure = text.index("2.3万件")
    footer = text.index("返回搜狐")
    assert p.in_body(figure, figure + len("2.3万件"))
    assert not p.in_body(footer)
    assert not p.in_body(0)  # the feed dateline


def test_heads_needs_are_in_every_head() -> None:
    """A heads entry's `needs` gate its pattern: every head cut from a sample line holds one."""
    from metrics.paths import RAW_DIR
    from metrics.prepare import _furniture, normalise

    f = _furniture()
    assert f.heads is not None and f.heads_need
    for p in sorted(RAW_DIR.glob("*.txt")):
        norm = normalise(p.read_text(encoding="utf-8"))
        for line in norm.splitlines():
            m = f.heads.match(line)
            assert m is None or any(w in m.group() for w in f.heads_need), m.group()
