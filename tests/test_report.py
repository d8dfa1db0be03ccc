"""report.py: parameter slugs, schedules, publishing on success only, failed runs to reports/_failed.

The sample and hostile databases (`sample_db`, `evil_db`) are session fixtures in conftest.py.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from metrics import paths, report

ROOT = paths.ROOT


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
    # a quiet main job: the HTML path is the only line, and no warning (ipykernel's "Kernel is running
    # over TCP without encryption" included: the kernel talks over IPC) reaches the terminal
    assert res.stderr == ""
    assert len(res.stdout.splitlines()) == 1
    html = Path(res.stdout.strip())
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


def test_malformed_schedule_yaml_is_one_line_naming_the_position(tmp_path: Path) -> None:
    bad = tmp_path / "s.yml"
    bad.write_text("briefings: [\n  - name: a\n", "utf-8")
    with pytest.raises(report.ScheduleError) as info:
        report.read_schedule(bad)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"schedule {bad} is not valid YAML: line ")
