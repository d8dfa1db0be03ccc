"""Plain-text tables: cut into header and numeric rows, and read as figures by extract_text."""

from __future__ import annotations

from datetime import date

from metrics.extract import extract_text
from metrics.prepare import prepare
from metrics.tables import find_tables

YEAR_TABLE = ("三亚市市场监督管理局2024年工作总结\n表1 2024年主要工作指标完成情况\n"
              "指标\t2024年\t2023年\t同比\n"
              "新登记经营主体（户）\t68,214\t59,870\t13.9%\n"
              "其中：新登记企业（户）\t21,406\t18,933\t13.1%\n"
              "罚没款（万元）\t3,164.8\t2,877.2\t10.0%\n"
              "办结率（%）\t99.1\t98.7\t0.4\n")
METRIC_TABLE = ("天津市市场监督管理委员会关于2022年第12期食品安全监督抽检信息的通告\n一、监督抽检分类情况\n"
                "序号 食品类别 抽检批次 合格批次 不合格批次\n"
                "1 粮食加工品 68 68 0\n2 食用油、油脂及其制品 42 41 1\n3 肉制品 57 56 1\n合计 167 165 2\n")


def test_tables_are_cut_into_cells() -> None:
    prep = prepare(METRIC_TABLE)
    (table,) = find_tables(prep.norm, sorted(prep.body))
    assert [c.text for c in table.header] == ["序号", "食品类别", "抽检批次", "合格批次", "不合格批次"]
    assert [r[1].text for r in table.rows] == ["粮食加工品", "食用油、油脂及其制品", "肉制品", "合计"]


def test_prose_and_product_lists_are_no_tables() -> None:
    for text in ("今年以来，全省共查处案件1200件，罚没款3000万元。\n其中食品案件300件。\n",
                 "序号 企业名称 产品名称 不合格项目\n1 某某公司 菜籽油 酸价\n2 某某超市 芹菜 毒死蜱\n"):
        prep = prepare(text)
        assert find_tables(prep.norm, sorted(prep.body)) == []


def test_year_columns_give_one_figure_per_year_with_the_change() -> None:
    got = extract_text(YEAR_TABLE, published_on=date(2025, 1, 22)).figures
    assert [(f.metric, float(f.value), f.year) for f in got] == [
        ("new_market_entities", 68214, 2024), ("new_market_entities", 59870, 2023),
        ("new_enterprises", 21406, 2024), ("new_enterprises", 18933, 2023),
        ("fines_confiscations", 31648000, 2024), ("fines_confiscations", 28772000, 2023)]
    assert [f.yoy_pct and float(f.yoy_pct) for f in got] == [13.9, None, 13.1, None, 10.0, None]
    assert all(YEAR_TABLE[f.char_start:f.char_end] == f.token for f in got)


def test_metric_columns_give_one_figure_per_category() -> None:
    got = extract_text(METRIC_TABLE).figures
    assert [(f.metric, float(f.value), f.subject) for f in got] == [
        ("sampling_batches", 68, "粮食加工品"), ("failed_batches", 0, "粮食加工品"),
        ("sampling_batches", 42, "食用油、油脂及其制品"), ("failed_batches", 1, "食用油、油脂及其制品"),
        ("sampling_batches", 57, "肉制品"), ("failed_batches", 1, "肉制品"),
        ("sampling_batches", 167, ""), ("failed_batches", 2, "")]
    assert {f.year for f in got} == {2022} and {f.region_code for f in got} == {"120000"}
