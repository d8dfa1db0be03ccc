"""briefing.py: escaped tables and text, the offline CSP rewrite, the audit, and a hostile report end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from metrics import briefing

PAYLOADS = ('<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=2">')


def test_table_html_escapes_every_cell_and_header() -> None:
    rows = [{"a": PAYLOADS[0], "b": PAYLOADS[1]}, {"a": None, "b": 3}]
    page = briefing.table_html(rows, [("a", "<th>"), ("b", "B & C")], caption="<i>cap</i>")
    tree = LexborHTMLParser(page)
    assert not tree.css("table script") and not tree.css("table img") and not tree.css("table i")
    cells = [td.text() for td in tree.css("td")]
    assert cells == [PAYLOADS[0], PAYLOADS[1], "", "3"]
    assert [th.text() for th in tree.css("th")] == ["<th>", "B & C"]
    assert tree.css_first("caption").text() == "<i>cap</i>"


def test_text_html_escapes_and_keeps_lines() -> None:
    tree = LexborHTMLParser(briefing.text_html(f"第一行{PAYLOADS[1]}\n第二行"))
    assert not tree.css("img")
    assert tree.css_first("p").text() == f"第一行{PAYLOADS[1]}第二行"
    assert len(tree.css("br")) == 1
    with pytest.raises(ValueError, match="tag"):
        briefing.text_html("x", tag="script")


def _page(body: str) -> str:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>{body}</head><body></body></html>'


def test_secure_html_drops_remote_scripts_and_hashes_inline_ones() -> None:
    page = _page('<script src="https://cdn.example/require.js"></script><script src=""></script>'
                 '<script type="module">import "https://cdn.example/m.mjs"</script>'
                 '<script>var a = 1;</script><script type="text/x-mathjax-config">x</script>')
    out = briefing.secure_html(page)
    assert "cdn.example" not in out and 'src=""' not in out
    audit = briefing.audit_html(out)
    assert audit.problems() == []
    policy = LexborHTMLParser(out).css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert "default-src 'none'" in policy
    assert f"'{briefing.script_hash('var a = 1;')}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1]  # scripts by hash only
    assert out.index("Content-Security-Policy") < out.index("<script")


def test_audit_catches_what_secure_html_must_prevent() -> None:
    raw = _page('<script src="http://cdn.example/x.js"></script><script>var b=2;</script>') + \
        '<img src="//tracker.example/p.gif" onerror="alert(1)">'
    problems = " | ".join(briefing.audit_html(raw).problems())
    assert "remote source <script src=http://cdn.example/x.js>" in problems
    assert "remote source <img src=//tracker.example/p.gif>" in problems
    assert "inline event handler <img onerror>" in problems
    assert "not allowed by the CSP" in problems and "no Content-Security-Policy" in problems


def test_audit_wants_plotly_once_when_charts_exist() -> None:
    lib = f"/**\n{briefing.PLOTLY_MARKER}4.1.1\n*/ window.Plotly = {{}};"
    two = _page(f"<script>{lib}</script><script>{lib} </script>") + '<div class="plotly-graph-div"></div>'
    assert any("embedded 2 times" in p for p in briefing.audit_html(briefing.secure_html(two)).problems())
    one = _page(f"<script>{lib}</script>") + '<div class="plotly-graph-div"></div>'
    assert briefing.audit_html(briefing.secure_html(one)).problems() == []


def test_figure_rows_format_values_and_keep_sources() -> None:
    rows = briefing.figure_rows([{"metric": "fines_confiscations", "value": 260000000.0, "unit": "元",
                                  "approx": "over", "yoy_pct": -4.0, "doc_title": None, "doc_path": "a.txt"}],
                                {"fines_confiscations": "罚没款"})
    r = rows[0]
    assert (r["metric_name"], r["value_text"], r["value_plain"], r["approx_text"], r["yoy_text"], r["doc_title"]) == \
        ("罚没款", "逾2.6亿元", "260000000", "逾", "同比下降4%", "a.txt")


@pytest.mark.slow
def test_hostile_report_text_shows_as_text(render, evil_db: Path) -> None:  # type: ignore[no-untyped-def]
    """A figure whose title and quote hold <script> and <img onerror> renders them as visible text."""
    from metrics import query

    result = render("province_comparison", evil_db, metric="fines_confiscations", year=2020)
    assert result.ok, result.error
    page = result.html.read_text("utf-8")
    tree = LexborHTMLParser(page)
    # no element was created from report text: no <img>, no <b>, no script with the payload
    assert not tree.css("img") and not tree.css("td b")
    assert not any("__pwned" in (s.text() or "") and "Plotly" not in s.text() for s in tree.css("script"))
    assert briefing.audit_html(page).problems() == []
    # ... and the payloads are visible as text in the table, exactly as stored
    frame = query.compare("fines_confiscations", years=2020, db=str(evil_db))
    cell_text = {td.text() for td in tree.css("td")}
    for r in frame.to_dicts():
        assert r["quote"] in cell_text and r["doc_title"] in cell_text
    assert any(PAYLOADS[0] in t for t in cell_text) and any(PAYLOADS[1] in t for t in cell_text)
    # in the chart data the payload travels JSON-escaped inside plotly's own script, never as markup
    charts = [s.text() for s in tree.css("script") if "Plotly.newPlot" in s.text()]
    assert charts and all("<img" not in c and "</script" not in c for c in charts)
    assert any("onerror" in c for c in charts)  # the quote is there, as inert escaped text
    # the summary names the unlike periods (one province reports 1–8月 only)
    summary = " ".join(p.text() for p in tree.css("p"))
    ytd = next(r for r in frame.to_dicts() if r["period_kind"] != "year")
    assert ytd["region_name"] in summary and ytd["period_label"] in summary and "不宜直接比较" in summary
    run = json.loads((result.folder / "run.json").read_text("utf-8"))
    assert run["charts"] == 2 and re.fullmatch(r"metric-fines_confiscations_year-2020", result.slug)


def test_show_figures_shows_a_note_instead_of_an_empty_table(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[dict] = []
    monkeypatch.setattr(briefing, "_display", shown.append)
    briefing.show_figures([], {}, caption="空表", empty=f"没有数值{PAYLOADS[1]}")
    tree = LexborHTMLParser(shown[-1]["text/html"])
    assert not tree.css("table") and not tree.css("img")
    assert tree.css_first("p.regmetrics-note").text() == f"没有数值{PAYLOADS[1]}"
    briefing.show_figures([], {}, caption="空表")  # no `empty`: the headers-only table as before
    assert LexborHTMLParser(shown[-1]["text/html"]).css_first("caption").text() == "空表"


def test_table_cells_carry_their_column_class() -> None:
    tree = LexborHTMLParser(briefing.table_html([{"quote": "原文", 'x"><b': 1}], [("quote", "原文"), ('x"><b', "X")]))
    assert [td.attributes.get("class") for td in tree.css("td")] == ["c-quote", "c-xb"]
    assert not tree.css("td b")


def test_empty_frames_give_a_note_not_axes(monkeypatch: pytest.MonkeyPatch) -> None:
    from metrics import charts

    shown: list[dict] = []
    monkeypatch.setattr(briefing, "_display", shown.append)
    for chart in (charts.ranking_bar([], "罚没款", 2020), charts.trend_lines([], "罚没款"),
                  charts.profile_chart([], {}), charts.coverage_heatmap([]),
                  charts.ranking_bar([{"year": 2019, "value": 1.0, "region_name": "x", "unit": "元"}], "罚没款", 2020,
                                     empty="换一个年份<script>")):
        assert isinstance(chart, charts.EmptyChart)
        chart.show()
    notes = [LexborHTMLParser(b["text/html"]).css_first("p.regmetrics-note").text() for b in shown]
    assert notes[0].startswith("2020年没有罚没款数值") and notes[-1] == "换一个年份<script>"
    assert all(n for n in notes)


def _heat_rows(codes: list[str]) -> list[dict]:
    from metrics import regions

    return [{"region_code": c, "region_name": regions.get(c).name, "region_level": regions.get(c).level,
             "year": 2020, "metric": "complaints", "period_kind": "year", "period_label": "全年", "n_figures": 2}
            for c in codes]


def test_coverage_heatmap_folds_many_regions_into_provinces() -> None:
    from metrics import charts, regions

    prefectures = [r["code"] for r in regions.all_regions() if r["level"] == "prefecture" and not r.get("valid_to")]
    few = charts.coverage_heatmap(_heat_rows(prefectures[:5]))
    assert len(few.data[0].y) == 5  # few regions: one row each
    many_codes = prefectures[: charts.HEAT_MAX_ROWS + 20]
    many = charts.coverage_heatmap(_heat_rows(many_codes), metric_names={"complaints": "投诉"})
    provinces = {regions.province_of(c).code for c in many_codes}
    assert len(many.data[0].y) == len(provinces) < len(many_codes)
    assert all(y.endswith("（含下辖地区）") for y in many.data[0].y)
    assert many.layout.height <= max(320, 80 + 26 * len(provinces)) < 80 + 26 * len(many_codes)
    # every folded figure is still counted in its province's cells
    counted = sum(int(h.rsplit("共", 1)[1].rstrip("个数值")) for row in many.data[0].customdata for h in row if "共" in h)
    assert counted == 2 * len(many_codes)
    hover = " ".join(h for row in many.data[0].customdata for h in row)
    assert all(f"{regions.get(c).name} 投诉：全年" in hover for c in many_codes)


def test_profile_chart_draws_whole_scope_figures_only() -> None:
    from metrics import charts

    base = {"region_code": "140000", "region_name": "山西省", "year": 2023, "unit": "件", "period_kind": "ytd",
            "period_label": "1–7月", "approx": "", "doc_title": "d", "quote": "q"}
    scoped = [{**base, "metric": "complaints", "value": 23000.0, "subject": "食品类投诉举报", "headline": False}]
    assert isinstance(charts.profile_chart(scoped, {}), charts.EmptyChart)
    mixed = [*scoped, {**base, "metric": "cases", "value": 674.0, "subject": "", "headline": True}]
    fig = charts.profile_chart(mixed, {"cases": "案件"})
    assert [list(t.y) for t in fig.data] == [[674.0]]


def _ranked_rows() -> list[dict]:
    """Three provinces' figures as query.compare gives them, one with hostile report text."""
    from metrics import regions

    out = []
    for code, value, approx, yoy, kind, label in (("440000", 120000000.0, "over", None, "ytd", "1–8月"),
                                                  ("510000", 4358000.0, "", 12.5, "year", "全年"),
                                                  ("110000", 3520000000.0, "", None, "year", "全年")):
        quote = f"全省罚没款{value:g}元<img src=x onerror=\"window.__pwned=2\">。"
        token = f"{value:g}元"
        out.append({"region_code": code, "region_name": regions.get(code).name, "year": 2024, "value": value,
                    "unit": "元", "approx": approx, "yoy_pct": yoy, "period_kind": kind, "period_label": label,
                    "doc_title": f"<b>{code}</b>报告", "doc_path": f"data/raw/{code}.txt", "quote": quote,
                    "token": token, "sentence_start": 100, "char_start": 105, "char_end": 105 + len(token)})
    return out


def test_quote_html_marks_the_number_and_names_document_and_offsets() -> None:
    r = _ranked_rows()[0]
    tree = LexborHTMLParser(briefing.quote_html(r))
    assert tree.css_first("details summary").text() == "原文"
    assert tree.css_first("blockquote").text() == r["quote"]  # the hostile markup is text, not elements
    assert not tree.css("img") and not tree.css("b")
    assert tree.css_first("mark").text() == r["token"]
    prov = tree.css_first("p.regmetrics-prov").text()
    assert r["doc_title"] in prov and r["doc_path"] in prov and f"{r['char_start']}–{r['char_end']}" in prov
    # offsets that do not fall inside the quote: the token is found by its text instead
    moved = {**r, "sentence_start": None}
    assert LexborHTMLParser(briefing.quote_html(moved)).css_first("mark").text() == r["token"]


def test_ranking_table_orders_by_value_in_chinese_units() -> None:
    tree = LexborHTMLParser(briefing.ranking_html(_ranked_rows(), 2024))
    rows = [[td.text() for td in tr.css("td")][:5] for tr in tree.css("tbody tr")]
    assert rows == [["1", "北京市", "35.2亿元", "", "全年"], ["2", "广东省", "逾1.2亿元", "", "1–8月"],
                    ["3", "四川省", "435.8万元", "同比增长12.5%", "全年"]]
    assert len(tree.css("tbody details.regmetrics-source")) == 3 and not tree.css("img")
    assert LexborHTMLParser(briefing.ranking_html(_ranked_rows(), 2023)).css("tbody tr") == []


def test_ranking_bar_keeps_every_province_legible() -> None:
    from metrics import charts, regions, summary

    provinces = summary.expected_regions("province")
    assert len(provinces) == 31
    rows = [{**_ranked_rows()[1], "region_code": c, "region_name": n, "value": 1e4 * 1.3 ** i}
            for i, (c, n) in enumerate(provinces)]
    fig = charts.ranking_bar(rows, "罚没款", 2024)
    bars = fig.data[0]
    assert list(fig.layout.yaxis.categoryarray)[-1] == regions.get(provinces[-1][0]).name  # largest on top
    assert sorted(bars.y) == sorted(n for _, n in provinces)  # one bar per province, names unabridged
    assert fig.layout.height >= charts.BAR_PITCH_PX * 31 and fig.layout.yaxis.automargin
    assert fig.layout.xaxis.range[1] > max(bars.x)  # room for the value printed after the longest bar
    # each bar carries its value in its own unit; the axis shares one
    assert bars.text[0] == "1万元" and bars.text[-1] == summary.value_text(1e4 * 1.3 ** 30, "元")
    assert "单位：万元" in fig.layout.title.text and not fig.layout.showlegend  # largest 2620万元
