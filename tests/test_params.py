"""params.py: the notebooks' declared parameters, -p parsing, and one-line errors for bad values."""

from __future__ import annotations

from pathlib import Path

import papermill
import pytest

from metrics import params, query


def test_every_notebook_declares_db_and_only_known_kinds() -> None:
    names = params.available_notebooks()
    assert {"province_comparison", "region_profile", "data_coverage"} <= set(names)
    for name in names:
        declared = params.declared_parameters(name)
        assert "db" in declared and set(declared) <= set(params.KINDS)
    assert list(params.declared_parameters("province_comparison")) == ["db", "metric", "year", "years", "regions", "level"]


def test_parse_cli_value() -> None:
    assert params.parse_cli_value("year", "2020") == 2020
    assert params.parse_cli_value("years", "2018-2020") == [2018, 2019, 2020]
    assert params.parse_cli_value("years", "2019,2021") == [2019, 2021]
    assert params.parse_cli_value("regions", "四川，广东、440000") == ["四川", "广东", "440000"]
    assert params.parse_cli_value("metric", " complaints ") == "complaints"
    with pytest.raises(params.ParameterError, match="not a year"):
        params.parse_cli_value("year", "20x0")
    with pytest.raises(params.ParameterError, match="runs backwards"):
        params.parse_cli_value("years", "2020-2018")


def test_check_names_suggests_the_declared_name() -> None:
    with pytest.raises(params.ParameterError, match=r"unknown parameter 'regoins'.*did you mean 'regions'"):
        params.check_names(["regoins"], ["db", "regions"], "nb")


def test_unknown_notebook_lists_the_known_ones() -> None:
    with pytest.raises(params.ParameterError, match="unknown notebook 'nope'.*province_comparison"):
        params.notebook_path("nope")


@pytest.mark.slow
def test_validate_rejects_bad_values_in_one_line(sample_db: Path) -> None:
    db = str(sample_db)
    metric = query.known_metrics(db=db)[0]
    years = query.known_years(metric, db=db)
    cases = [
        ({"metric": "finez"}, "unknown metric 'finez': known metrics are"),
        ({"metric": metric, "year": years[-1] + 30}, f"year {years[-1] + 30} is outside the data for {metric}"),
        ({"regions": ["火星"]}, "unknown region '火星'"),
        ({"level": "planet"}, "unknown level 'planet'"),
        ({"yeer": 2020}, "unknown parameter 'yeer'"),
        ({"db": str(sample_db.parent / "missing.duckdb")}, "not found"),
    ]
    for given, message in cases:
        with pytest.raises(params.ParameterError) as info:
            params.validate({"db": db, **given}, "province_comparison")
        assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.slow
def test_defaults_come_from_the_data(sample_db: Path) -> None:
    db = str(sample_db)
    p = params.validate({"db": db}, "province_comparison")
    ranked = query.compare(p.metric, years=p.year, level="province", db=db)
    assert ranked.height > 0
    # no other metric has more provinces in any one year
    for m in query.known_metrics(db=db):
        frame = query.compare(m, level="province", db=db)
        if frame.height:
            assert frame.group_by("year").len()["len"].max() <= ranked.height
    profile = params.validate({"db": db}, "region_profile")
    counts: dict[str, int] = {}
    for r in query.coverage(db=db).to_dicts():
        if r["region_code"]:
            counts[r["region_code"]] = counts.get(r["region_code"], 0) + r["n_figures"]
    assert counts[profile.region] == max(counts.values())
    with pytest.raises(params.ParameterError, match="year 2000 in years is outside the data"):
        params.validate({"db": db, "years": "2000-2030"}, "region_profile")


@pytest.mark.slow
def test_region_names_become_codes(sample_db: Path) -> None:
    from metrics import regions

    db = str(sample_db)
    code = query.known_regions("province", db=db)[0]
    name = regions.get(code).name
    p = params.validate({"db": db, "regions": [name, code]}, "province_comparison")
    assert p.regions == [code, code]


@pytest.mark.slow
def test_validation_cell_fails_fast_on_a_misspelt_papermill_parameter(sample_db: Path, tmp_path: Path) -> None:
    """papermill only warns about an undeclared parameter; the notebook's validation cell must stop it."""
    import jupytext
    import nbformat

    from metrics import paths

    nb = jupytext.read(paths.NOTEBOOKS_DIR / "province_comparison.py")
    src = tmp_path / "in.ipynb"
    nbformat.write(nb, src)
    with pytest.raises(papermill.PapermillExecutionError) as info:
        papermill.execute_notebook(str(src), str(tmp_path / "out.ipynb"), parameters={"db": str(sample_db), "yeer": 2020},
                                   kernel_name="regmetrics", cwd=str(paths.NOTEBOOKS_DIR), progress_bar=False)
    assert info.value.ename == "ParameterError" and "unknown parameter 'yeer'" in info.value.evalue


@pytest.mark.slow
def test_namespace_validation_ignores_kernel_and_notebook_variables(sample_db: Path) -> None:
    """Re-running the validation cell in Lab sees IPython's names, modules and the notebook's own frames."""
    import polars as pl

    base = {"__builtins__": {}, "In": [], "Out": {}, "get_ipython": print, "_i1": "", "pl": pl,
            "db": str(sample_db), "metric": None, "year": None, "years": None, "regions": None,
            "level": "province", "ranked": pl.DataFrame(), "P": object(), "names": {}}
    p = params.validate(base, "province_comparison")
    assert p.metric in query.known_metrics(db=str(sample_db))
    with pytest.raises(params.ParameterError, match="unknown parameter 'yeer'"):
        params.validate({**base, "yeer": 2020}, "province_comparison")
    with pytest.raises(params.ParameterError, match="unknown parameter 'region' for province_comparison"):
        params.validate({**base, "region": "四川"}, "province_comparison")


@pytest.mark.slow
def test_region_names_and_regions_with_headlines(sample_db: Path) -> None:
    from metrics import regions

    db = str(sample_db)
    code = query.known_regions("province", db=db)[0]
    assert params.region_name(code) == regions.get(code).name and params.region_name("999999") == "999999"
    found = params.regions_with_headlines(db)
    want: dict[str, int] = {}
    for m in query.known_metrics(db=db):
        for c in query.compare(m, level=None, db=db)["region_code"].to_list():
            want[c] = want.get(c, 0) + 1
    assert {c: n for c, _, n in found} == want
    assert [n for _, _, n in found] == sorted(want.values(), reverse=True)
    like = params.regions_with_headlines(db, like=code)
    levels = [regions.get(c).level for c, _, _ in like]
    assert code not in [c for c, _, _ in like] and levels == sorted(levels, key=lambda lv: lv != "province")
