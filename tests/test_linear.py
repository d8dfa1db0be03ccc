"""Extraction work grows linearly with the document: a pathological input twice as long costs about twice
the work (characters handed to the regex engine and Python lines run, counted by tests/work_meter.py),
where a step that looks back over all the earlier numbers of a sentence would cost four times as much.
Work is counted, not timed: the ratios do not depend on the machine or its load."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

METER = Path(__file__).with_name("work_meter.py")
N = 600  # numbers in the smaller input; 1,200 in the larger (both longer than a sentence piece)
LINEAR = 2.3  # doubling the input may cost at most this much more (quadratic steps cost ~4x)


def _work(kind: str, n: int) -> dict[str, int]:
    out = subprocess.run([sys.executable, str(METER), kind, str(n)], capture_output=True, text=True,
                         check=True, timeout=600)
    return json.loads(out.stdout)


@pytest.mark.parametrize("kind", ["bare_run", "trigger_run", "sampling_run", "lines", "list_run"])
def test_doubling_a_pathological_input_doubles_the_work(kind: str) -> None:
    small, large = _work(kind, N), _work(kind, 2 * N)
    for what in ("chars", "lines"):
        ratio = large[what] / small[what]
        assert ratio <= LINEAR, f"{kind}: {what} grew {ratio:.2f}x for a doubled input ({small} -> {large})"
    assert large["figures"] >= small["figures"]


def test_the_issue_repro_has_bounded_sentences_and_no_figures() -> None:
    """The issue's 10,000-number sentence: no figure (nothing announces the numbers), read in pieces."""
    from metrics.context import MAX_SENTENCE, Doc
    from metrics.extract import extract_text
    from metrics.metadata import read_metadata
    from metrics.prepare import prepare

    text = "浙江省市场监管局：" + "，".join(f"{i}件" for i in range(10000))
    assert extract_text(text).figures == []
    prep = prepare(text)
    d = Doc(prep, read_metadata(prep), None)
    spans = {d.sentence(p) for p in range(0, len(text), 97)}
    assert max(e - s for s, e in spans) <= MAX_SENTENCE
    assert all(d.clause_start(p) >= d.sentence(p)[0] for p in range(0, len(text), 97))
    # the pieces tile the sentence: consecutive, no gaps
    ordered = sorted(spans)
    assert all(a[1] == b[0] for a, b in zip(ordered, ordered[1:], strict=False))


def test_a_long_list_keeps_every_figure_of_its_first_piece() -> None:
    """Figures of a trigger-led run are found up to the first piece's end, with quotes no longer than it."""
    from metrics.context import MAX_SENTENCE
    from metrics.extract import extract_text

    text = "2023年，浙江省市场监管局受理投诉" + "、".join(f"{i}件" for i in range(1, 3000))  # complaints need a regulator
    figs = extract_text(text).figures
    assert figs and all(f.metric == "complaints" for f in figs)
    assert [f.value for f in figs[:5]] == [1, 2, 3, 4, 5]
    assert max(len(f.quote) for f in figs) <= MAX_SENTENCE
