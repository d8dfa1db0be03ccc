"""summary.py: number formats and the Chinese summary written from query rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import query, summary


@pytest.mark.parametrize("value,unit,approx,text", [
    (260000000, "元", "", "2.6亿元"),
    (23544800, "元", "over", "逾2354万元"),
    (378626, "件", "", "37.86万件"),
    (8532, "件", "about", "约8532件"),
    (98.45, "%", "", "98.45%"),
    (0, "户", "under", "不足0户"),
])
def test_value_text(value: float, unit: str, approx: str, text: str) -> None:
    assert summary.value_text(value, unit, approx) == text


def test_scale_shared_across_values_and_yoy_words() -> None:
    s = summary.scale_for([260000000, 5000000], "元")
    assert (s.divisor, s.unit) == (1e8, "亿元")
    assert summary.value_text(5000000, "元", scale=s) == "0.05亿元"
    assert summary.yoy_text(12.345) == "同比增长12.3%" and summary.yoy_text(-4) == "同比下降4%"
    assert summary.yoy_text(None) == "" and summary.yoy_text(0) == "与上年持平"


ROWS = [
    {"region_code": "510000", "region_name": "四川省", "year": 2020, "value": 260000000.0, "unit": "元",
     "period_kind": "year", "period_label": "全年", "approx": "", "yoy_pct": 12.0},
    {"region_code": "440000", "region_name": "广东省", "year": 2020, "value": 120000000.0, "unit": "元",
     "period_kind": "ytd", "period_label": "1–8月", "approx": "over", "yoy_pct": None},
    {"region_code": "110000", "region_name": "北京市", "year": 2020, "value": 30000000.0, "unit": "元",
     "period_kind": "year", "period_label": "全年", "approx": "", "yoy_pct": None},
]


def test_comparison_summary_ranks_and_flags_unlike_periods() -> None:
    text = summary.comparison_summary(ROWS, "罚没款", 2020)
    assert text.startswith("2020年，四川省罚没款2.6亿元，为所比省份最高，同比增长12%")
    assert "北京市最低，为0.3亿元" in text and "共3个省份有数据" in text
    assert "广东省为1–8月数据" in text and "不宜直接比较" in text
    assert "1个数值为约数" in text and "逾1.2亿元" in text


def test_comparison_summary_single_and_empty() -> None:
    assert summary.comparison_summary(ROWS[:1], "罚没款", 2020) == "2020年，仅四川省有罚没款数据：2.6亿元。"
    assert summary.comparison_summary(ROWS, "罚没款", 2019) == "2019年，所选省份没有罚没款数据。"
    text = summary.comparison_summary(ROWS[1:2], "罚没款", 2020)
    assert "（1–8月）" in text and "并非全年数" in text


@pytest.mark.slow
def test_summary_from_sample_data_names_the_leader(sample_db: Path) -> None:
    db = str(sample_db)
    for metric in query.known_metrics(db=db):
        frame = query.compare(metric, level="province", db=db)
        if frame.height == 0:
            continue
        year = frame.group_by("year").len().sort(["len", "year"], descending=True)["year"][0]
        rows = frame.filter(frame["year"] == year).sort("value", descending=True).to_dicts()
        text = summary.comparison_summary(frame, "指标", year)
        lead = rows[0]
        assert text.startswith(f"{year}年，") and lead["region_name"] in text
        assert summary.value_text(lead["value"], lead["unit"], lead["approx"],
                                  summary.scale_for([r["value"] for r in rows], lead["unit"])) in text
        if len({r["period_kind"] for r in rows}) > 1:
            assert "不宜直接比较" in text


def test_a_ytd_figure_is_never_called_a_full_year() -> None:
    dec = {**ROWS[1], "period_label": "1–12月", "approx": ""}
    assert summary.period_words(dec) == "1–12月累计"
    assert summary.period_words(ROWS[0]) == "" and summary.period_words(ROWS[1]) == "1–8月"
    text = summary.comparison_summary([ROWS[0], dec], "罚没款", 2020)
    assert "广东省为1–12月累计数据" in text and "不宜直接比较" in text and summary.DECEMBER_NOTE in text
    only = summary.comparison_summary([dec], "罚没款", 2020)
    assert "（1–12月累计）" in only and "并非全年数" in only and "不能当作全年数" in only
    assert summary.DECEMBER_NOTE not in summary.comparison_summary(ROWS, "罚没款", 2020)
    half = {**ROWS[0], "period_kind": "ytd", "period_label": "上半年"}
    unlike = summary.comparison_summary([half, dec], "罚没款", 2020)
    assert "四川省为上半年、广东省为1–12月累计数据，并非全年数，且各地期间不同，不宜直接比较" in unlike
    same = summary.comparison_summary([half, {**ROWS[2], "period_kind": "ytd", "period_label": "上半年"}], "罚没款", 2020)
    assert "并非全年数。" in same and "不宜直接比较" not in same
    profile = summary.profile_summary([{**dec, "metric": "fines_confiscations"}], "广东省", {})
    assert "（1–12月累计）" in profile and summary.DECEMBER_NOTE in profile


def test_comparison_summary_flags_scoped_figures() -> None:
    scoped = {**ROWS[2], "subject": "食品类"}
    text = summary.comparison_summary([ROWS[0], scoped], "罚没款", 2020)
    assert "北京市最低，为0.3亿元（“食品类”分项）" in text
    assert "北京市为“食品类”分项数据" in text and "并非全口径数" in text
    assert "分项" not in summary.comparison_summary(ROWS, "罚没款", 2020)


def test_profile_summary_separates_headline_and_scoped_figures() -> None:
    head = {**ROWS[0], "metric": "fines_confiscations", "headline": True, "subject": ""}
    scoped = {**ROWS[1], "metric": "complaints", "unit": "件", "value": 23000.0, "headline": False,
              "subject": "食品类投诉举报", "approx": ""}
    names = {"fines_confiscations": "罚没款", "complaints": "投诉"}
    both = summary.profile_summary([head, scoped], "四川省", names)
    assert "全口径数值共1个，各指标最新：2020年罚没款2.6亿元。" in both
    assert "另有1个分项/口径数值（投诉；如“食品类投诉举报”）" in both and "不是四川省的总数" in both
    assert "2.3万件" not in both  # a subject's figure is never given as the region's value
    only = summary.profile_summary([scoped], "山西省", names)
    assert "其中没有全口径（全地区、不分项）的数值" in only and "1个数值并非全年数" in only
    assert summary.profile_summary([], "山西省", names) == "数据库中没有山西省的指标数据。"


@pytest.mark.slow
def test_sample_summaries_name_every_partial_period_and_never_call_it_full_year(sample_db: Path) -> None:
    db = str(sample_db)
    checked = 0
    for metric in query.known_metrics(db=db):
        frame = query.compare(metric, level=None, db=db)
        for year in sorted(set(frame["year"].to_list())):
            rows = frame.filter(frame["year"] == year).to_dicts()
            partial = [r for r in rows if r["period_kind"] != "year"]
            if not partial:
                continue
            text = summary.comparison_summary(rows, "指标", year, level="country")
            for r in sorted(partial, key=lambda r: -r["value"])[:6]:
                words = summary.period_words(r)
                assert words and (not words.startswith("全年")) and words in text, (metric, year, r["region_name"])
                checked += 1
    assert checked > 0  # the sample data has year-to-date headline figures


def test_headline_sentence_is_one_line_naming_highest_and_lowest() -> None:
    assert summary.headline_sentence(ROWS, "罚没款", 2020) == \
        "2020年罚没款：3个省份有数值，四川省最高（2.6亿元），北京市最低（3000万元）。"
    assert summary.headline_sentence(ROWS[1:2], "罚没款", 2020) == "2020年罚没款：仅广东省有数值，为逾1.2亿元（1–8月）。"
    assert summary.headline_sentence(ROWS, "罚没款", 2019) == "2019年罚没款：所选省份都没有全口径数值。"


def test_reporting_sentence_names_who_reports_and_who_does_not() -> None:
    from datetime import date

    docs = [
        {"region_code": "310000", "published_on": date(2021, 1, 20), "genre": "work_report"},  # reviews 2020
        {"region_code": "330100", "published_on": date(2020, 7, 1), "genre": "news"},         # 杭州: 浙江
        {"region_code": "320000", "published_on": date(2020, 1, 15), "genre": "work_report"},  # reviews 2019
    ]
    text = summary.reporting_sentence(ROWS, docs, "罚没款", 2020)
    assert text.startswith("全国31个省份中，3个有2020年罚没款的全口径数值：北京市、广东省、四川省。其余28个没有：")
    assert "2个在库中有回顾2020年的文件（当年发布的文件或次年的政府工作报告），但未从中读出该数值（上海市、浙江省）" in text
    absent = text.split("26个在库中没有这样的文件（", 1)[1]
    assert "江苏省" in absent and "天津市" in absent and "台湾" not in text and "香港" not in text
    given = summary.reporting_sentence(ROWS, docs, "罚没款", 2020, regions=["510000", "310000"])
    assert given == ("所选2个省份中，1个有2020年罚没款的全口径数值：四川省。其余1个没有：1个在库中有回顾2020年的文件"
                     "（当年发布的文件或次年的政府工作报告），但未从中读出该数值（上海市）。")
    assert summary.reporting_sentence([], [], "罚没款", 2020, level="prefecture") == "2020年共有0个地市有罚没款的全口径数值。"
    assert summary.reviewed_year(date(2025, 1, 20), "work_report") == 2024
    assert summary.reviewed_year(date(2025, 1, 20), "news") == 2025 and summary.reviewed_year(None, "news") is None
