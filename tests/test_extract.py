"""extract_text on real sentences: which figures come out, with region, period, change and scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from metrics.extract import Extraction, extract_text

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
PUB = date(2023, 8, 2)


def figs(text: str, published_on: date | None = PUB) -> list[tuple]:
    return [(f.metric, float(f.value)) for f in extract_text(text, published_on=published_on).figures]


# (sentence, expected (metric, value) in text order) — sentences copied from real reports.
YIELDS = [
    ("今年以来，查处食品药品案件1.42万件、罚没款1.35亿元，同比分别增长26.4%、55.3%。",
     [("cases", 14200), ("fines_confiscations", 135000000)]),
    ("上海市市场监管局公布上半年情况，今年上半年上海市场监管部门完成食品安全监督抽检59879批次，"
     "发现不合格样品1063批次，监督抽检不合格率为1.78%。",
     [("sampling_batches", 59879), ("failed_batches", 1063), ("fail_rate", 1.78)]),
    ("今年“春雷行动”期间,四川省共立案查处案件3.9万件、案值4.2亿元、罚没2.6亿元,为历年来之最。",
     [("cases", 39000), ("fines_confiscations", 260000000)]),
    ("2023年1-7月，12315、12345平台共受理投诉举报1648件，其中投诉1501件，举报177件，由投诉举报事件立案查处的案件38个。",
     [("complaints", 1648), ("complaints", 1501), ("complaints", 177), ("cases", 38)]),
    ("2018年以来,余杭区局通过该平台共录入案源9320件,已处理9079件,其中立案查处3334件,结案2861件,罚没款253.22万;",
     [("cases", 3334), ("fines_confiscations", 2532200)]),
    ("创业安徽建设持续深入，新增创新创业孵化载体155个，新登记经营主体121.3万户。",
     [("new_market_entities", 1213000)]),
    ("抽检工作分3批开展，今年以来共抽检食品120批，不合格3批。",
     [("sampling_batches", 120), ("failed_batches", 3)]),
]

# Real sentences that state no core figure (targets, single cases, events, stocks, per-day levels).
NOTHING = [
    "一个月的时间全省涉疫情日投诉举报由峰值4620件下降至150件左右。",
    "依据《中华人民共和国电子商务法》等法律法规，执法机关责令当事人停止违法行为，并给予行政处罚6000元。",
    "当地市场监管局依法没收违法所得，处以违法所得5倍即250元的罚款，并对商家作出停业整顿60日的行政处罚。",
    "截至今年7月底，湖南实有经营主体684.77万户，其中企业176.62万户。",
    "经营主体净增98万户、突破1900万户，其中企业超830万户，总量均居全国第一。",
    "新增高新技术企业3500家以上、科技型中小企业7533家、专精特新“小巨人”企业113家。",
    "食品抽检量超每千人6.5批次。",
    "制定实施食品药品执法办案12条措施,对违法行为实行顶格处罚。",
    "上海查办的3个案件获选全国反不正当竞争执法暨“百日行动”十佳典型案件。",
    "依法行政能力提升行动扎实推进，全省办结行政复议案件21850件。",
    "向密云区和河北省廊坊市、邯郸市移送案件线索6件。",
    "今年以来，排查问题线索2270件，涉案金额248.85万元，行政约谈441件，调解、解决消费纠纷13427件。",
    "该局日前查处一起“反向抹零”行为，当事商家被责令整改。",
    "2022年，全省法院共发出行政机关负责人出庭应诉通知书4228份，行政机关负责人到庭应诉4018件。",
    "经营者违反明码标价规定的应当退还违法所得，可以并处5000元以下罚款。",
    "依法给予罚款3万元的行政处罚。",
    "决定责令其停止违法行为，处罚款5万元。",
    "全市计量器具检定合格率98.5%。",
    "下一步，我局将继续加大抽检力度，全年计划抽检食品5000批次。",
    "今年将组织抽检食品3000批次。",
]


@pytest.mark.parametrize(("text", "want"), YIELDS)
def test_yields(text: str, want: list[tuple]) -> None:
    assert figs(text) == [(m, float(v)) for m, v in want]


@pytest.mark.parametrize("text", NOTHING)
def test_yields_nothing(text: str) -> None:
    assert figs(text) == []


def test_distributed_lists_get_their_own_change_region_and_scope() -> None:
    text = ("本报太原8月18日讯 今年前7月，从省市场监管局获悉。1至7月份，阳泉、运城、太原分别受理食品投诉举报"
            "3711件、3105件、3024件，占全省食品投诉举报总量的50.76%。")
    got = extract_text(text, published_on=PUB).figures
    assert [(f.value, f.region_code) for f in got] == [(3711, "140300"), (3105, "140800"), (3024, "140100")]
    assert {f.subject for f in got} == {"食品投诉举报"}
    assert all(f.period_kind == "ytd" and f.period_end == date(2023, 7, 31) for f in got)

    got = extract_text(YIELDS[0][0], published_on=PUB).figures
    assert [float(f.yoy_pct) for f in got] == [26.4, 55.3]
    assert [f.subject for f in got] == ["食品药品", "食品药品"]


def test_rates_listed_with_their_categories() -> None:
    text = "其中，食用农产品、餐饮食品、特殊膳食食品、水产制品的不合格率分别为2.59%、2.46%、2.21%、1.7%。"
    got = extract_text(text, published_on=PUB).figures
    assert [(f.metric, float(f.value), f.subject) for f in got] == [
        ("fail_rate", 2.59, "食用农产品"), ("fail_rate", 2.46, "餐饮食品"),
        ("fail_rate", 2.21, "特殊膳食食品"), ("fail_rate", 1.7, "水产制品")]


def test_headline_has_empty_subject_and_category_has_one() -> None:
    text = "今年以来全市新设企业7.5万户，同比增长25.93%。全面落实外资政策，新设外资企业2.6万户、增长超20%。"
    a, b = extract_text(text, published_on=PUB).figures
    assert (a.subject, float(a.yoy_pct)) == ("", 25.93)
    assert (b.subject, float(b.yoy_pct)) == ("外资企业", 20)


def test_section_headings_switch_region() -> None:
    text = ("北京:抓牢疫情防控 深化改革创新\n8月份全市新设企业1.77万户,同比增长19.83%。\n"
            "重庆:紧抓建设机遇 优化营商环境\n今年1-8月,全市新设立市场主体31万户,增长13.7%。\n")
    got = extract_text(text, published_on=date(2020, 9, 4)).figures
    assert [(f.metric, f.region_code, f.period_kind, f.year) for f in got] == [
        ("new_enterprises", "110000", "month", 2020), ("new_market_entities", "500000", "ytd", 2020)]


def test_work_report_reviews_last_year_and_skips_plans() -> None:
    text = ("2025年安徽省政府工作报告\n一、2024年工作回顾\n创业安徽建设持续深入，新登记经营主体121.3万户。\n"
            "二、2025年工作总体要求和主要目标任务\n全年新登记经营主体130万户以上。\n")
    got = extract_text(text, published_on=date(2025, 1, 20)).figures
    assert [(f.metric, float(f.value), f.year, f.period_kind) for f in got] == [
        ("new_market_entities", 1213000.0, 2024, "year")]


def test_provenance_offsets_and_rule() -> None:
    text = "  通知。\n今年以来处理12315消费者诉求52.42万件,为消费者挽回经济损失8000余万元。"
    for f in extract_text(text, published_on=PUB).figures:
        assert text[f.char_start:f.char_end] == f.token
        assert text[f.sentence_start:f.sentence_end] == f.quote
        assert f.sentence_start <= f.char_start < f.char_end <= f.sentence_end
        assert f.rule and 0 < f.confidence <= 1
    lost = extract_text(text, published_on=PUB).figures[-1]
    assert (lost.metric, lost.token, lost.approx) == ("losses_recovered", "8000余万元", "over")


def test_pure_and_repeatable_on_a_real_document() -> None:
    text = (RAW / "crud-10-1-785.txt").read_text(encoding="utf-8")
    a = extract_text(text, doc="x.txt")
    b = extract_text(text, doc="x.txt")
    assert isinstance(a, Extraction)
    assert [f.to_record() for f in a.figures] == [f.to_record() for f in b.figures]
    assert all(f.doc == "x.txt" for f in a.figures)
    assert a.meta.published_on == date(2023, 8, 2)


def test_unknown_region_stays_unknown() -> None:
    got = extract_text("市市场监管局介绍，近期抽检样品共计580批次，其中合格575批次、不合格5批次。",
                       published_on=PUB).figures
    assert [float(f.value) for f in got] == [580, 5]
    assert all(f.region_code is None for f in got)


def test_past_value_in_brackets_keeps_its_own_year() -> None:
    text = ("春节黄金周期间（2月4日至10日），全市12315指挥中心共受理消费者投诉举报526件，"
            "同比下降12.3%（去年春节期间为600件），为游客和消费者挽回经济损失31.2万元。")
    got = extract_text(text, published_on=date(2019, 2, 12)).figures
    assert [(f.metric, float(f.value), f.year) for f in got] == [
        ("complaints", 526, 2019), ("complaints", 600, 2018), ("losses_recovered", 312000, 2019)]
    assert float(got[0].yoy_pct) == -12.3 and got[0].period_kind == "month"


def test_whole_city_of_a_county_level_city_is_that_city() -> None:
    text = "记者昨天从昆山市市场监管局获悉，今年1—9月，全市新登记市场主体52680户，同比增长6.2%。"
    (f,) = extract_text(text, published_on=date(2022, 10, 14)).figures
    assert (f.region_code, f.period_kind, f.period_end) == ("320583", "ytd", date(2022, 9, 30))


def test_heading_naming_two_regions_distributes_a_list() -> None:
    text = "湖南、湖北：联手整治价格乱象\n两省分别查办价格违法案件1326件、1108件，罚没款分别为4230万元、3680万元。\n"
    got = extract_text(text, published_on=date(2019, 12, 20)).figures
    assert [(f.metric, f.region_code) for f in got] == [
        ("cases", "430000"), ("cases", "420000"),
        ("fines_confiscations", "430000"), ("fines_confiscations", "420000")]


def test_annual_summary_title_gives_the_year() -> None:
    text = ("青岛市市场监督管理局2022年工作总结\n发布时间：2023-01-18\n"
            "一、2022年工作开展情况\n1.深化商事制度改革。全年新登记市场主体25.6万户，同比增长6.8%。\n")
    (f,) = extract_text(text).figures
    assert (f.metric, f.year, f.period_kind, float(f.yoy_pct)) == ("new_market_entities", 2022, "year", 6.8)


def test_plan_heading_of_the_current_year_in_a_december_summary_is_not_a_plan() -> None:
    text = ("全国市场监管系统2019年重点工作经验交流会发言摘要\n来源：中国市场监管报 2019-12-20\n"
            "浙江：以“最多跑一次”改革激发市场活力\n1—11月，全省新设市场主体102.3万户，其中新设企业33.6万户。\n")
    got = extract_text(text).figures
    assert [(f.metric, f.region_code, f.year) for f in got] == [
        ("new_market_entities", "330000", 2019), ("new_enterprises", "330000", 2019)]


def test_parts_by_area_after_a_total() -> None:
    text = "2021年，全区新登记市场主体58.37万户，其中南宁市12.5万户、柳州市6.1万户，桂林市7.4万户。"
    got = extract_text(text, published_on=date(2022, 1, 21)).figures
    assert [(f.metric, float(f.value), f.region_code) for f in got] == [
        ("new_market_entities", 583700, "450000"), ("new_market_entities", 125000, "450100"),
        ("new_market_entities", 61000, "450200"), ("new_market_entities", 74000, "450300")]
    assert all(f.year == 2021 and f.period_kind == "year" for f in got)


def test_bureau_summary_skips_non_figures_and_the_outlook_section() -> None:
    text = ("某市市场监督管理局2022年法治政府建设工作报告\n"
            "（一）推进依法行政。审查规范性文件15件；办理行政复议案件8件，行政应诉案件5件。\n"
            "（二）规范执法行为。全年共办理行政处罚案件1563件，罚没款2365.8万元；听证案件6件；"
            "移送公安机关涉嫌犯罪案件23件。\n"
            "二、存在的不足和下一步打算\n"
            "全市新登记市场主体3.5万户。\n")
    got = extract_text(text, published_on=date(2023, 2, 10)).figures
    assert [(f.metric, float(f.value), f.year) for f in got] == [
        ("cases", 1563, 2022), ("fines_confiscations", 23658000, 2022)]


def test_hard_wrapped_lines_are_read_as_prose() -> None:
    text = ("苏州市市场监督管理局关于2019年工作总结\n和2020年工作计划的报告\n市政府：\n"
            "一、2019年工作总结\n（一）商事制度改革持续深化。全面推行企业开办\n"
            "“一窗通”。全年全市新登记市场主体\n32.6万户，同比增长9.7%，其中新登记企业\n"
            "11.85万户，同比增长6.3%。年末全市实有市场主体\n166.4万户，居全省首位。全年完成食品\n"
            "安全监督抽检\n4.18万批次，总体合格率为\n98.35%，较上年提高0.42个百分点。\n")
    got = extract_text(text, published_on=date(2020, 1, 20)).figures
    assert [(f.metric, float(f.value), f.year) for f in got] == [
        ("new_market_entities", 326000, 2019), ("new_enterprises", 118500, 2019),
        ("sampling_batches", 41800, 2019), ("pass_rate", 98.35, 2019)]
    for f in got:
        assert text[f.char_start:f.char_end] == f.token
        assert text[f.sentence_start:f.sentence_end] == f.quote
    assert float(got[0].yoy_pct) == 9.7


def test_values_named_after_their_areas_or_years() -> None:
    text = ("2024年1—3月，全省共受理消费者诉求41.27万件，同比增长12.6%（上年同期为36.65万件）。\n"
            "青岛市、济南市、临沂市诉求量居全省前三位，分别为7.12万件、5.86万件、3.27万件。\n"
            "其中，投诉23.18万件；咨询12.05万件。\n")
    got = extract_text(text, published_on=date(2024, 4, 15)).figures
    assert [(f.metric, float(f.value), f.region_code, f.year) for f in got] == [
        ("complaints", 412700, "370000", 2024), ("complaints", 366500, "370000", 2023),
        ("complaints", 71200, "370200", 2024), ("complaints", 58600, "370100", 2024),
        ("complaints", 32700, "371300", 2024), ("complaints", 231800, "370000", 2024)]


def test_values_of_earlier_years_in_one_sentence() -> None:
    text = "2023年，全市新设经营主体52.9万户，同比增长14.9%；2022年为46.0万户，2021年为48.3万户。"
    got = extract_text(text, published_on=date(2024, 2, 1)).figures
    assert [(float(f.value), f.year) for f in got] == [(529000, 2023), (460000, 2022), (483000, 2021)]


def test_month_on_month_change_is_not_year_on_year() -> None:
    text = "4月份受理投诉举报9.96万件，环比下降4.2%，同比增长18.6%；服务类投诉4315件，其中涉及旅游服务的投诉同比增长63.8%。"
    a, b = extract_text(text, published_on=date(2021, 7, 21)).figures
    assert (float(a.yoy_pct), b.yoy_pct) == (18.6, None)


def test_sentence_and_clause_bounds_match_a_forward_scan() -> None:
    """Bounds searched backwards from a number equal those of a forward scan of its paragraph
    (thousands separators 1,234 are no clause end, also at a paragraph's end)."""
    import re

    from metrics.context import _SENT_END, Doc
    from metrics.doc_periods import _CLAUSE_END
    from metrics.metadata import read_metadata
    from metrics.prepare import prepare

    texts = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    texts.append("共罚没款1,234,567元，其中3,456元。立案1,23\n案件,123")
    for text in texts:
        prep = prepare(text)
        d = Doc(prep, read_metadata(prep), None)
        for s, e in prep.body:
            sent = [m.start() for m in _SENT_END.finditer(d.norm, s, e)]
            clause = [m.start() for m in _CLAUSE_END.finditer(d.norm, s, e)]
            for pos in [m.start() for m in re.finditer(r"\d", d.norm[s:e])][:50]:
                pos += s
                before = [i for i in sent if i < pos]
                after = [i for i in sent if i >= pos]
                assert d.sentence(pos) == (before[-1] + 1 if before else s, after[0] + 1 if after else e)
                cl = [i for i in clause if i < pos]
                assert d.clause_start(pos) == (cl[-1] + 1 if cl else s)


def test_year_only_date_gives_ytd_figures_no_end() -> None:
    """crud-4-1-314 (a news item dated only by its collection year) says 今年以来: its figures run
    from 1 January 2023 to an unknown end, never to a made-up 31 December (read as a full year)."""
    ex = extract_text((RAW / "crud-4-1-314.txt").read_text(encoding="utf-8"), doc="crud-4-1-314.txt")
    assert ex.meta.date_precision == "year"
    ytd = [f for f in ex.figures if f.period_kind == "ytd"]
    assert ytd and all(f.period_start == date(2023, 1, 1) and f.period_end is None for f in ytd)
    assert not any(f.period_end == date(2023, 12, 31) and f.period_kind != "year" for f in ex.figures)
    # a date given by the caller is a day: the span ends there
    dated = extract_text("今年以来，全省查处案件18件。", published_on=PUB)
    assert dated.meta.date_precision == "day"
    assert dated.figures[0].period_end == PUB


def test_outlet_names_and_new_areas() -> None:
    """An outlet before 讯 is no place (天山网讯 is not 天山区); 西海岸新区 is 黄岛区 (370211);
    "零投诉景区增至12个" counts places, not complaints."""
    from datetime import date as _date

    text = "天山网讯（记者 古丽米热）今年以来，全区共立案查处价格违法案件1086件。"
    figs_ = extract_text(text, published_on=_date(2020, 7, 9)).figures
    assert [f.value for f in figs_] == [1086] and figs_[0].region_code != "650102"
    text = "2022年，青岛西海岸新区新登记市场主体5.2万户。"
    (f,) = extract_text(text, published_on=_date(2023, 2, 1)).figures
    assert f.region_code == "370211"
    assert extract_text("“五一”假期市场平稳有序 零投诉景区增至12个", published_on=PUB).figures == []


SCOPES = [
    # a campaign named in an earlier clause of the sentence scopes a figure naming none itself
    ("开展“三小”食品经营主体数据排查，立案查处违法案件1601起，食品安全水平明显提升。", "cases", "三小食品经营主体"),
    # ... or in the sentence before, when that only announces it
    ("平谷区市场监管局开展了平谷大桃地理标志保护专项行动。目前已立案1件。", "cases", "平谷大桃地理标志保护"),
    # registrations are not scoped by a campaign; a headline total stays scope-free
    ("持续开展营商环境对标提升行动，新增市场主体9.1万户、增长10.6%。", "new_market_entities", ""),
    ("2023年，全省共查处各类违法案件3000件。", "cases", ""),
    # a count in the campaign clause is a figure of its own, not a scope
    ("全市开展执法检查1200次，查处违法案件300件。", "cases", ""),
    # a sampling figure is always of something: the paragraph says what
    ("食品安全形势平稳。全年食品安全监督抽检合格率98.45%，天涯区完成抽检1642批次，不合格12批次。",
     "sampling_batches", "食品"),
]


@pytest.mark.parametrize(("text", "metric", "subject"), SCOPES)
def test_scope_from_the_sentence_around(text: str, metric: str, subject: str) -> None:
    got = [f.subject for f in extract_text(text, published_on=PUB).figures if f.metric == metric]
    assert got == [subject]


def test_subject_drop_split_equals_the_full_pattern() -> None:
    """_drop (the anchored entries at the start only) removes exactly what subject_drop.sub removes."""
    import re

    from metrics.catalogue import catalogue
    from metrics.extract import _Extractor

    cat = catalogue()
    x = _Extractor.__new__(_Extractor)
    x.cat = cat
    phrases = ["一、全省共抽检食品", "（二）比去年同期的", "中国消费者", "1.其中全市", "比2022年同期"]
    for p in sorted(RAW.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        phrases += [text[max(0, m.start() - 24):m.start()] for m in re.finditer(r"\d", text)][::7]
    for phrase in phrases:
        assert x._drop(phrase) == cat.subject_drop.sub("", phrase), phrase


def test_a_result_after_a_target_is_a_figure() -> None:
    """"全年计划抽检食品2600批次，截至11月底已完成抽检2488批次": 2488 is done (已), 2600 is a plan."""
    text = "全年计划抽检食品2600批次，截至11月底已完成抽检2488批次，完成率95.7%；其中州级抽检1320批次。"
    assert [f.value for f in extract_text(text, published_on=PUB).figures
            if f.metric == "sampling_batches"] == [2488, 1320]
    assert extract_text("今年将组织抽检3000批次。", published_on=PUB).figures == []
    assert extract_text("完成抽检2488批次，力争全年抽检3000批次。", published_on=PUB).figures == []


def _doc_figures(name: str, metric: str) -> list:
    path = RAW / name
    return [f for f in extract_text(path.read_text(encoding="utf-8"), doc=name).figures if f.metric == metric]


def test_failed_total_and_its_breakdown_come_from_the_listing_sentence() -> None:
    """"12批次不合格样品中饮料2批次、…和食用农产品8批次": the total and every item, the last one after 和,
    are read from this sentence, not from later commentary repeating 12 and 8."""
    sentence = "12批次不合格样品中饮料2批次、酒类1批次、糕点1批次和食用农产品8批次"
    got = [(float(f.value), f.subject) for f in _doc_figures("crud-5-3-644.txt", "failed_batches")
           if sentence in f.quote]
    assert (12.0, "纯净水亚硝酸盐项目") not in got
    assert [v for v, _s in got] == [12, 2, 1, 1, 8]
    assert [s for _v, s in got][1:] == ["饮料", "酒类", "糕点", "食用农产品"]


def test_respectively_after_quoted_names_gives_each_figure_its_name() -> None:
    """"“食品质量”“商品分量不足”“标签、说明书不规范”等问题比较严重，分别达到2732件、388件、292件"."""
    got = {float(f.value): f.subject for f in _doc_figures("crud-10-2-1198.txt", "complaints")}
    assert (got[2732], got[388], got[292]) == ("食品质量", "商品分量不足", "标签、说明书不规范")


def test_sampled_object_after_the_count_is_the_subject() -> None:
    """"对辖区77个加油点共抽检983个批次成品油": what is sampled is 成品油, not where (加油点)."""
    got = {float(f.value): f.subject for f in _doc_figures("crud-10-1-779.txt", "sampling_batches")}
    assert got[983] == "成品油"


def test_one_party_penalty_decision_is_no_figure() -> None:
    """"…二：罚款5000元，两项合并5036.96元上缴国库" fines one shop: no fines_confiscations figure."""
    assert _doc_figures("crud-3-3-1772.txt", "fines_confiscations") == []


@pytest.mark.parametrize(("doc", "token", "subject"), [
    ("h4-05.txt", "8610户", "民营企业"),       # 新发展民营企业8610户
    ("h4-06.txt", "418家", "农业企业"),        # 新注册农业企业418家
    ("h4-12.txt", "4.27万户", ""),             # 其中，新办企业4.27万户 (not a market-entity part)
    ("h4-12.txt", "1.16万户", ""),             # 思明区新办企业1.16万户
])
def test_new_enterprise_wordings(doc: str, token: str, subject: str) -> None:
    path = Path(__file__).resolve().parent / "heldout4" / "docs" / doc
    got = [f for f in extract_text(path.read_text(encoding="utf-8"), doc=doc).figures if f.token == token]
    assert [(f.metric, f.subject) for f in got] == [("new_enterprises", subject)]


def test_sole_traders_and_cooperatives_are_not_enterprises() -> None:
    """h4-06: "新登记家庭农场236家" and the sole traders of h4-12 ("新注册个体工商户6.93万户") are no
    new_enterprises figure."""
    for doc, token in (("h4-06.txt", "236家"), ("h4-12.txt", "6.93万户")):
        path = Path(__file__).resolve().parent / "heldout4" / "docs" / doc
        got = extract_text(path.read_text(encoding="utf-8"), doc=doc).figures
        assert not [f for f in got if f.token == token and f.metric == "new_enterprises"]


def test_failure_rate_of_failed_batches_and_a_sampling_volume() -> None:
    """h4-10 "不合格批次发现率6.1%" is a fail_rate; h4-17 "…抽检量…" leaves 量 out of the subject."""
    path = Path(__file__).resolve().parent / "heldout4" / "docs" / "h4-10.txt"
    got = extract_text(path.read_text(encoding="utf-8"), doc="h4-10.txt").figures
    assert [(f.metric, f.subject) for f in got if f.token == "6.1%"] == [("fail_rate", "产品质量")]
    path = Path(__file__).resolve().parent / "heldout4" / "docs" / "h4-17.txt"
    got = extract_text(path.read_text(encoding="utf-8"), doc="h4-17.txt").figures
    assert {f.subject for f in got if f.metric == "sampling_batches" and "抽检量" in f.quote} == {"食品"}



def test_year_end_review_counts_the_whole_year() -> None:
    """002 "2019年省市场监管局政务公开工作总结", dated 2019-12-24: "全省查处…案件4025件" is the year 2019;
    the "截至目前…总计13618批次" of an earlier sentence stays the year so far and does not carry."""
    got = {f.token: f.period_kind for f in _doc_figures("002_06c57155bd1de4ba.txt", "cases")
           + _doc_figures("002_06c57155bd1de4ba.txt", "sampling_batches")}
    assert got["4025件"] == "year" and got["13618批次"] == "ytd"


def test_month_range_of_a_quarter_report_is_the_quarter() -> None:
    """h2-03 "2024年第一季度全省12315消费者诉求数据分析报告": "2024年1—3月…共受理消费者诉求41.27万件" is
    that quarter (and its 上年同期 value the same quarter of 2023)."""
    path = Path(__file__).resolve().parent / "heldout2" / "docs" / "h2-03.txt"
    got = {f.token: (f.period_kind, f.year) for f in
           extract_text(path.read_text(encoding="utf-8"), doc="h2-03.txt").figures}
    assert got["41.27万件"] == ("quarter", 2024) and got["36.65万件"] == ("quarter", 2023)
