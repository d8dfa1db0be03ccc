"""Every briefing notebook runs through papermill on the sample data; its HTML holds the figures the
query API gives for the same parameters (expectations derived from the database, not hard-coded)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jupytext
import pytest
from selectolax.lexbor import LexborHTMLParser

from metrics import briefing, params, paths, query, report, summary


@pytest.mark.parametrize("name", params.available_notebooks())
def test_notebook_shape(name: str) -> None:
    """Kernelspec, one parameters cell followed by validation, no function or class definitions."""
    nb = jupytext.read(paths.NOTEBOOKS_DIR / f"{name}.py")
    assert nb.metadata["kernelspec"]["name"] == "regmetrics"
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert f'params.validate(globals(), "{name}")' in code[tagged[0] + 1].source
    for c in code:
        for node in ast.walk(ast.parse(c.source)):
            assert not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda), name
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "{" not in markdown  # prose is static: nothing is formatted into Markdown


def _render(render, name: str, db: Path, **given: object) -> tuple[report.RunResult, LexborHTMLParser, dict]:  # type: ignore[no-untyped-def]
    result = render(name, db, **given)
    assert result.ok, result.error
    page = result.html.read_text("utf-8")
    assert briefing.audit_html(page).problems() == []
    run = json.loads((result.folder / "run.json").read_text("utf-8"))
    return result, LexborHTMLParser(page), run


def _cells(tree: LexborHTMLParser) -> list[list[str]]:
    """Rows of the figure tables (not the sources list, not the ranking)."""
    sel = "table.regmetrics-table:not(.regmetrics-sources):not(.regmetrics-ranking) tbody tr"
    return [[td.text() for td in tr.css("td")] for tr in tree.css(sel)]


def _charts(tree: LexborHTMLParser) -> int:
    return len(tree.css("div.plotly-graph-div"))


@pytest.mark.slow
def test_province_comparison(render, sample_db: Path) -> None:  # type: ignore[no-untyped-def]
    result, tree, run = _render(render, "province_comparison", sample_db)
    metric, year = run["parameters"]["metric"], run["parameters"]["year"]
    history = query.compare(metric, level="province", db=str(sample_db))
    rows = _cells(tree)
    assert _charts(tree) == 2
    for r in history.to_dicts():
        want = summary.value_text(r["value"], r["unit"], r["approx"])
        assert any(r["region_name"] in row and str(r["year"]) in row and want in row and r["quote"] in row
                   for row in rows), (r["region_name"], r["year"], want)
    ranked = history.filter(history["year"] == year).sort("value", descending=True)
    text = " ".join(p.text() for p in tree.css("p"))
    assert f"{year}年，" in text and ranked["region_name"][0] in text
    assert {d for d in history["doc_title"].to_list() if d} <= {td.text() for td in tree.css("td")}
    _check_ranking(tree, ranked, year, db=str(sample_db))


def _check_ranking(tree: LexborHTMLParser, ranked, year: int, db: str) -> None:  # type: ignore[no-untyped-def]
    """The page opens with the one-line summary and says who reports; the ranking lists every region of
    the year, largest first, with its value in Chinese units and its source sentence one click away."""
    metric_name = query.metric_names(db)[ranked["metric"][0]]
    lead = tree.css_first("p.regmetrics-lead")
    assert lead is not None and lead.text() == summary.headline_sentence(ranked, metric_name, year)
    first_h1 = tree.css_first("h1")
    assert first_h1.text() == f"{year}年各地{metric_name}比较"  # the data heading, not the notebook's title
    paragraphs = [p.text() for p in tree.css("p")]
    assert summary.reporting_sentence(ranked, query.documents(db=db), metric_name, year) in paragraphs
    rows = tree.css("table.regmetrics-ranking tbody tr")
    assert len(rows) == ranked.height
    for i, (tr, r) in enumerate(zip(rows, ranked.to_dicts(), strict=True), 1):
        cells = {td.attributes["class"]: td for td in tr.css("td")}
        assert cells["c-rank"].text() == str(i) and cells["c-region_name"].text() == r["region_name"]
        assert cells["c-value_text"].text() == summary.value_text(r["value"], r["unit"], r["approx"])
        details = cells["c-source"].css_first("details.regmetrics-source")
        assert details.css_first("blockquote").text() == r["quote"]
        assert details.css_first("mark").text() == r["token"]
        assert r["doc_path"] in details.css_first("p.regmetrics-prov").text()


@pytest.mark.slow
def test_province_comparison_of_all_31_provinces(render, many_db: Path) -> None:  # type: ignore[no-untyped-def]
    result, tree, run = _render(render, "province_comparison", many_db)
    year = run["parameters"]["year"]
    ranked = query.compare(run["parameters"]["metric"], years=year, db=str(many_db)).sort("value", descending=True)
    assert ranked.height == 31 and _charts(tree) == 2
    _check_ranking(tree, ranked, year, db=str(many_db))
    assert f"全国31个省份中，31个有{year}年" in " ".join(p.text() for p in tree.css("p"))


@pytest.mark.slow
def test_province_comparison_with_given_regions(render, sample_db: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(sample_db)
    metric = max(query.known_metrics(db=db), key=lambda m: query.compare(m, level="province", db=db).height)
    frame = query.compare(metric, level="province", db=db)
    year = frame["year"][0]
    codes = frame.filter(frame["year"] == year)["region_code"].to_list()
    result, tree, run = _render(render, "province_comparison", sample_db, metric=metric, year=year,
                                regions=codes[:2])
    assert run["parameters"]["regions"] == codes[:2]
    shown = {row[0] for row in _cells(tree)}
    expected = set(query.compare(metric, regions=codes[:2], db=db)["region_name"].to_list())
    assert shown == expected


@pytest.mark.slow
def test_region_profile(render, sample_db: Path) -> None:  # type: ignore[no-untyped-def]
    result, tree, run = _render(render, "region_profile", sample_db)
    profile = query.region_profile(run["parameters"]["region"], db=str(sample_db))
    assert profile.height > 0 and _charts(tree) == 1
    rows = _cells(tree)
    names = query.metric_names(str(sample_db))
    for r in profile.to_dicts():
        want = summary.value_text(r["value"], r["unit"], r["approx"])
        assert any(names[r["metric"]] in row and want in row and r["quote"] in row for row in rows)
    assert any(profile["region_name"][0] in h.text() for h in tree.css("h1"))
    # the region's 分项/口径 figures follow in their own table, each with its subject
    full = query.region_profile(run["parameters"]["region"], include_scoped=True, db=str(sample_db))
    scoped = full.filter(~full["headline"])
    assert len(rows) == full.height
    for r in scoped.to_dicts():
        want = summary.value_text(r["value"], r["unit"], r["approx"])
        assert any(r["subject"] in row and want in row and r["quote"] in row for row in rows), r["subject"]


@pytest.mark.slow
def test_region_profile_of_a_region_with_only_scoped_figures(render, sample_db: Path) -> None:  # type: ignore[no-untyped-def]
    """A region whose figures all carry a subject (e.g. 食品类投诉举报) still gets its full profile:
    its name in the heading, every figure with its subject, and a note instead of an empty chart."""
    db = str(sample_db)
    only_scoped = [c for c in query.known_regions(db=db)
                   if query.region_profile(c, db=db).is_empty()
                   and query.region_profile(c, include_scoped=True, db=db).height > 0]
    assert only_scoped, "the sample data has regions whose every figure is about one subject"
    code = only_scoped[0]
    result, tree, run = _render(render, "region_profile", sample_db, region=code)
    name = params.region_name(code)
    assert name != code and f"{name}市场监管指标概况" in [h.text() for h in tree.css("h1")]
    assert _charts(tree) == 0
    notes = [p.text() for p in tree.css("p.regmetrics-note")]
    suggested = params.regions_with_headlines(db, like=code)
    assert any(f"{name}没有全口径" in n and suggested[0][1] in n for n in notes)
    full = query.region_profile(code, include_scoped=True, db=db)
    rows = _cells(tree)
    assert len(rows) == full.height
    for r in full.to_dicts():
        want = summary.value_text(r["value"], r["unit"], r["approx"])
        assert any(r["subject"] in row and want in row and r["quote"] in row for row in rows), r["subject"]
    text = " ".join(p.text() for p in tree.css("p"))
    assert f"另有{full.height}个分项/口径数值" in text and "数据库中没有" not in text


@pytest.mark.slow
def test_data_coverage(render, sample_db: Path) -> None:  # type: ignore[no-untyped-def]
    result, tree, run = _render(render, "data_coverage", sample_db)
    db = str(sample_db)
    assert _charts(tree) == 1
    heat = next(s.text() for s in tree.css("script") if "Plotly.newPlot" in s.text() and '"heatmap"' in s.text())
    cells = query.coverage(db=db)
    placed = cells.filter(cells["region_code"].is_not_null() & cells["year"].is_not_null())
    assert placed.height > 0
    for name in set(placed["region_name"].to_list()):
        assert json.dumps(name)[1:-1] in heat or name in heat  # plotly writes \\uXXXX escapes
    captions = [c.text() for c in tree.css("caption")]
    assert f"矛盾数值（{query.conflicts(db=db).height}条）" in captions
    assert f"低置信度数值（{query.low_confidence(db=db).height}条）" in captions


@pytest.mark.slow
@pytest.mark.parametrize("name", params.available_notebooks())
def test_notebook_runs_top_to_bottom_as_in_lab(name: str, sample_db: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """`make lab` opens the paired .ipynb with the regmetrics kernel and no parameters injected: every
    cell must run on the bundled data with the defaults. A checkout whose data/processed holds the
    ingested data/raw (REGMETRICS_HOME points the kernel at it) stands in for the project folder."""
    import shutil

    import nbformat
    from nbclient import NotebookClient

    home = tmp_path / "home"
    (home / "data" / "processed").mkdir(parents=True)
    shutil.copy(sample_db, home / "data" / "processed" / "regmetrics.duckdb")
    shutil.copytree(paths.NOTEBOOKS_DIR, home / "notebooks", ignore=shutil.ignore_patterns("*.ipynb", ".*"))
    monkeypatch.setenv("REGMETRICS_HOME", str(home))
    nb = jupytext.read(home / "notebooks" / f"{name}.py")
    with report.kernel_config() as config:
        NotebookClient(nb, kernel_name=nb.metadata["kernelspec"]["name"], timeout=300,
                       resources={"metadata": {"path": str(home / "notebooks")}}, config=config).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if "text/html" in o.get("data", {})]
    assert shown, f"{name} displayed nothing"
    nbformat.validate(nb)
