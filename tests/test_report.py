"""report.py: parameter slugs, schedules, publishing on success only, failed runs to reports/_failed.

Also holds the database builders the other report tests import (`build_db`, `gold_db`, `sample_db`).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from metrics import paths, report, store
from metrics.figures import Figure

ROOT = paths.ROOT


# ---- database builders (store API) --------------------------------------------------------------

def build_db(db: Path, docs: list[dict[str, Any]], figures: dict[str, list[Figure]]) -> Path:
    """A database written with the store's own functions: documents, figures, reference, views."""
    con = duckdb.connect(str(db))
    try:
        store.create_schema(con)
        store.insert_documents(con, docs)
        rows = []
        for d in docs:
            rows += store.figure_rows(d["id"], d["name"], figures.get(d["id"], []))
        store.insert_figures(con, rows)
        metric_ids = sorted({f.metric for fs in figures.values() for f in fs})
        ref = store.Reference(
            regions=_region_rows(),
            metrics=[{"id": m, "name": METRIC_NAMES.get(m, m), "names": [], "unit": None, "kind": None,
                      "definition": None} for m in metric_ids],
        )
        store.write_reference(con, ref)
        store.rebuild_figures(con)
        store.refresh_headline(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db


METRIC_NAMES = {"fines_confiscations": "罚没款", "complaints": "投诉", "cases": "案件", "sampling_batches": "抽检批次",
                "failed_batches": "不合格批次", "pass_rate": "合格率", "fail_rate": "不合格率",
                "losses_recovered": "挽回损失", "new_enterprises": "新设企业", "new_market_entities": "新设市场主体"}


def _region_rows() -> list[dict[str, Any]]:
    from metrics import regions

    return [{"code": r["code"], "name": r["name"], "level": r["level"], "parent": r.get("parent"),
             "valid_from": r.get("valid_from"), "valid_to": r.get("valid_to")} for r in regions.all_regions()]


def doc_row(doc_id: str, name: str, title: str, text: str, published_on: date | None = None) -> dict[str, Any]:
    """A documents row for build_db."""
    return {"id": doc_id, "path": f"data/raw/{name}", "name": name, "title": title, "publisher": None,
            "region_code": None, "published_on": published_on, "date_source": None, "genre": None,
            "format": "txt", "encoding": "utf-8", "n_chars": len(text), "n_figures": 0,
            "ingested_at": datetime(2026, 1, 1), "extractor_version": "test", "text": text}


def hostile_db(db: Path) -> Path:
    """Two provinces whose document title and quote carry <script> and <img onerror> payloads."""
    from metrics import regions

    payload_title = 'Report <script>window.__pwned=1</script> 标题'
    payload_quote = '罚没款2.6亿元<img src=x onerror="window.__pwned=2">，<b>加粗</b>'
    docs, figures = [], {}
    for i, (code, value, kind) in enumerate((("510000", "260000000", "year"), ("440000", "120000000", "ytd"))):
        text = f"{payload_quote} 第{i}份。"
        doc_id = f"doc{i}"
        docs.append(doc_row(doc_id, f"hostile{i}.txt", payload_title, text, date(2021, 1, 15)))
        r = regions.get(code)
        figures[doc_id] = [Figure(
            metric="fines_confiscations", value=Decimal(value), unit="元", token="2.6亿元", char_start=3,
            char_end=8, quote=payload_quote, sentence_start=0, sentence_end=len(payload_quote), rule="test",
            confidence=0.5, region_code=code, region_name=r.name, region_level=r.level, year=2020,
            period_kind=kind, period_start=date(2020, 1, 1), period_end=date(2020, 12, 31) if kind == "year"
            else date(2020, 8, 31), yoy_pct=Decimal("12.5"),
        )]
    return build_db(db, docs, figures)


def ingest_samples(db: Path) -> Path:
    """data/raw ingested by the project's own ingest (the sample data every notebook must handle)."""
    from metrics import ingest
    from metrics.cli import expand_paths

    result = ingest.ingest(expand_paths([str(paths.RAW_DIR)]), db, progress=False)
    assert result.n_figures > 0, "ingest of data/raw produced no figures"
    return db


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample documents ingested once per test session."""
    return ingest_samples(tmp_path_factory.mktemp("sample") / "regmetrics.duckdb")


@pytest.fixture(scope="session")
def evil_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database whose report text tries to inject HTML and script."""
    return hostile_db(tmp_path_factory.mktemp("evil") / "evil.duckdb")


# ---- helpers -------------------------------------------------------------------------------------

REGMETRICS = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "regmetrics")
NOTEBOOK_HEAD = """# ---
# jupyter:
#   kernelspec:
#     display_name: regmetrics (Python 3.11)
#     language: python
#     name: regmetrics
# ---

# %% tags=["parameters"]
db = None

"""


def scratch_notebook(folder: Path, name: str, *cells: str) -> Path:
    """A jupytext notebook with a `db` parameter and the given code cells."""
    path = folder / f"{name}.py"
    path.write_text(NOTEBOOK_HEAD + "".join(f"# %%\n{c}\n\n" for c in cells), encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`regmetrics ...` in a subprocess, so stdout and the exit code are the real ones."""
    return subprocess.run([REGMETRICS, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


# ---- unit tests ----------------------------------------------------------------------------------

def test_param_slug_is_ascii_and_names_parameters() -> None:
    assert report.param_slug({"metric": "fines_confiscations", "year": 2020}) == "metric-fines_confiscations_year-2020"
    assert report.param_slug({"years": [2019, 2020]}) == "years-2019+2020"
    a, b = report.param_slug({"region": "四川"}), report.param_slug({"region": "广东"})
    assert a.isascii() and b.isascii() and a != b and a.startswith("region-h")
    assert report.param_slug({"region": "四川"}) == a  # stable across calls
    assert report.param_slug({"path": "a b/c"}).isascii() and "/" not in report.param_slug({"path": "a b/c"})
    assert report.param_slug({}) == "default"


def test_read_schedule_rejects_bad_entries(tmp_path: Path) -> None:
    bad = tmp_path / "s.yml"
    bad.write_text("briefings:\n  - name: a\n    notebook: province_comparison\n    paramters: {}\n", "utf-8")
    with pytest.raises(report.ScheduleError, match="unknown key.*paramters"):
        report.read_schedule(bad)
    bad.write_text("briefings:\n  - {name: a, notebook: x}\n  - {name: a, notebook: y}\n", "utf-8")
    with pytest.raises(report.ScheduleError, match="appears twice"):
        report.read_schedule(bad)
    bad.write_text("nothing: here\n", "utf-8")
    with pytest.raises(report.ScheduleError, match="briefings"):
        report.read_schedule(bad)


def test_project_schedule_names_real_notebooks_and_parameters() -> None:
    from metrics import params

    entries = report.read_schedule(paths.REPORTS_DIR / "schedule.yml")
    assert entries
    for e in entries:
        declared = params.declared_parameters(e.notebook)
        params.check_names(e.parameters, declared, e.notebook)


# ---- end-to-end runs -----------------------------------------------------------------------------

@pytest.mark.slow
def test_cli_publishes_briefing_and_prints_html_path_last(sample_db: Path, tmp_path: Path) -> None:
    from metrics import query

    out = tmp_path / "reports"
    res = run_cli("report", "province_comparison", "--db", str(sample_db), "--out", str(out))
    assert res.returncode == 0, res.stderr
    html = Path(res.stdout.strip().splitlines()[-1])
    folder = html.parent
    assert html.name == "briefing.html" and html.is_file()
    assert folder.name == date.today().isoformat()
    assert folder.parent.parent == out / "province_comparison"
    assert sorted(p.name for p in folder.iterdir()) == ["briefing.html", "executed.ipynb", "figures.csv", "run.json"]
    assert not (out / report.TMP_DIR).exists()
    run = json.loads((folder / "run.json").read_text("utf-8"))
    assert run["status"] == "ok" and run["error"] is None
    metric, year = run["parameters"]["metric"], run["parameters"]["year"]
    assert folder.parent.name == f"metric-{metric}_year-{year}"
    # figures.csv holds exactly the figures the query API gives for the briefing's table
    expected = query.compare(metric, level="province", db=str(sample_db))
    with (folder / "figures.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == expected.height == run["n_figures"]
    assert {(r["region_code"], int(r["year"]), float(r["value"])) for r in rows} == {
        (r["region_code"], r["year"], r["value"]) for r in expected.to_dicts()}


@pytest.mark.slow
def test_bad_parameter_fails_before_running_with_one_line(sample_db: Path, tmp_path: Path) -> None:
    res = run_cli("report", "province_comparison", "--db", str(sample_db), "--out", str(tmp_path),
                  "-p", "metric", "finez")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [res.stderr.strip()]
    assert "unknown metric 'finez'" in res.stderr and "fines_confiscations" in res.stderr
    res = run_cli("report", "province_comparison", "--db", str(sample_db), "--out", str(tmp_path), "-p", "yeer", "2020")
    assert res.returncode == 2 and "unknown parameter 'yeer'" in res.stderr and "did you mean 'year'" in res.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("cell,why,extra", [
    ("raise RuntimeError('boom in cell')", "boom in cell", ()),
    ("import os\nos._exit(3)", "Dead", ()),
    ("import time\ntime.sleep(60)", "timed out", ("--timeout", "3")),
])
def test_failed_runs_go_to_failed_and_exit_nonzero(sample_db: Path, tmp_path: Path, cell: str, why: str,
                                                    extra: tuple[str, ...]) -> None:
    nb = scratch_notebook(tmp_path, "breaks", "x = 1", cell, "y = 2")
    out = tmp_path / "out"
    res = run_cli("report", str(nb), "--db", str(sample_db), "--out", str(out), *extra)
    assert res.returncode == 1
    assert why.lower() in res.stderr.lower()
    assert not (out / "breaks").exists()  # nothing published
    failed = list((out / report.FAILED_DIR / "breaks").glob("*/*/run.json"))
    assert len(failed) == 1
    run = json.loads(failed[0].read_text("utf-8"))
    assert run["status"] == "failed" and why.lower() in run["error"].lower()
    assert not (failed[0].parent / "briefing.html").exists()


@pytest.mark.slow
def test_schedule_runs_every_briefing_and_names_failures(sample_db: Path, tmp_path: Path) -> None:
    broken = scratch_notebook(tmp_path, "broken", "raise ValueError('scheduled failure')")
    schedule = tmp_path / "schedule.yml"
    schedule.write_text(
        "briefings:\n"
        "  - {name: coverage, notebook: data_coverage}\n"
        f"  - {{name: will-break, notebook: '{broken}'}}\n"
        "  - {name: bad-metric, notebook: province_comparison, parameters: {metric: finez}}\n"
        "  - {name: profile, notebook: region_profile}\n", "utf-8")
    out = tmp_path / "out"
    res = run_cli("report", "--schedule", str(schedule), "--db", str(sample_db), "--out", str(out))
    assert res.returncode == 1
    assert "2 of 4 briefings failed: will-break, bad-metric" in res.stderr
    index = Path(res.stdout.strip().splitlines()[-1])
    assert index == out / "index.html"
    page = index.read_text("utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    assert len(links) == 2 and all((out / link).is_file() for link in links)
    assert {Path(link).parts[0] for link in links} == {"data_coverage", "region_profile"}
    assert "scheduled failure" in page and "finez" in page


def test_index_links_the_newest_published_run_even_when_this_one_failed(tmp_path: Path) -> None:
    for day in ("2026-01-02", "2026-03-04"):
        folder = tmp_path / "province_comparison" / "metric-x" / day
        folder.mkdir(parents=True)
        (folder / "briefing.html").write_text("<html></html>", "utf-8")
    (tmp_path / "province_comparison" / "metric-x" / "2026-05-06").mkdir()  # no HTML: not published
    entry = report.ScheduleEntry("x <b>", "province_comparison", {"metric": "x"})
    failed = report.RunResult("province_comparison", "metric-x", "failed", tmp_path / "_failed", error="boom <i>")
    index = report.write_index(tmp_path, [(entry, failed, "boom <i>")])
    page = index.read_text("utf-8")
    assert re.findall(r'href="([^"]+)"', page) == ["province_comparison/metric-x/2026-03-04/briefing.html"]
    assert "x &lt;b&gt;" in page and "boom &lt;i&gt;" in page and "<b>" not in page
    assert "default-src 'none'" in page


@pytest.mark.slow
def test_rerun_on_the_same_day_replaces_the_published_folder(sample_db: Path, tmp_path: Path) -> None:
    first = report.run_report("region_profile", {}, db=sample_db, out=tmp_path)
    (first.folder / "marker").write_text("from the first run", "utf-8")
    second = report.run_report("region_profile", {}, db=sample_db, out=tmp_path)
    assert first.ok and second.ok and first.folder == second.folder
    assert [p.name for p in first.folder.parent.iterdir()] == [date.today().isoformat()]
    assert not (second.folder / "marker").exists()  # the whole folder was swapped, not merged
    assert json.loads((second.folder / "run.json").read_text("utf-8"))["status"] == "ok"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["region_profile"]  # no .tmp or old- leftovers
