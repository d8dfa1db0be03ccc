"""Run a briefing notebook with papermill and publish it: reports/<notebook>/<slug>/<date>/ on success,
reports/_failed/ otherwise; run a schedule of briefings and index the newest of each.

A run renders into a temporary folder beside its destination and is renamed into place only when
papermill finished without raising (a cell error, a dead kernel and a timeout all raise) and the HTML
passed the offline/safety audit, so a published folder is always complete.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from metrics import briefing, params, paths

FAILED_DIR = "_failed"
TMP_DIR = ".tmp"
DEFAULT_TIMEOUT_S = 600
FIGURE_COLUMNS = ("metric", "region_code", "region_name", "year", "value", "unit", "approx", "period_kind",
                  "period_label", "yoy_pct", "subject", "headline", "doc_title", "doc_path", "published_on", "quote",
                  "char_start", "char_end", "confidence", "doc_id")
SCHEDULE_KEYS = {"name", "notebook", "parameters"}


class ScheduleError(ValueError):
    """A schedule file that cannot be read or names something unknown."""


@dataclass
class RunResult:
    """Outcome of one briefing run; `folder` is the published (or _failed) folder."""

    notebook: str
    slug: str
    status: str
    folder: Path
    html: Path | None = None
    error: str | None = None
    seconds: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the briefing was published."""
        return self.status == "ok"


def param_slug(values: Mapping[str, Any]) -> str:
    """ASCII folder name for parameters: metric-fines_confiscations_year-2020; non-ASCII values hashed."""
    parts = []
    for name, value in values.items():
        text = "+".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
        if not text.isascii() or not re.fullmatch(r"[A-Za-z0-9_.+-]*", text):
            clean = re.sub(r"[^A-Za-z0-9_.+-]+", "", text) if text.isascii() else ""
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
            text = f"{clean[:20]}.h{digest}" if clean else f"h{digest}"
        parts.append(f"{name}-{text}")
    slug = "_".join(parts) or "default"
    if len(slug) > 120:
        slug = slug[:100] + ".h" + hashlib.sha256(slug.encode()).hexdigest()[:10]
    return slug


def _notebook_node(path: Path) -> Any:
    import jupytext

    nb = jupytext.read(path)
    if not nb.metadata.get("kernelspec", {}).get("name"):
        raise params.ParameterError(f"notebook {path.name} has no kernelspec: papermill cannot run it")
    return nb


def _figures_from(nb: Any) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            for rec in o.get("data", {}).get(briefing.FIGURES_MIMETYPE, []) or []:
                key = json.dumps(rec, sort_keys=True, ensure_ascii=False)
                if key not in seen:
                    seen.add(key)
                    out.append(dict(rec))
    return out


def write_figures_csv(records: list[dict[str, Any]], path: Path) -> None:
    """figures.csv: every figure a briefing table showed, known columns first."""
    extra = sorted({k for r in records for k in r} - set(FIGURE_COLUMNS))
    cols = [c for c in FIGURE_COLUMNS if any(c in r for r in records)] + extra
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for r in records:
            w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("regmetrics", "papermill", "nbconvert", "plotly", "duckdb", "polars"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = ""
    return out


def _error_text(exc: BaseException) -> str:
    import papermill.exceptions as pmx

    if isinstance(exc, pmx.PapermillExecutionError):
        return f"cell {exc.exec_count or exc.cell_index}: {exc.ename}: {exc.evalue}".strip()
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()


@contextmanager
def kernel_config() -> Iterator[Any]:
    """Kernel-manager settings for a run: the kernel talks over IPC sockets in a fresh private folder
    (mode 0700, removed afterwards), not TCP on localhost, where ipykernel warns that anyone on the
    machine could read the unencrypted traffic. The socket path is absolute, so kernel and client agree
    whatever their working directories. Windows has no IPC transport and keeps TCP."""
    from traitlets.config import Config

    if os.name != "posix":
        yield Config()
        return
    folder = tempfile.mkdtemp(prefix="regmetrics-kernel-")
    try:
        yield Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "k")}})
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_report(notebook: str, parameters: Mapping[str, Any] | None = None, *, out: Path | None = None,
               db: str | Path | None = None, today: date | None = None,
               timeout: int = DEFAULT_TIMEOUT_S) -> RunResult:
    """Validate, execute and publish one briefing; never raises for a failed run (see RunResult.status).

    Bad parameters raise params.ParameterError before any kernel starts.
    """
    import nbformat
    import papermill

    src = params.notebook_path(notebook)
    name = src.stem
    given = dict(parameters or {})
    if db is not None:
        given["db"] = str(db)
    checked = params.validate(given, str(src))
    declared = params.declared_parameters(str(src))
    # Pass normalised values (region names become codes, years lists) of what was given and of the
    # defaults chosen from the data, so the slug names exactly what the notebook ran with.
    run_params = {k: checked.values[k] for k in declared
                  if k != "db" and checked.values.get(k) is not None and (k in given or declared[k] is None)}
    slug = param_slug(run_params)
    run_params["db"] = str(Path(checked.values["db"]).resolve())
    nb = _notebook_node(src)
    kernel = nb.metadata["kernelspec"]["name"]

    root = Path(out) if out else paths.REPORTS_DIR
    day = (today or date.today()).isoformat()
    final = root / name / slug / day
    work = root / TMP_DIR / f"{name}-{uuid.uuid4().hex[:12]}"
    work.mkdir(parents=True)
    started = datetime.now().astimezone()
    t0 = time.perf_counter()
    meta: dict[str, Any] = {
        "notebook": name, "source": str(src), "parameters": {k: _jsonable(v) for k, v in run_params.items()},
        "given": {k: _jsonable(v) for k, v in given.items()}, "slug": slug, "kernel": kernel,
        "started_at": started.isoformat(timespec="seconds"), "versions": _versions(),
        "db": {"path": run_params["db"], **_db_stat(run_params["db"])},
    }
    status, error, html_path, audit = "failed", None, None, None
    input_nb = work / "input.ipynb"
    nbformat.write(nb, input_nb)
    executed = work / "executed.ipynb"
    try:
        with kernel_config() as config:
            papermill.execute_notebook(
                str(input_nb), str(executed), parameters=run_params, kernel_name=kernel,
                cwd=str(src.parent), execution_timeout=timeout, start_timeout=120,
                progress_bar=False, log_output=False, request_save_on_cell_execute=True, config=config,
            )
        done = nbformat.read(executed, as_version=4)
        title = f"{name} {slug}"
        audit = briefing.write_briefing(done, title, work / "briefing.html")
        records = _figures_from(done)
        write_figures_csv(records, work / "figures.csv")
        meta["n_figures"] = len(records)
        meta["charts"] = audit.charts
        status = "ok"
    except Exception as exc:  # any failure of the run is recorded, not raised
        error = _error_text(exc)
        meta["traceback"] = traceback.format_exception_only(type(exc), exc)[-1].strip()[:4000]
    input_nb.unlink(missing_ok=True)
    meta.update(status=status, error=error, seconds=round(time.perf_counter() - t0, 2),
                finished_at=datetime.now().astimezone().isoformat(timespec="seconds"))

    if status == "ok":
        dest = final
        meta["html"] = str(final / "briefing.html")
    else:
        dest = root / FAILED_DIR / name / slug / started.strftime("%Y-%m-%dT%H%M%S")
        while dest.exists():
            dest = dest.with_name(dest.name + "-1")
        (work / "briefing.html").unlink(missing_ok=True)
    (work / "run.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _publish(work, dest)
    if status == "ok":
        html_path = dest / "briefing.html"
    return RunResult(notebook=name, slug=slug, status=status, folder=dest, html=html_path, error=error,
                     seconds=meta["seconds"], parameters=run_params)


def _publish(work: Path, dest: Path) -> None:
    """Rename the finished folder into place, replacing an earlier run of the same day."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    olds = []
    for _ in range(5):  # a concurrent run of the same briefing may publish between our two renames
        if dest.exists():
            olds.append(work.parent / f"old-{uuid.uuid4().hex[:12]}")
            try:
                os.rename(dest, olds[-1])
            except FileNotFoundError:
                olds.pop()
        try:
            os.rename(work, dest)
            break
        except OSError:
            continue
    else:
        raise OSError(f"cannot publish {work} to {dest}: another run keeps replacing it")
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
    try:
        work.parent.rmdir()  # .tmp when no other run is using it
    except OSError:
        pass


def _db_stat(db: str) -> dict[str, Any]:
    try:
        st = Path(db).stat()
    except OSError:
        return {}
    return {"bytes": st.st_size, "modified": datetime.fromtimestamp(st.st_mtime).astimezone().isoformat(timespec="seconds")}


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, str | int | float | bool):
        return v
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return str(v)


# ---- schedule ------------------------------------------------------------------------------------

@dataclass
class ScheduleEntry:
    """One briefing of a schedule: a name, a notebook and its parameters."""

    name: str
    notebook: str
    parameters: dict[str, Any]


def read_schedule(path: Path) -> list[ScheduleEntry]:
    """Entries of a schedule YAML (`briefings:` list of name/notebook/parameters); unknown keys rejected."""
    import yaml

    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScheduleError(f"cannot read schedule {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScheduleError(f"schedule {path} is not valid YAML: {where}{problem}: fix it "
                            "(see reports/schedule.yml for the layout)") from None
    items = doc.get("briefings") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise ScheduleError(f"schedule {path}: want a non-empty 'briefings:' list")
    out, names = [], set()
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ScheduleError(f"schedule {path}: entry {i} is not a mapping")
        unknown = set(item) - SCHEDULE_KEYS
        if unknown:
            raise ScheduleError(f"schedule {path}: entry {i} has unknown key(s) {', '.join(sorted(unknown))}: "
                                f"allowed are {', '.join(sorted(SCHEDULE_KEYS))}")
        if not item.get("name") or not item.get("notebook"):
            raise ScheduleError(f"schedule {path}: entry {i} needs a name and a notebook")
        if item["name"] in names:
            raise ScheduleError(f"schedule {path}: name {item['name']!r} appears twice")
        names.add(item["name"])
        p = item.get("parameters") or {}
        if not isinstance(p, dict):
            raise ScheduleError(f"schedule {path}: entry {item['name']!r}: parameters must be a mapping")
        out.append(ScheduleEntry(str(item["name"]), str(item["notebook"]), dict(p)))
    return out


def run_schedule(path: Path, *, out: Path | None = None, db: str | Path | None = None,
                 today: date | None = None, timeout: int = DEFAULT_TIMEOUT_S,
                 log: Any = None) -> tuple[list[tuple[ScheduleEntry, RunResult | None, str | None]], Path]:
    """Run every entry (one failing does not stop the others), then write index.html; returns both."""
    entries = read_schedule(path)
    root = Path(out) if out else paths.REPORTS_DIR
    results: list[tuple[ScheduleEntry, RunResult | None, str | None]] = []
    for e in entries:
        try:
            r = run_report(e.notebook, e.parameters, out=root, db=db, today=today, timeout=timeout)
            results.append((e, r, None if r.ok else r.error))
        except Exception as exc:  # one entry's bad parameters or broken file must not stop the others
            results.append((e, None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
        if log:
            log(e, results[-1][1], results[-1][2])
    index = write_index(root, results)
    return results, index


def newest_briefing(root: Path, notebook: str, slug: str) -> Path | None:
    """The briefing.html of the latest dated run of a notebook and slug, if any."""
    base = root / notebook / slug
    days = sorted((d for d in base.glob("????-??-??") if (d / "briefing.html").exists()), reverse=True)
    return days[0] / "briefing.html" if days else None


def write_index(root: Path, results: list[tuple[ScheduleEntry, RunResult | None, str | None]]) -> Path:
    """reports/index.html: one row per scheduled briefing linking its newest published HTML."""
    from metrics.briefing import esc

    rows = []
    for entry, result, error in results:
        nb_name = Path(entry.notebook).stem
        newest = newest_briefing(root, nb_name, result.slug) if result else None
        link = (f'<a href="{esc(newest.relative_to(root).as_posix())}">{esc(newest.parent.name)}</a>'
                if newest else "—")
        state = "成功" if result and result.ok else f"失败：{esc(error)}"
        rows.append(f"<tr><td>{esc(entry.name)}</td><td>{esc(nb_name)}</td>"
                    f"<td>{esc(json.dumps(entry.parameters, ensure_ascii=False))}</td><td>{link}</td>"
                    f"<td>{state}</td></tr>")
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<title>regmetrics 简报索引</title><style>body{font-family:sans-serif;margin:2em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style>"
        f"</head><body><h1>regmetrics 简报</h1><p>更新于 {esc(datetime.now().astimezone().isoformat(timespec='minutes'))}</p>"
        "<table><thead><tr><th>简报</th><th>笔记本</th><th>参数</th><th>最新版本</th><th>本次运行</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".index-{uuid.uuid4().hex[:8]}.html"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, root / "index.html")
    return root / "index.html"
