"""Where the project's folders are, so every command and notebook agrees on them."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_DATA = PACKAGE_DIR / "data"


def project_root() -> Path:
    """The checkout holding data/, notebooks/ and reports/ (REGMETRICS_HOME overrides)."""
    env = os.environ.get("REGMETRICS_HOME")
    if env:
        return Path(env).resolve()
    candidate = PACKAGE_DIR.parents[1]
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd()


ROOT = project_root()
RAW_DIR = ROOT / "data" / "raw"
PROCESSED_DIR = ROOT / "data" / "processed"
REFERENCE_DIR = ROOT / "data" / "reference"
DEFAULT_DB = PROCESSED_DIR / "regmetrics.duckdb"
CORRECTIONS_CSV = ROOT / "data" / "corrections.csv"
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"
