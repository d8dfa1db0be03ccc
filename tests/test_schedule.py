"""The shipped reports/schedule.yml must render on the bundled sample data: every entry's parameters
validate against the ingested database, so the nightly run does not fail out of the box."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import params, paths, report


@pytest.mark.slow
@pytest.mark.parametrize("entry", report.read_schedule(paths.REPORTS_DIR / "schedule.yml"), ids=lambda e: e.name)
def test_shipped_schedule_entries_have_data(entry: report.ScheduleEntry, sample_db: Path) -> None:
    given = params.declared_parameters(entry.notebook) | dict(entry.parameters) | {"db": str(sample_db)}
    resolved = params.validate(given, entry.notebook)
    assert resolved.db == str(sample_db)
