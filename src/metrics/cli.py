"""The `regmetrics` command: a thin shell over the library, one function call per command."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from metrics import __version__
from metrics.documents import SUPPORTED

SUPPORTED_SUFFIXES = tuple(SUPPORTED)  # the readers documents.py has


def expand_paths(paths: tuple[str, ...] | list[str]) -> list[Path | str]:
    """Files named, plus the supported files inside named folders (recursively, sorted); an fsspec URL
    (s3://bucket/reports/) is listed through its backend and its files stay URLs (URLError if it cannot be)."""
    from metrics.urls import is_url, list_files

    out: list[Path | str] = []
    for p in paths:
        if is_url(p):
            out.extend(list_files(p, SUPPORTED_SUFFIXES))
            continue
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            out.append(p)
    return out


def expand_or_report(paths: tuple[str, ...]) -> list[Path]:
    """expand_paths, naming each folder that holds no supported file; exit 2 when nothing is left."""
    from metrics.urls import URLError

    files = []
    for p in paths:
        try:
            found = expand_paths([p])
        except URLError as exc:
            fail(str(exc))
        if not found:
            click.echo(f"regmetrics: no documents in {p}: give files or folders holding "
                       f"{', '.join(SUPPORTED_SUFFIXES)} files", err=True)
        files.extend(found)
    if not files:
        sys.exit(2)
    return files


def fail(message: str, code: int = 2) -> None:
    """Print one error line to stderr and exit."""
    click.echo(f"regmetrics: {message}", err=True)
    sys.exit(code)


DASK_OPTION = click.option(
    "--dask", "dask_spec", default=None, metavar="local[:N] | tcp://HOST:PORT",
    help="Extract on a Dask cluster: a new local one of N worker processes, or the scheduler at an address.")
PARTITION_OPTION = click.option("--partition-size", type=click.IntRange(min=1), default=None,
                                help="Documents per Dask task [default: about 4 tasks per worker, 8 to 1000].")


@contextmanager
def dask_client(spec: str | None) -> Iterator[Any]:
    """The Dask client for --dask (None without it); prints the cluster and its dashboard, fails in one line."""
    if not spec:
        yield None
        return
    from metrics.cluster import ClusterError, connect, describe

    try:
        with connect(spec) as client:
            click.echo(f"regmetrics: {describe(client)}", err=True)
            yield client
    except ClusterError as exc:
        fail(str(exc))


MAX_MB_OPTION = click.option("--max-mb", type=click.FloatRange(min=0, min_open=True), default=None,
                             help="Size budget per document: a larger file is not read, it is named and "
                                  "recorded as not extracted [default: 32].")


def _over_budget(path: str, reason: str) -> None:
    click.echo(f"regmetrics: not extracted {path}: {reason}", err=True)


def _partition_failed(index: int, n: int, docs: list[str], reason: str) -> None:
    from metrics.cluster import partition_error_line

    click.echo(f"regmetrics: {partition_error_line(index, n, docs, reason)}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="regmetrics")
def main() -> None:
    """Headline figures from Chinese market-regulation reports: extract, ingest, query, brief."""


@main.command(
    epilog="\b\nExample:\n  regmetrics extract data/raw --format table\n"
    "  regmetrics extract report.pdf notes.docx --format jsonl > figures.jsonl\n"
    "  regmetrics extract --dask local:2 --parquet out/ s3://bucket/reports/\n"
    "  then: duckdb -c \"SELECT metric, count(*) FROM 'out/figures/**/*.parquet' GROUP BY ALL\"\n"
    "        regmetrics ingest --from-parquet out/"
)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "table"]), default="jsonl",
              show_default=True, help="Output format, one record per figure.")
@click.option("--parquet", default=None, metavar="OUT",
              help="Write a Parquet dataset to this folder or URL instead (OUT/figures/year=Y/region_code=C/, "
                   "OUT/documents/); each partition writes its own files. An earlier dataset there is replaced.")
@DASK_OPTION
@PARTITION_OPTION
@MAX_MB_OPTION
def extract(paths: tuple[str, ...], fmt: str, parquet: str | None, dask_spec: str | None,
            partition_size: int | None, max_mb: float | None) -> None:
    """Extract every headline figure from documents (files, folders or fsspec URLs) to stdout or a dataset."""
    from metrics.output import write_records
    from metrics.pipeline import extract_paths

    def cannot_read(p: object, why: str) -> None:
        click.echo(f"regmetrics: cannot read {p}: {why}", err=True)

    if dask_spec and not parquet:
        fail("--dask writes a Parquet dataset: give --parquet OUT (or use regmetrics ingest --dask)")
    if max_mb and not parquet:
        fail("--max-mb is the size budget of a dataset (--parquet OUT) or of regmetrics ingest; "
             "extract to stdout reads every file")
    if parquet:
        from metrics.cluster import extract_to_parquet
        from metrics.dataset import DatasetError
        from metrics.ingest import DEFAULT_MAX_MB

        files = expand_or_report(paths)
        with dask_client(dask_spec) as client:
            try:
                res = extract_to_parquet(files, parquet, client=client, partition_size=partition_size,
                                         on_error=cannot_read, on_partition_error=_partition_failed,
                                         max_mb=max_mb or DEFAULT_MAX_MB, on_over_budget=_over_budget)
            except DatasetError as exc:
                fail(str(exc))
        click.echo(f"wrote {res.n_figures} figures of {res.n_documents} documents in {res.n_files} parquet files "
                   f"under {res.out} ({res.n_partitions} partitions)")
        left_out = len(res.failures) + len(res.over_budget)
        if left_out:
            what = " or were over budget" if res.over_budget else ""
            fail(f"{left_out} of {res.n_inputs} files could not be extracted{what} (listed above and in the "
                 "dataset's _regmetrics_export.json); the others were written", 1)
        return
    records, failures = extract_paths(expand_or_report(paths), on_error=cannot_read)
    write_records(records, fmt, sys.stdout)
    if failures:
        sys.exit(1)


# ---------------------------------------------------------------------------------------------------
# store commands: ingest, figures, query, compare, export (owner: store)

DB_OPTION = click.option("--db", type=click.Path(dir_okay=False), default=None,
                         help="Database file [default: data/processed/regmetrics.duckdb].")


def _number_text(v: object) -> object:
    """Floats from the query API shown as plain decimals (23544800, not 2.35448e+07)."""
    if isinstance(v, float):
        from decimal import Decimal

        from metrics.figures import decimal_text
        return decimal_text(Decimal(repr(v))) if v == v else ""
    return v


def _print_rows(rows: list[dict], columns: list[str], fmt: str) -> None:
    from metrics.output import format_table, write_records

    if fmt == "table":
        click.echo(format_table([{c: _number_text(r.get(c)) for c in columns} for r in rows], columns), nl=False)
    elif fmt == "csv":
        import csv

        from metrics.output import cell_text
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([cell_text(r.get(c)) for c in columns])
    else:
        write_records([{c: r.get(c) for c in columns} for r in rows], "jsonl", sys.stdout)


@main.command(
    epilog="\b\nExamples:\n  regmetrics ingest                      # data/raw into data/processed/regmetrics.duckdb\n"
    "  regmetrics ingest more/reports --workers 2\n"
    "  regmetrics ingest data/raw --prune --db /tmp/test.duckdb\n"
    "  regmetrics ingest --dask local:2 data/raw          # or --dask tcp://scheduler:8786\n"
    "  regmetrics ingest --from-parquet out/              # a dataset written by extract --parquet\n"
    "  regmetrics ingest crawl/ --max-seconds 20 --max-mb 8   # a tighter per-document budget"
)
@click.argument("paths", nargs=-1, type=click.Path())
@DB_OPTION
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Extraction processes [default: one per core].")
@click.option("--prune", is_flag=True, help="Remove documents that are not among PATHS.")
@click.option("--corrections", type=click.Path(dir_okay=False), default=None,
              help="Corrections CSV [default: data/corrections.csv]; a missing file means none.")
@DASK_OPTION
@PARTITION_OPTION
@click.option("--from-parquet", default=None, metavar="DIR",
              help="Load a dataset written by `regmetrics extract --parquet` instead of extracting PATHS.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Time budget per document in the local process pool: an extraction running longer is "
                   "stopped [default: 60; not with --dask].")
@MAX_MB_OPTION
def ingest(paths: tuple[str, ...], db: str | None, workers: int | None, prune: bool,
           corrections: str | None, dask_spec: str | None, partition_size: int | None,
           from_parquet: str | None, max_seconds: float | None, max_mb: float | None) -> None:
    """Extract documents (files or folders, default data/raw) and publish them to the database.

    Unchanged files are skipped, changed files replace their figures, data/corrections.csv is
    applied, and the database is swapped in atomically. A document over the time or size budget is
    named with the reason, recorded as not extracted (coverage() lists it) and the rest is published.
    Exit 1 if any file could not be read or was over budget.
    """
    from metrics.dataset import DatasetError, ingest_parquet
    from metrics.ingest import DEFAULT_MAX_MB, DEFAULT_MAX_SECONDS
    from metrics.ingest import ingest as run_ingest
    from metrics.paths import CORRECTIONS_CSV, RAW_DIR
    from metrics.store import StoreError

    fixes = Path(corrections) if corrections else CORRECTIONS_CSV
    if from_parquet:
        if paths or dask_spec:
            fail("give PATHS (extracted now) or --from-parquet DIR (extracted before), not both")
        if max_seconds or max_mb:
            fail("the budget applies when documents are extracted: give --max-mb to extract --parquet, "
                 "not to ingest --from-parquet")
        try:
            result = ingest_parquet(from_parquet, db, prune=prune, corrections=fixes, on_over_budget=_over_budget)
        except (DatasetError, StoreError) as exc:
            fail(str(exc))
    else:
        if dask_spec and workers:
            fail("--workers sizes the local process pool; with --dask the cluster's workers extract: give one")
        if dask_spec and max_seconds:
            fail("--max-seconds is the local process pool's time budget (it stops a worker); a Dask cluster "
                 "does not apply it: drop it, or leave out --dask")
        files = expand_or_report(paths) if paths else expand_paths((str(RAW_DIR),))
        if not files:
            fail(f"no documents in {', '.join(paths or (str(RAW_DIR),))}: give files or folders holding "
                 f"{', '.join(SUPPORTED_SUFFIXES)} files")
        with dask_client(dask_spec) as client:
            from metrics.cluster import DaskRunner

            runner = DaskRunner(client, partition_size, on_partition_error=_partition_failed) if client else None
            try:
                result = run_ingest(files, db, workers=workers, prune=prune, corrections=fixes, runner=runner,
                                    on_error=lambda p, why: click.echo(f"regmetrics: cannot read {p}: {why}", err=True),
                                    max_seconds=max_seconds or DEFAULT_MAX_SECONDS, max_mb=max_mb or DEFAULT_MAX_MB,
                                    on_over_budget=_over_budget)
            except StoreError as exc:
                fail(str(exc))
    for w in result.warnings:
        click.echo(f"regmetrics: warning: {w}", err=True)
    for path, other in result.duplicates:
        click.echo(f"regmetrics: skipped {path}: same content as {other}", err=True)
    for issue in result.correction_issues:
        click.echo(f"regmetrics: correction not applied: {issue}", err=True)
    changes = (f"{result.added} added, {result.replaced} replaced, {result.renamed} renamed, "
               f"{result.pruned} pruned, {result.unchanged} unchanged")
    state = "published" if result.published else "nothing changed in"
    click.echo(f"{state} {result.db}: {changes}; {result.n_documents} documents, {result.n_figures} figures"
               + (f", {result.corrections_applied} corrections applied" if result.corrections_applied else ""))
    left_out = len(result.failures) + len(result.over_budget)
    if left_out:
        rest = ("the others were published" if left_out < result.n_inputs
                else f"nothing was added to {result.db}")
        what = " or were over budget" if result.over_budget else ""
        fail(f"{left_out} of {result.n_inputs} files could not be read{what} (listed above); {rest}", 1)


@main.command(
    epilog="\b\nExample:\n  regmetrics figures --doc data/raw/gwr2025-广东.txt\n"
    "  then add a row to data/corrections.csv naming a figure_key and run regmetrics ingest"
)
@click.option("--doc", "document", required=True, help="Document path, file name or sha256 prefix.")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table", show_default=True)
def figures(document: str, db: str | None, fmt: str) -> None:
    """List a document's stored figures with the keys data/corrections.csv needs."""
    from metrics.query import QueryError, StoreError, document_figures

    try:
        df = document_figures(document, db=db)
    except (QueryError, StoreError) as exc:
        fail(str(exc))
    columns = ["figure_key", "metric", "value", "unit", "approx", "region_name", "year", "period_label",
               "subject", "token", "corrected"]
    _print_rows(df.to_dicts(), columns if fmt == "table" else df.columns, fmt)


@main.command(
    epilog="\b\nExamples:\n  regmetrics query \"SELECT metric, count(*) FROM figures GROUP BY ALL\"\n"
    "  regmetrics query \"SELECT * FROM figure_conflicts\" --format csv > conflicts.csv"
)
@click.argument("sql")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table", show_default=True)
def query(sql: str, db: str | None, fmt: str) -> None:
    """Run one SQL query on a read-only connection and print the result."""
    import duckdb

    from metrics.query import StoreError, connect

    try:
        con = connect(db)
    except StoreError as exc:
        fail(str(exc))
    try:
        # The attached file is read-only, but the session around it could still ATTACH a new file or
        # COPY to one: only reading statements run, and the file system is closed to them.
        kinds = [s.type for s in con.extract_statements(sql)]
        if len(kinds) != 1 or kinds[0] not in (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN):
            given = " + ".join(k.name for k in kinds) or "an empty query"
            fail(f"query failed: give exactly one SELECT statement, not {given}; the database is opened "
                 "read-only: change data through regmetrics ingest and data/corrections.csv")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description or []]
        rows = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()] if columns else []
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        hint = ("the database is opened read-only: change data through regmetrics ingest and data/corrections.csv"
                if "read-only" in first else "tables: documents, figures, figures_all, figures_best, "
                "figure_conflicts, headline, regions, metrics")
        fail(f"query failed: {first}; {hint}")
    finally:
        con.close()
    _print_rows(rows, columns, fmt)


@main.command(
    epilog="\b\nExamples:\n  regmetrics compare --metric fines_confiscations --year 2020\n"
    "  regmetrics compare --metric complaints --region 福建 --region 350200 --all-figures"
)
@click.option("--metric", required=True, help="Metric id (see `regmetrics query \"SELECT * FROM metrics\"`).")
@click.option("--year", "years", type=int, multiple=True, help="Year; repeat for several [default: all].")
@click.option("--region", "regions", multiple=True, help="Region code or name; repeat for several.")
@click.option("--level", type=click.Choice(["country", "province", "prefecture", "county", "all"]),
              default="province", show_default=True, help="Region level when no --region is given.")
@click.option("--all-figures", is_flag=True, help="Every figure, not just the headline per region and year.")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table", show_default=True)
def compare(metric: str, years: tuple[int, ...], regions: tuple[str, ...], level: str, all_figures: bool,
            db: str | None, fmt: str) -> None:
    """Compare one metric across regions and years, with the period each figure covers."""
    from metrics.query import QueryError, StoreError
    from metrics.query import compare as run_compare

    try:
        df = run_compare(metric, years=list(years) or None, regions=list(regions) or None,
                         level=None if level == "all" else level, headline_only=not all_figures, db=db)
    except (QueryError, StoreError) as exc:
        fail(str(exc))
    if df.is_empty() and years:
        from metrics.query import known_years

        known = known_years(metric, db=db)
        unknown = [str(y) for y in years if y not in known]
        if unknown:
            fail(f"no figures of {metric} in {', '.join(unknown)}: years with {metric} figures are "
                 f"{', '.join(map(str, known)) or 'none'}")
    if df.is_empty():
        click.echo(f"regmetrics: no figures of {metric} for these years and regions: "
                   "try --level all or another --year (see the years with --all-figures)", err=True)
        return
    columns = ["region_name", "region_code", "year", "value", "unit", "period_label", "approx", "yoy_pct",
               *(["subject"] if all_figures else []), "doc_title"]
    _print_rows(df.to_dicts(), columns if fmt == "table" else df.columns, fmt)


@main.command(
    epilog="\b\nExample:\n  regmetrics export --parquet exports/figures\n"
    "  then: duckdb -c \"SELECT * FROM read_parquet('exports/figures/**/*.parquet', hive_partitioning=false)\""
)
@click.option("--parquet", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write (year=Y/region_code=C/*.parquet); an earlier export there is replaced.")
@DB_OPTION
def export(out: str, db: str | None) -> None:
    """Export every figure with its document and period label to partitioned parquet."""
    from metrics.export import ExportError, export_parquet
    from metrics.store import StoreError

    try:
        res = export_parquet(out, db)
    except (ExportError, StoreError) as exc:
        fail(str(exc))
    click.echo(f"wrote {res.n_rows} figures in {res.n_files} parquet files under {res.out}")


@main.command(
    epilog="\b\nExamples:\n"
    "  regmetrics report province_comparison --db data/processed/regmetrics.duckdb\n"
    "  regmetrics report province_comparison -p metric fines_confiscations -p year 2020 -p regions 四川,广东\n"
    "  regmetrics report region_profile -p region 四川 --out /tmp/briefings\n"
    "  regmetrics report --schedule reports/schedule.yml"
)
@click.argument("notebook", required=False)
@click.option("-p", "--parameter", "parameters", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="A notebook parameter (repeatable); lists comma-separated, years as 2019,2020 or 2018-2023.")
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="Database to brief on (passed as the notebook's `db`); default data/processed/regmetrics.duckdb.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder to publish under instead of reports/.")
@click.option("--schedule", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Run every briefing listed in this YAML file and write index.html.")
@click.option("--timeout", type=click.IntRange(min=1), default=600, show_default=True,
              help="Seconds allowed per notebook cell.")
def report(notebook: str | None, parameters: tuple[tuple[str, str], ...], db: str | None, out: str | None,
           schedule: str | None, timeout: int) -> None:
    """Run a briefing notebook with papermill and publish offline HTML; prints the HTML path last."""
    from metrics.params import ParameterError, check_names, declared_parameters, parse_cli_value
    from metrics.report import ScheduleError, run_report, run_schedule

    out_dir = Path(out) if out else None
    if schedule:
        if notebook or parameters:
            fail("give either NOTEBOOK [-p ...] or --schedule FILE, not both")

        def log(entry, result, error):  # type: ignore[no-untyped-def]
            state = f"ok {result.html}" if result and result.ok else f"FAILED {error}"
            click.echo(f"{entry.name}: {state}", err=True)

        try:
            results, index = run_schedule(Path(schedule), out=out_dir, db=db, timeout=timeout, log=log)
        except ScheduleError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"cannot write briefings under {out_dir or 'reports/'}: {exc.strerror or exc}: choose another --out")
        failed = [e.name for e, r, _ in results if not (r and r.ok)]
        if failed:
            click.echo(f"regmetrics: {len(failed)} of {len(results)} briefings failed: {', '.join(failed)}", err=True)
        click.echo(str(index))
        if failed:
            sys.exit(1)
        return
    if not notebook:
        fail("give a NOTEBOOK (province_comparison, region_profile, data_coverage) or --schedule FILE")
    names = [name for name, _ in parameters]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        fail(f"parameter {', '.join(twice)} given more than once: give each -p NAME once "
             "(lists are comma-separated, e.g. -p regions 四川,广东)")
    try:
        check_names(names, declared_parameters(notebook), Path(notebook).stem)
        values = {name: parse_cli_value(name, text) for name, text in parameters}
        result = run_report(notebook, values, out=out_dir, db=db, timeout=timeout)
    except ParameterError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write briefings under {out_dir or 'reports/'}: {exc.strerror or exc}: choose another --out")
    if not result.ok:
        fail(f"briefing {result.notebook} failed: {result.error} (details in {result.folder / 'run.json'})", code=1)
    click.echo(str(result.html))


@main.command(
    "read",
    epilog="\b\nExample:\n  regmetrics read data/raw/000_51d59f3b833229c2.txt --body\n"
    "  regmetrics read data/raw",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--body", is_flag=True, help="Also print each body span [start:end] (page furniture left out).")
def read_cmd(paths: tuple[str, ...], body: bool) -> None:
    """Show what regmetrics reads from documents: format, encoding, title, publisher, region, date, genre."""
    from metrics.documents import DocumentError, describe

    failed = False
    for path in expand_or_report(paths):
        try:
            click.echo(describe(path, body=body))
        except DocumentError as exc:
            click.echo(f"regmetrics: cannot read {path}: {exc.reason}", err=True)
            failed = True
    if failed:
        sys.exit(1)
