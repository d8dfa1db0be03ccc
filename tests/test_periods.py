"""Period phrases resolved against the publication date; event dates and titles are not periods."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.periods import default_period, find_periods

PUB = date(2023, 8, 2)

# (phrase, kind, start, end, year)
CASES = [
    ("今年以来，", "ytd", date(2023, 1, 1), PUB, 2023),
    ("上半年，福建", "ytd", date(2023, 1, 1), date(2023, 6, 30), 2023),
    ("今年前7月全省", "ytd", date(2023, 1, 1), date(2023, 7, 31), 2023),
    ("1至7月份，", "ytd", date(2023, 1, 1), date(2023, 7, 31), 2023),
    ("2023年1-7月，", "ytd", date(2023, 1, 1), date(2023, 7, 31), 2023),
    ("今年1-8月，", "ytd", date(2023, 1, 1), date(2023, 8, 31), 2023),
    ("8月份全市", "month", date(2023, 8, 1), date(2023, 8, 31), 2023),
    ("第二季度", "quarter", date(2023, 4, 1), date(2023, 6, 30), 2023),
    ("截至今年6月底，", "ytd", date(2023, 1, 1), date(2023, 6, 30), 2023),
    ("截至目前，", "ytd", date(2023, 1, 1), PUB, 2023),
    ("2018年至今共计", "multi_year", date(2018, 1, 1), PUB, 2023),
    ("2023年以来，", "ytd", date(2023, 1, 1), PUB, 2023),
    ("近三年", "multi_year", date(2021, 1, 1), PUB, 2023),
    ("五年来", "multi_year", date(2019, 1, 1), PUB, 2023),
    ("过去一年", "year", date(2022, 1, 1), date(2022, 12, 31), 2022),
    ("2022年，全国市场监管部门", "year", date(2022, 1, 1), date(2022, 12, 31), 2022),
    ("半年来共立案", "ytd", date(2023, 1, 1), PUB, 2023),
    ("去年全省共查处", "year", date(2022, 1, 1), date(2022, 12, 31), 2022),
    ("2018年至2022年，", "multi_year", date(2018, 1, 1), date(2022, 12, 31), 2022),
    ("“十三五”期间，", "multi_year", date(2016, 1, 1), date(2020, 12, 31), 2020),
    ("截至2022年底，", "year", date(2022, 1, 1), date(2022, 12, 31), 2022),
    ("2018年8月整治工作开展以来,", "multi_year", date(2018, 1, 1), PUB, 2023),
    ("春节黄金周期间（2月4日至10日）", "month", date(2023, 2, 4), date(2023, 2, 10), 2023),
    ("2021年广西新登记市场主体", "year", date(2021, 1, 1), date(2021, 12, 31), 2021),
    ("目前已立案1件", "ytd", date(2023, 1, 1), PUB, 2023),
]


@pytest.mark.parametrize(("text", "kind", "start", "end", "year"), CASES)
def test_period(text: str, kind: str, start: date, end: date, year: int) -> None:
    (m,) = find_periods(text, published_on=PUB)
    assert (m.period.kind, m.period.start, m.period.end, m.period.year) == (kind, start, end, year)


def test_span_not_yet_ended_is_last_year() -> None:
    (m,) = find_periods("截至9月25日,共接收投诉举报", published_on=date(2017, 3, 1))
    assert m.period.year == 2016 and m.period.end == date(2016, 9, 25)


def test_issue_number_gives_the_year() -> None:
    (m,) = find_periods("公告（2023年第45期）")
    assert (m.period.kind, m.period.year) == ("unknown", 2023)


@pytest.mark.parametrize("text", ["7月31日，福建省市场监管局发布", "于2019年4月制定出台了", "同比去年",
                                  "较去年同期增长", "增速为近五年来最高", "与2021年相比", "截至",
                                  "《法治政府建设实施纲要(2015-2020年)》", "长三角一体化", "11-12月"])
def test_not_periods(text: str) -> None:
    assert find_periods(text, published_on=PUB) == []


def test_default_period_of_a_work_report_is_the_year_before() -> None:
    p = default_period(date(2025, 1, 20), reviews_last_year=True)
    assert (p.kind, p.year, p.start, p.end) == ("year", 2024, date(2024, 1, 1), date(2024, 12, 31))
    assert default_period(PUB).kind == "unknown" and default_period(PUB).year == 2023
    assert default_period(None).year is None


def test_rule_gates_hold_on_the_samples() -> None:
    """Each period rule runs only in windows holding one of its gate characters: every match any rule
    finds in the sample documents (and in the cases above) holds one of them inside its span."""
    from metrics.paths import RAW_DIR
    from metrics.periods import _GATED_RULES
    from metrics.prepare import prepare

    texts = [prepare(p.read_text(encoding="utf-8")).norm for p in sorted(RAW_DIR.glob("*.txt"))]
    texts += [phrase for phrase, *_ in CASES]
    for text in texts:
        for rx, _make, needs, _width, _reach in _GATED_RULES:
            for m in rx.finditer(text):
                assert not needs.isdisjoint(m.group()), (rx.pattern, m.group())


def test_year_only_publication_ends_no_span_on_a_made_up_day() -> None:
    """With only the year known, 今年以来 runs from 1 January to an unknown end; a phrase that states
    its end keeps it (上半年 → 30 June, 1-7月 → 31 July); the year comes from the publication year."""
    from metrics.periods import YearOnly

    pub = YearOnly(2023, 12, 31)

    def one(text: str):
        (m,) = find_periods(text, 0, len(text), pub)
        return m.period

    p = one("今年以来，")
    assert (p.kind, p.start, p.end, p.year) == ("ytd", date(2023, 1, 1), None, 2023)
    p = one("截至目前，")
    assert (p.kind, p.start, p.end, p.year) == ("ytd", date(2023, 1, 1), None, 2023)
    p = one("上半年，福建")
    assert (p.kind, p.end) == ("ytd", date(2023, 6, 30))
    p = one("1至7月份，")
    assert (p.kind, p.end) == ("ytd", date(2023, 7, 31))
    p = one("近三年")
    assert (p.kind, p.start, p.end, p.year) == ("multi_year", date(2021, 1, 1), None, 2023)
    p = one("2018年以来，")
    assert (p.kind, p.end, p.year) == ("multi_year", None, 2023)
    p = one("2022年，全国")
    assert (p.kind, p.end) == ("year", date(2022, 12, 31))


def test_wide_windows_scanned_near_gates_find_the_same_matches() -> None:
    """In a long window each rule is tried only near its gate characters: the same matches as a
    plain scan of the window, on every sample paragraph."""
    from metrics.paths import RAW_DIR
    from metrics.periods import _GATED_RULES, _rule_matches
    from metrics.prepare import prepare

    texts = [prepare(p.read_text(encoding="utf-8")) for p in sorted(RAW_DIR.glob("*.txt"))]
    # and one long run of period phrases, where each stretch is read only as far as a match can reach
    run = "，".join(f"2023年{i % 12 + 1}月受理投诉{i}件" for i in range(400))
    texts.append(prepare(run))
    for prep in texts:
        for s, e in prep.body:
            for rx, _make, needs, width, reach in _GATED_RULES:
                want = [m.span() for m in rx.finditer(prep.norm, s, e)]
                assert [m.span() for m in _rule_matches(rx, prep.norm, s, e, needs, width)] == want
                assert [m.span() for m in _rule_matches(rx, prep.norm, s, e, needs, width, reach)] == want
