"""read_metadata(): dates, titles, publishers, regions and genres of the real sample documents."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.metadata import DATE_SOURCES, GENRES, DocMeta, read_metadata
from metrics.paths import RAW_DIR
from metrics.prepare import prepare

RAW = {p.name: p.read_text(encoding="utf-8") for p in sorted(RAW_DIR.glob("*.txt"))}


def meta_of(prefix: str) -> DocMeta:
    (name,) = [n for n in RAW if n.startswith(prefix)]
    return read_metadata(prepare(RAW[name]), name)


# Publication dates read by a person from each document. A date where the text states the day
# (page field, feed dateline, delivery line); a year where only the year can be told from the text,
# or, for news items saying only "7月26日", from their collection (name hint in doc_metadata.yaml).
PUBLISHED = {
    "000_51d59f3b833229c2.txt": (date(2017, 11, 23), "field"),      # 发布时间: 2017-11-23
    "001_aa231a102711036a.txt": (2020, "implied"),                  # 9月4日 symposium, 2020版; links of 2024 are furniture
    "002_06c57155bd1de4ba.txt": (date(2019, 12, 24), "field"),      # 时间:2019-12-24
    "003_7ded9990b3cf83a9.txt": (2019, "implied"),                  # 2019 rule-of-law report, no date field
    "004_1177d6538097e017.txt": (2022, "implied"),                  # 2022年10月12日 feedback; 2023 dates are deadlines
    "crud-1-1-1191.txt": (2023, "name"),                            # "7月26日", no year: the CRUD-RAG collection year
    "crud-1-1-1193.txt": (2023, "implied"),                         # 公告(2023年第45期)
    "crud-1-1-1248.txt": (date(2023, 8, 14), "dateline"),
    "crud-1-1-541.txt": (date(2023, 8, 2), "dateline"),
    "crud-1-2-193.txt": (date(2023, 7, 25), "dateline"),
    "crud-1-2-808.txt": (date(2023, 7, 25), "dateline"),
    "crud-1-2-9.txt": (date(2023, 8, 1), "dateline"),
    "crud-1-3-319.txt": (date(2023, 7, 25), "dateline"),
    "crud-10-1-770.txt": (date(2023, 7, 27), "dateline"),
    "crud-10-1-779.txt": (date(2023, 7, 31), "dateline"),
    "crud-10-1-785.txt": (date(2023, 8, 2), "dateline"),
    "crud-10-1-788.txt": (date(2023, 8, 2), "dateline"),
    "crud-10-1-825.txt": (date(2023, 8, 15), "dateline"),
    "crud-10-1-831.txt": (date(2023, 8, 16), "dateline"),
    "crud-10-2-1198.txt": (date(2023, 8, 19), "dateline"),
    "crud-10-2-92.txt": (date(2023, 8, 18), "dateline"),
    "crud-11-1-1303.txt": (date(2023, 7, 25), "dateline"),
    "crud-11-1-1803.txt": (date(2023, 7, 28), "dateline"),
    "crud-2-1-1341.txt": (date(2023, 8, 16), "dateline"),          # two-digit year: 23-08-16 04:47
    "crud-3-1-1194.txt": (2023, "implied"),                         # 公告(2023年第48期), "4日发布"
    "crud-3-1-553.txt": (date(2023, 8, 14), "dateline"),            # 2023年08月14日 16:22:45 来自上海
    "crud-3-2-111.txt": (date(2023, 7, 25), "dateline"),            # 来源:人民日报 | 2023年07月25日
    "crud-3-2-1716.txt": (date(2023, 7, 25), "dateline"),
    "crud-3-3-1772.txt": (2023, "implied"),                         # 当事人于2023年5月25日…购进
    "crud-4-1-314.txt": (2023, "name"),                             # 截至今年6月底, no year in the text
    "crud-4-3-831.txt": (date(2023, 8, 2), "dateline"),
    "crud-5-1-565.txt": (2023, "implied"),                          # 聊城市2023年优化营商环境…8月14日上午
    "crud-5-3-1342.txt": (2023, "name"),                            # 8月17日电, 截至今年7月底, no year in the text
    "crud-5-3-475.txt": (date(2023, 8, 4), "dateline"),
    "crud-5-3-644.txt": (date(2023, 7, 28), "dateline"),
    "crud-6-1-1496.txt": (date(2023, 8, 7), "dateline"),
    "crud-6-1-1717.txt": (date(2023, 8, 7), "dateline"),
    "crud-6-2-300.txt": (date(2023, 8, 11), "dateline"),
    "crud-7-3-1125.txt": (date(2023, 8, 12), "dateline"),
    "crud-8-2-1427.txt": (date(2023, 8, 15), "dateline"),
    "crud-9-3-1280.txt": (date(2023, 8, 16), "dateline"),
    "gwr2025-安徽.txt": (date(2025, 1, 20), "delivery"),            # 2025年1月20日在安徽省第十四届人民代表大会…
    "gwr2025-广东.txt": (date(2025, 1, 15), "delivery"),            # ——2025年1月15日在广东省第十四届人民代表大会…
    "gwr2025-上海.txt": (date(2025, 1, 15), "implied"),  # ----2025年1月15日龚正市长在…会议的政府工作报告
    "gwr2025-云南.txt": (date(2025, 1, 18), "delivery"),  # 2025年1月18日在…会议上
    "gwr2025-内蒙古.txt": (date(2025, 1, 14), "implied"),  # ——2025年1月14日自治区人民政府主席王莉霞在…会议上的讲话
    "gwr2025-吉林.txt": (date(2025, 1, 14), "delivery"),  # 2025年1月14日在…会议上
    "gwr2025-四川.txt": (date(2025, 1, 20), "delivery"),  # 2025年1月20日在…会议上
    "gwr2025-天津.txt": (date(2025, 1, 14), "delivery"),  # 2025年1月14日在…会议上
    "gwr2025-山东.txt": (date(2025, 1, 20), "delivery"),  # 2025年1月20日在…会议上
    "gwr2025-山西.txt": (date(2025, 1, 17), "delivery"),  # 2025年1月17日在…会议上
    "gwr2025-新疆.txt": (date(2025, 1, 19), "delivery"),  # 2025年1月19日在…会议上
    "gwr2025-江苏.txt": (date(2025, 1, 19), "delivery"),  # 2025年1月19日在…会议上
    "gwr2025-江西.txt": (date(2025, 1, 17), "delivery"),  # 2025年1月17日在…会议上
    "gwr2025-河北.txt": (date(2025, 1, 13), "delivery"),  # 2025年1月13日在…会议上
    "gwr2025-河南.txt": (date(2025, 1, 18), "delivery"),  # 2025年1月18日在…会议上
    "gwr2025-浙江.txt": (date(2025, 1, 14), "delivery"),  # 2025年1月14日在…会议上
    "gwr2025-海南.txt": (date(2025, 1, 14), "implied"),  # ——2025年1月14日海南省省长 刘小明在…会议上的讲话
    "gwr2025-湖北.txt": (date(2025, 1, 16), "delivery"),  # 2025年1月16日在…会议上
    "gwr2025-湖南.txt": (date(2025, 1, 14), "delivery"),  # 2025年1月14日在…会议上
    "gwr2025-福建.txt": (date(2025, 1, 13), "delivery"),  # 2025年1月13日在…会议上
    "gwr2025-贵州.txt": (date(2025, 1, 19), "delivery"),  # 2025年1月19日在…会议上
    "gwr2025-辽宁.txt": (date(2025, 1, 16), "implied"),  # ——2025年1月16日省长 李乐成在…会议上的讲话
    "gwr2025-重庆.txt": (date(2025, 1, 19), "delivery"),  # 2025年1月19日在…会议上
    "gwr2025-陕西.txt": (date(2025, 1, 16), "delivery"),  # 2025年1月16日在…会议上
    "gwr2025-青海.txt": (date(2025, 1, 19), "delivery"),  # 2025年1月19日在…会议上
    "gwr2025-黑龙江.txt": (date(2025, 1, 13), "delivery"),  # 2025年1月13日在…会议上
    "gwr2026-上海市.txt": (date(2026, 2, 9), "field"),  # 时间：2026-02-09 (delivered 2026年2月3日)
    "gwr2026-云南省.txt": (date(2026, 1, 28), "delivery"),  # 2026年1月28日在…; 2026-02-03 09:02:33 is an unlabelled timestamp
    "gwr2026-内蒙古自治区.txt": (date(2026, 2, 12), "field"),  # 时间：2026-02-12 (delivered 2026年2月4日)
    "gwr2026-吉林省.txt": (date(2026, 2, 1), "field"),  # 时间：2026-02-01 (delivered 2026年1月27日)
    "gwr2026-四川省.txt": (date(2026, 2, 3), "delivery"),  # 2026年2月3日在…; 2026年02月10日 07时41分 is an unlabelled timestamp
    "gwr2026-天津市.txt": (date(2026, 2, 3), "field"),  # 时间：2026-02-03 (delivered 2026年1月26日)
    "gwr2026-宁夏回族自治区.txt": (date(2026, 2, 9), "field"),  # 发表时间： 2026-02-09 (delivered 2026年2月3日)
    "gwr2026-安徽省.txt": (date(2026, 2, 11), "field"),  # 时间：2026-02-11 (delivered 2026年2月5日)
    "gwr2026-广西壮族自治区.txt": (date(2026, 2, 7), "field"),  # 时间：2026-02-07 (delivered 2026年2月2日)
    "gwr2026-新疆维吾尔自治区.txt": (date(2026, 2, 12), "field"),  # 时间：2026-02-12 (delivered 2026年1月27日)
    "gwr2026-江西省.txt": (date(2026, 2, 5), "field"),  # 时间：2026-02-05 (delivered 2026年1月27日)
    "gwr2026-河北省.txt": (date(2026, 2, 2), "field"),  # 时间：2026-02-02 (delivered 2026年1月26日)
    "gwr2026-浙江省.txt": (date(2026, 1, 22), "field"),  # 时间：2026-01-22 (delivered 2026年1月14日)
    "gwr2026-海南省.txt": (date(2026, 1, 27), "delivery"),  # 2026年1月27日在…会议上
    "gwr2026-湖北省.txt": (date(2026, 2, 5), "field"),  # 时间：2026-02-05 (delivered 2026年1月27日)
    "gwr2026-湖南省.txt": (date(2026, 2, 24), "field"),  # 时间：2026-02-24 (delivered 2026年2月3日)
    "gwr2026-甘肃省.txt": (date(2026, 2, 10), "field"),  # 时间：2026-02-10 (delivered 二〇二六年一月二十七日)
    "gwr2026-福建省.txt": (date(2026, 2, 6), "field"),  # 时间：2026-02-06 (delivered 2026年1月27日)
    "gwr2026-西藏自治区.txt": (date(2026, 2, 12), "field"),  # 时间：2026-02-12 (delivered 2026年1月31日)
    "gwr2026-贵州省.txt": (date(2026, 1, 27), "delivery"),  # 2026年1月27日在…会议上
    "gwr2026-辽宁省.txt": (date(2026, 2, 1), "field"),  # 时间：2026-02-01 (delivered 2026年1月27日)
    "gwr2026-陕西省.txt": (date(2026, 2, 2), "field"),  # 时间：2026-02-02 (delivered 2026年1月27日)
    "gwr2026-青海省.txt": (date(2026, 1, 27), "delivery"),  # 2026年1月27日在…; 2026-01-31 07:00:44 is an unlabelled timestamp
    "gwr2026-黑龙江省.txt": (date(2026, 2, 26), "field"),  # 时间：2026-02-26 (delivered 2026年1月31日)
}


def test_the_date_table_covers_every_sample() -> None:
    assert set(PUBLISHED) == set(RAW)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_on(name: str) -> None:
    expected, source = PUBLISHED[name]
    meta = read_metadata(prepare(RAW[name]), name)
    assert meta.date_source == source
    if isinstance(expected, int):
        assert meta.published_on is not None and meta.published_on.year == expected
    else:
        assert meta.published_on == expected


def test_the_2024_related_links_of_001_do_not_date_it() -> None:
    meta = meta_of("001_")
    assert meta.published_on == date(2020, 9, 4)  # the 9月4日 of the editor's note, in the body's latest year


def test_implied_date_reads_the_body_only() -> None:
    text = "编者按:9月4日,座谈会在京召开。今年以来,推行2020版清单。\n- 市场监管总局举办活动(2024-09-15)\n"
    meta = read_metadata(prepare(text))
    assert (meta.published_on, meta.date_source) == (date(2020, 9, 4), "implied")


def test_deadlines_and_plans_do_not_move_the_date_forward() -> None:
    text = ("2022年10月12日,巡察组反馈意见。\n取得明显成效时限:2023年3月30日\n"
            "组织协调各部门编制2023年随机抽查计划。\n")
    assert read_metadata(prepare(text)).published_on == date(2022, 10, 12)


def test_file_name_year_is_only_a_last_hint() -> None:
    undated = prepare("全省市场监管部门持续优化营商环境。")
    assert read_metadata(undated, "gwr2025-某省.txt").published_on == date(2025, 1, 1)
    assert read_metadata(undated, "gwr2025-某省.txt").date_source == "name"
    assert read_metadata(undated, "notes.txt").date_source == "none"
    assert read_metadata(undated, "crud-9-9-9.txt").published_on == date(2023, 1, 1)  # collection hint
    dated = prepare("2023-08-02，正文：全省市场监管部门持续优化营商环境。")
    assert read_metadata(dated, "gwr2025-某省.txt").published_on == date(2023, 8, 2)


def test_publication_field_beats_the_drafting_date() -> None:
    text = "成文日期: 2023-01-10\n发布日期: 2023-01-12\n关于公布2022年食品安全抽检结果的通告\n"
    assert read_metadata(prepare(text)).published_on == date(2023, 1, 12)


def test_traditional_field_is_read_through_the_normalised_text() -> None:
    meta = read_metadata(prepare("發佈時間：2023年8月2日\n臺北市食品抽檢結果公佈。"))
    assert (meta.published_on, meta.date_source) == (date(2023, 8, 2), "field")


# --- title, publisher, region, genre ------------------------------------------------------------

@pytest.mark.parametrize(
    ("prefix", "title"),
    [
        ("000_", "关于市场监管改革政策落实情况专项审计调查整改情况的报告"),
        ("002_", "2019年省市场监管局政务公开工作总结"),
        ("gwr2025-安徽", "2025年安徽省政府工作报告"),
        ("crud-10-2-1198", "今年前7月全省食品投诉举报呈现六大特点"),          # 原标题 …本报太原
        ("crud-1-2-808", "市场监管部门将加快制定针对高科技行业商业秘密保护规则"),  # title printed twice
        ("crud-6-1-1496", "一醋厂用冰乙酸勾兑食醋被罚百万 山西水塔醋业声明与勾兑事件无关"),
        ("crud-8-2-1427", "知名景点零食店现低俗包装，被立案调查"),
        ("003_", "杭州市余杭区市场监督管理局2019年法治政府建设报告"),     # from the attachment link
    ],
)
def test_title(prefix: str, title: str) -> None:
    assert meta_of(prefix).title == title


def test_title_hint_is_used_when_the_text_has_no_heading() -> None:
    name = "crud-1-1-1191.txt"
    assert read_metadata(prepare(RAW[name]), name).title is None
    assert read_metadata(prepare(RAW[name]), name, title_hint="济宁规范口岸收费").title == "济宁规范口岸收费"


@pytest.mark.parametrize(
    ("prefix", "publisher", "region"),
    [
        ("000_", "杭州市市场监督管理局", "330100"),          # 来源:杭州市市场监督管理局
        ("003_", "杭州市余杭区市场监管局", "330110"),
        ("gwr2025-安徽", "安徽省人民政府", "340000"),
        ("gwr2025-广东", "广东省人民政府", "440000"),
        ("crud-10-1-785", "福建省市场监管局", "350000"),     # 福建省市场监管局发布…
        ("crud-1-1-1248", "安徽省市场监管局", "340000"),     # 记者14日从安徽省市场监管局获悉
        ("crud-1-2-193", "国家市场监督管理总局", "100000"),
        ("crud-10-2-1198", "省市场监管局", "140000"),        # 本报太原…从省市场监管局传来消息
        ("crud-4-1-314", "省市场监管局", "130000"),          # 河北日报讯…从省市场监管局获悉
        ("crud-10-2-92", "八步区市场监管局", "451102"),      # 来源:八步区市场监管局返回搜狐… (footer cut off)
        ("crud-5-3-475", "武汉市武昌区市场监管局", "420106"),
    ],
)
def test_publisher_and_region(prefix: str, publisher: str, region: str) -> None:
    meta = meta_of(prefix)
    assert meta.publisher == publisher
    assert meta.region is not None and meta.region.code == region


def test_a_national_digest_of_ten_provinces_has_no_single_region() -> None:
    meta = meta_of("001_")
    assert meta.publisher == "中国质量报"
    assert meta.region is None or meta.region.code == "100000"


def test_an_autonomous_region_bureau_named_by_level_takes_the_region_the_text_is_about() -> None:
    text = ("2023-08-02，正文：记者从自治区市场监管局获悉，上半年广西市场监管系统立案查处违法案件1601起，"
            "南宁、柳州、桂林等地开展专项整治。")
    meta = read_metadata(prepare(text))
    assert meta.publisher == "自治区市场监管局"
    assert meta.region is not None and meta.region.code == "450000"


def test_the_national_bureau_is_national_whatever_the_dateline_city() -> None:
    text = "2025-03-14，正文：新华社北京3月14日电 市场监管总局14日发布，2024年全国12315平台共受理投诉举报咨询4128.6万件。"
    meta = read_metadata(prepare(text))
    assert meta.publisher == "市场监管总局"
    assert meta.region is not None and meta.region.code == "100000"


def test_an_unnamed_city_bureau_stays_without_region() -> None:
    # "市市场监管局介绍" and no city named anywhere: the gold marks the region undeterminable
    assert meta_of("crud-11-1-1803").region is None


@pytest.mark.parametrize(
    ("prefix", "genre"),
    [("000_", "bureau_report"), ("002_", "bureau_report"), ("003_", "bureau_report"), ("004_", "bureau_report"),
     ("001_", "digest"), ("gwr2025-安徽", "work_report"), ("gwr2025-广东", "work_report")],
)
def test_genre(prefix: str, genre: str) -> None:
    assert meta_of(prefix).genre == genre


def test_every_feed_item_is_news_and_fields_take_known_values() -> None:
    for name, text in RAW.items():
        meta = read_metadata(prepare(text), name)
        assert meta.genre in GENRES and meta.date_source in DATE_SOURCES
        if name.startswith("crud-"):
            assert meta.genre == "news", name


def test_speech_genre() -> None:
    text = "在2023年全省市场监管工作会议上的讲话\n同志们:\n今年以来,全省抽检1000批次。"
    assert read_metadata(prepare(text)).genre == "speech"


def test_vocabulary_file_rejects_a_misspelt_section(tmp_path, monkeypatch) -> None:
    from metrics import metadata as meta_mod

    bad = tmp_path / "doc_metadata.yaml"
    bad.write_text(meta_mod.METADATA_YAML.read_text(encoding="utf-8").replace("\ngenre:", "\ngenres:"), encoding="utf-8")
    monkeypatch.setattr(meta_mod, "METADATA_YAML", bad)
    meta_mod._conf.cache_clear()
    try:
        with pytest.raises(meta_mod.MetadataConfigError, match="sections"):
            read_metadata(prepare("全省抽检1000批次。"))
    finally:
        monkeypatch.undo()
        meta_mod._conf.cache_clear()


def test_anchored_date_scans_match_plain_scans() -> None:
    """The date patterns are tried only before their anchor characters: same matches as finditer."""
    from metrics.metadata import _DATE_SCANS, _scan

    texts = [prepare(t).norm for t in RAW.values()]
    texts.append("2023 年5月6日 2023-05-06 12023年 3月4日 123月4日 2023..5.6 1999年版 2020 - 1 - 2 3 2023年3月31日前")
    for text in texts:
        for kind, (rx, *_rest) in _DATE_SCANS.items():
            assert [m.span() for m in _scan(kind, text)] == [m.span() for m in rx.finditer(text)], kind


def test_delivery_gate_is_in_every_delivery_line() -> None:
    """The delivery pattern is searched only in heads holding its gate literal: every match holds it."""
    from metrics.metadata import _conf

    c = _conf()
    lines = [prepare(t).norm for t in RAW.values()] + ["2025年1月15日在广东省第十四届人民代表大会第三次会议上"]
    found = [m.group() for text in lines for m in c.delivery.finditer(text)]
    assert found
    assert all(c.delivery_gate in m for m in found)


def test_date_precision_says_whether_the_day_is_known() -> None:
    """A page field, dateline or full date in the body gives the day; a file name's year, or a body
    naming a year but no day of it, gives only the year (the day in published_on is a stand-in)."""
    undated = prepare("全省市场监管部门持续优化营商环境。")
    assert read_metadata(undated, "gwr2025-某省.txt").date_precision == "year"
    assert read_metadata(undated, "notes.txt").date_precision is None
    year_only = read_metadata(prepare("2022年，全省市场监管部门持续优化营商环境。"))
    assert (year_only.date_source, year_only.date_precision) == ("implied", "year")
    dated = read_metadata(prepare("2023-08-02，正文：全省市场监管部门持续优化营商环境。"))
    assert (dated.date_source, dated.date_precision) == ("dateline", "day")
    for name, (_expected, source) in PUBLISHED.items():
        meta = meta_of(name)
        if source in ("field", "dateline", "delivery"):
            assert meta.date_precision == "day", name
        elif source == "name":
            assert meta.date_precision == "year", name


def test_feed_title_stops_at_an_outlet_dateline() -> None:
    """"原标题：新疆上半年查处价格违法案件千余件 天山网讯（记者…）": the outlet's 讯 opens the lede."""
    text = "2020-07-09 18:37，正文：原标题：新疆上半年查处价格违法案件千余件 天山网讯（记者 古丽米热）7月8日，记者从自治区市场监管局获悉。"
    assert read_metadata(prepare(text)).title == "新疆上半年查处价格违法案件千余件"


def test_genre_needs_are_in_every_match() -> None:
    """A genre rule's `needs` literals gate its pattern: every match on the samples holds one."""
    from metrics.metadata import _conf

    probes = [prepare(t).norm[:2000] for t in RAW.values()] + ["在全省市场监管工作会议上的讲话"]
    for _genre, pattern, needs in _conf().genres:
        for text in probes:
            for m in pattern.finditer(text):
                assert not needs or any(w in m.group() for w in needs), (pattern.pattern, m.group())


def test_colon_before_an_impossible_date_leaves_the_file_name_hint() -> None:
    meta = read_metadata(prepare("附表:2023-13-45。全省市场监管部门持续优化营商环境。"), "gwr2025-某省.txt")
    assert (meta.published_on, meta.date_source) == (date(2025, 1, 1), "name")


def test_work_report_of_a_prefecture_or_county_is_theirs() -> None:
    """A work report belongs to the area its title names, at whatever level (not the province)."""
    for title, code in (("黔东南州2024年政府工作报告（摘要）", "522600"), ("义乌市2022年政府工作报告（节选）", "330782"),
                        ("2025年安徽省政府工作报告", "340000")):
        meta = read_metadata(prepare(f"{title}\n\n各位代表：\n\n现在，我代表人民政府，向大会报告工作。\n"))
        assert meta.genre == "work_report"
        assert meta.region is not None and meta.region.code == code, title
        assert meta.publisher == f"{meta.region.name}人民政府"
