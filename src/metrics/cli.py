"""The `regmetrics` command: a thin shell over the library, one function call per command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from metrics import __version__

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")


def expand_paths(paths: tuple[str, ...] | list[str]) -> list[Path]:
    """Files named, plus the supported files inside named folders (recursively, sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            out.append(p)
    return out


def fail(message: str, code: int = 2) -> None:
    """Print one error line to stderr and exit."""
    click.echo(f"regmetrics: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="regmetrics")
def main() -> None:
    """Headline figures from Chinese market-regulation reports: extract, ingest, query, brief."""


@main.command(
    epilog="\b\nExample:\n  regmetrics extract data/raw --format table\n"
    "  regmetrics extract report.pdf notes.docx --format jsonl > figures.jsonl"
)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "table"]), default="jsonl",
              show_default=True, help="Output format, one record per figure.")
def extract(paths: tuple[str, ...], fmt: str) -> None:
    """Extract every headline figure from documents (files or folders) to stdout."""
    from metrics.output import write_records
    from metrics.pipeline import extract_paths

    records, failures = extract_paths(expand_paths(paths), on_error=lambda p, why: click.echo(
        f"regmetrics: cannot read {p}: {why}", err=True))
    write_records(records, fmt, sys.stdout)
    if failures:
        sys.exit(1)
