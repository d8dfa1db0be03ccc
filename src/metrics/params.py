"""Briefing parameters: what each notebook declares, how `-p NAME VALUE` text becomes a value, and
validation against the database (unknown metric, year outside the data, unknown region, misspelt name).

Papermill only warns about a parameter the notebook does not declare, so the notebooks' validation
cell calls `validate(globals(), NOTEBOOK)` and `regmetrics report` calls `validate` before starting a
kernel: both fail fast with one line naming the parameter and the reason.
"""

from __future__ import annotations

import ast
import difflib
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metrics import paths

LEVELS = ("country", "province", "prefecture", "county")
# How each parameter name is read and checked; a notebook may declare only names listed here.
KINDS = {
    "db": "path", "metric": "metric", "metrics": "metric_list", "year": "year", "years": "year_list",
    "region": "region", "regions": "region_list", "level": "level",
}
# Names IPython puts in a kernel's namespace, never parameters.
_IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


class ParameterError(ValueError):
    """A briefing parameter that is unknown, misspelt or outside the data; the message is one line."""


@dataclass
class Params:
    """Validated parameters: region codes, sorted year lists, metric ids; `given` as passed."""

    notebook: str
    values: dict[str, Any]
    given: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def notebook_path(notebook: str) -> Path:
    """The jupytext source of a briefing notebook, by name or path."""
    p = Path(notebook)
    if p.suffix in (".py", ".ipynb") and p.exists():
        return p
    candidate = paths.NOTEBOOKS_DIR / f"{p.stem}.py"
    if candidate.exists():
        return candidate
    known = ", ".join(available_notebooks()) or "none"
    raise ParameterError(f"unknown notebook {notebook!r}: known notebooks are {known}")


def available_notebooks() -> list[str]:
    """Names of the briefing notebooks in notebooks/."""
    return sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("*.py"))


def declared_parameters(notebook: str | Path) -> dict[str, Any]:
    """Names and default values assigned in the notebook's cell tagged `parameters` (in order)."""
    import jupytext

    path = notebook_path(str(notebook))
    nb = jupytext.read(path)
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"notebook {path.name}: want exactly one cell tagged 'parameters', found {len(cells)}")
    out: dict[str, Any] = {}
    for node in ast.parse(cells[0].source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, ast.AnnAssign) and node.value is not None else []
        for t in targets:
            if isinstance(t, ast.Name):
                out[t.id] = ast.literal_eval(node.value)  # type: ignore[union-attr]
    for name in out:
        if name not in KINDS:
            raise ParameterError(f"notebook {path.name}: parameter {name!r} has no known kind: known are {', '.join(KINDS)}")
    return out


def check_names(given: Iterable[str], declared: Iterable[str], notebook: str) -> None:
    """Reject a parameter the notebook does not declare, suggesting the nearest declared name."""
    declared = list(declared)
    for name in given:
        if name not in declared:
            near = difflib.get_close_matches(name, declared, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ParameterError(f"unknown parameter {name!r} for {notebook}{hint}: it takes {', '.join(declared)}")


def parse_cli_value(name: str, text: str) -> Any:
    """Turn `-p NAME VALUE` text into a value: years '2019,2020' or '2018-2020', lists comma-separated."""
    kind = KINDS.get(name)
    text = text.strip()
    if kind in ("year",):
        if not re.fullmatch(r"\d{4}", text):
            raise ParameterError(f"parameter {name}: {text!r} is not a year (want e.g. 2020)")
        return int(text)
    if kind == "year_list":
        return _parse_years(name, text)
    if kind in ("metric_list", "region_list"):
        items = [t.strip() for t in re.split(r"[,，、]", text) if t.strip()]
        return items or None
    return text


def _parse_years(name: str, text: Any) -> list[int] | None:
    if text is None or text == "" or text == []:
        return None
    if isinstance(text, int):
        return [text]
    if isinstance(text, list | tuple):
        out = []
        for t in text:
            got = _parse_years(name, t)
            out.extend(got or [])
        return out
    s = str(text).strip()
    m = re.fullmatch(r"(\d{4})\s*[-–~]\s*(\d{4})", s)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if a > b:
            raise ParameterError(f"parameter {name}: range {s!r} runs backwards")
        return list(range(a, b + 1))
    parts = [p.strip() for p in re.split(r"[,，\s]+", s) if p.strip()]
    if not parts or not all(re.fullmatch(r"\d{4}", p) for p in parts):
        raise ParameterError(f"parameter {name}: {s!r} is not a year list (want 2019,2020 or 2018-2020)")
    return [int(p) for p in parts]


def namespace_parameters(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The user variables in a kernel namespace right after the parameter cells (no modules, no IPython)."""
    return {k: v for k, v in namespace.items()
            if not k.startswith("_") and k not in _IPYTHON_NAMES
            and not isinstance(v, types.ModuleType) and not callable(v)}


def validate(given: Mapping[str, Any], notebook: str, *, namespace: bool | None = None) -> Params:
    """Check `given` (a dict, or a notebook's globals()) against the notebook's declaration and the data.

    Returns normalised values; raises ParameterError with one line naming the parameter and the reason.
    """
    from metrics.query import QueryError, StoreError

    try:
        return _validate(given, notebook, namespace)
    except (QueryError, StoreError) as exc:  # e.g. a file that is not a regmetrics database
        raise ParameterError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def _validate(given: Mapping[str, Any], notebook: str, namespace: bool | None) -> Params:
    from metrics import query

    name = Path(notebook).stem
    declared = declared_parameters(notebook)
    is_namespace = namespace if namespace is not None else "__builtins__" in given or "get_ipython" in given
    if is_namespace:
        # A kernel namespace may also hold the notebook's own variables (a cell re-run in Lab), so only
        # names that look like parameters count: a known kind, or close to a declared name.
        values_in = {k: v for k, v in namespace_parameters(given).items()
                     if k in declared or k in KINDS or difflib.get_close_matches(k, list(declared), n=1)}
    else:
        values_in = dict(given)
    check_names(values_in, declared, name)
    values = {**declared, **values_in}

    db = values.get("db")
    db_path = Path(db) if db else paths.DEFAULT_DB
    if not db_path.exists():
        raise ParameterError(f"database {str(db_path)!r} not found: run `regmetrics ingest data/raw --db {db_path}` first")
    db_arg = str(db_path)
    out: dict[str, Any] = {"db": db_arg}
    metrics_known = _metric_ids(query.known_metrics(db=db_arg))

    for pname, raw in values.items():
        kind = KINDS[pname]
        if kind == "path":
            continue
        if kind == "metric":
            out[pname] = None if raw is None else _check_metric(pname, raw, metrics_known)
        elif kind == "metric_list":
            items = _as_list(raw)
            out[pname] = [_check_metric(pname, m, metrics_known) for m in items] if items else None
        elif kind == "level":
            if raw not in LEVELS:
                raise ParameterError(f"unknown level {raw!r}: known levels are {', '.join(LEVELS)}")
            out[pname] = raw
        elif kind == "region":
            out[pname] = None if raw is None else _check_region(pname, raw, db_arg)
        elif kind == "region_list":
            items = _as_list(raw)
            out[pname] = [_check_region(pname, r, db_arg) for r in items] if items else None

    _fill_from_data(out, values, db_arg, metrics_known)
    metric = out.get("metric")
    known_years = sorted({int(y) for y in _as_list(query.known_years(metric, db=db_arg)) if y is not None})
    contiguous = known_years and known_years == list(range(known_years[0], known_years[-1] + 1))
    span = f"{known_years[0]}–{known_years[-1]}" if contiguous and len(known_years) > 2 else \
        ", ".join(map(str, known_years)) or "none"
    what = f" for {metric}" if metric else ""
    for pname, raw in values.items():
        kind = KINDS[pname]
        if kind == "year":
            if raw is None:
                continue
            try:
                year = int(raw)
            except (TypeError, ValueError):
                raise ParameterError(f"parameter {pname}: {raw!r} is not a year") from None
            if year not in known_years:
                raise ParameterError(f"year {year} is outside the data{what}: known years are {span}")
            out[pname] = year
        elif kind == "year_list":
            years = _parse_years(pname, raw)
            for y in years or []:
                if y not in known_years:
                    raise ParameterError(f"year {y} in {pname} is outside the data{what}: known years are {span}")
            out[pname] = sorted(set(years)) if years else None
    if "year" in out and "level" in out and values.get("year") is not None:
        _check_year_at_level(out, db_arg)
    return Params(notebook=name, values=out, given={k: values_in[k] for k in values_in})


def _headline_cells(db: str, metric: str, out: dict[str, Any]) -> dict[int, set[str]]:
    """Regions with a headline figure of `metric` per year, at the level (or among the regions) asked for."""
    from metrics import query

    frame = query.compare(metric, regions=out.get("regions"), level=out.get("level"), db=db)
    per_year: dict[int, set[str]] = {}
    for r in frame.select("year", "region_code").to_dicts():
        if r["year"] is not None:
            per_year.setdefault(int(r["year"]), set()).add(r["region_code"])
    return per_year


def _scope(out: dict[str, Any]) -> str:
    return "the regions given" if out.get("regions") else f"{out.get('level')} level"


def _fill_from_data(out: dict[str, Any], values: Mapping[str, Any], db: str, metrics_known: list[str]) -> None:
    """Defaults left as None are chosen from the data: the metric whose headline figures cover most
    regions in one year, that year (latest on ties), the region with most figures."""
    from metrics import query

    if "metric" in out and out["metric"] is None:
        best: dict[str, tuple[int, int]] = {}
        for m in metrics_known:
            per_year = _headline_cells(db, m, out)
            if per_year:
                best[m] = max((len(v), y) for y, v in per_year.items())
        if not best:
            raise ParameterError(f"no headline figures at {_scope(out)} in {db}: nothing to compare")
        out["metric"] = max(sorted(best), key=lambda m: best[m])
    if "year" in values and out.get("metric") and values.get("year") is None:
        per_year = _headline_cells(db, out["metric"], out)
        if not per_year:
            raise ParameterError(f"no headline figures of {out['metric']} at {_scope(out)}: give other regions or level")
        out["year"] = max(per_year, key=lambda y: (len(per_year[y]), y))
    if "region" in out and out["region"] is None:
        counts: dict[str, int] = {}
        for r in query.coverage(db=db).to_dicts():
            if r["region_code"]:
                counts[r["region_code"]] = counts.get(r["region_code"], 0) + int(r["n_figures"])
        if not counts:
            raise ParameterError(f"no regional figures in {db}: give region")
        out["region"] = max(sorted(counts), key=lambda c: counts[c])


def _check_year_at_level(out: dict[str, Any], db: str) -> None:
    """A given year must have headline figures of the metric at the level (or for the regions) asked for."""
    per_year = _headline_cells(db, out["metric"], out)
    if out["year"] not in per_year:
        have = ", ".join(map(str, sorted(per_year))) or "none"
        raise ParameterError(f"year {out['year']} has no {out['metric']} figures at {_scope(out)}: "
                             f"years with figures are {have}")


def _as_list(raw: Any) -> list[Any]:
    """A frame column, list, tuple or scalar as a plain list (None -> [])."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [t.strip() for t in re.split(r"[,，、]", raw) if t.strip()]
    if hasattr(raw, "to_series") and hasattr(raw, "columns"):  # polars DataFrame: its first column
        return raw.to_series(0).to_list()
    if hasattr(raw, "to_list"):
        return raw.to_list()
    return list(raw) if isinstance(raw, Iterable) else [raw]


def _metric_ids(known: Any) -> list[str]:
    if hasattr(known, "columns"):
        col = "id" if "id" in known.columns else "metric" if "metric" in known.columns else known.columns[0]
        return [str(v) for v in known[col].to_list()]
    return [str(v) for v in _as_list(known)]


def _check_metric(pname: str, raw: Any, known: list[str]) -> str:
    if raw not in known:
        near = difflib.get_close_matches(str(raw), known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ParameterError(f"unknown metric {raw!r}{hint}: known metrics are {', '.join(sorted(known))}")
    return str(raw)


def _check_region(pname: str, raw: Any, db: str) -> str:
    """A region code with figures in the data, from a code or a (short) name such as 四川."""
    from metrics import query, regions

    known = query.known_regions(db=db)
    text = str(raw).strip()
    if text in known:
        return text
    found = regions.lookup(text)
    if found is not None and found.code in known:
        return found.code
    if found is not None:
        raise ParameterError(f"region {text!r} ({found.code} {found.name}) in {pname} has no figures in the data")
    names = [getattr(regions.get(c), "name", c) for c in known[:12]]
    more = " …" if len(known) > 12 else ""
    raise ParameterError(f"unknown region {text!r} in {pname}: regions in the data are {', '.join(names)}{more}")


def region_name(code: str) -> str:
    """The name of a region code for headings (山西省 for 140000); the code itself when unknown."""
    from metrics import regions

    found = regions.get(str(code))
    return found.name if found is not None else str(code)


def regions_with_headlines(db: str, level: str | None = None, *, like: str | None = None) -> list[tuple[str, str, int]]:
    """(code, name, n) of regions with whole-scope (headline) figures, most figures first: what a
    `region` parameter could name to get a drawn profile. `like`: regions of that code's level first."""
    from metrics import query, regions

    found = regions.get(str(like)) if like else None
    first = found.level if found is not None else None

    counts: dict[str, tuple[str, int]] = {}
    for m in query.known_metrics(db=db):
        for r in query.compare(m, level=level, db=db).select("region_code", "region_name").to_dicts():
            name, n = counts.get(r["region_code"], (r["region_name"], 0))
            counts[r["region_code"]] = (name, n + 1)
    def level_of(code: str) -> str | None:
        r = regions.get(code)
        return r.level if r is not None else None

    return sorted(((c, name, n) for c, (name, n) in counts.items() if c != like),
                  key=lambda t: (first is not None and level_of(t[0]) != first, -t[2], t[0]))
