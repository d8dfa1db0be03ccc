"""The pre-check: a document in which no figure-announcing phrase occurs is skipped, and skipping it
never changes what is extracted."""

from __future__ import annotations

from pathlib import Path

import pytest

import metrics.extract as extract_mod
from metrics.catalogue import catalogue
from metrics.documents import read_document
from metrics.paths import RAW_DIR
from metrics.precheck import Gate, _factors, cue_patterns, gate
from metrics.prepare import prepare
from metrics.unwrap import unwrap

ROOT = Path(__file__).resolve().parents[1]


class _Open:
    def can_hold(self, text: str) -> bool:
        return True


@pytest.mark.parametrize(("pattern", "needs"), [
    ("罚没款|罚没金额|罚没|罚款金额|罚款", {"罚"}),
    ("(?:投诉|举报)[^,，;；。、\\d]{0,12}线索", {"线索"}),
    ("合格率(?<!不合格率)", {"合格率"}),
    ("挽回[^,，;；。\\d]{0,12}损失|挽损", {"挽"}),
    ("抽检", {"抽检"}),
])
def test_every_match_holds_one_of_the_literals(pattern: str, needs: set[str]) -> None:
    from re import _parser
    assert _factors(_parser.parse(pattern)) == needs


def test_the_gate_reads_the_catalogue_phrases() -> None:
    g = gate()
    assert g.exact and g.width is not None
    assert g.can_hold("2020年，福建省罚没款1元。") and g.can_hold("共抽检食品12批次")
    assert not g.can_hold("今天天气很好，我们去公园玩了3次，花了200元。")
    # a phrase split by a hard wrap is found in the unwrapped text the classifier reads
    assert g.can_hold(unwrap(prepare("\n".join(["全市共受理消费者投"] + ["诉举报1200件，同比增长3%"] * 7)))[0].norm)


def test_a_phrase_anywhere_in_a_long_text_is_found() -> None:
    g = Gate(cue_patterns(catalogue()))
    filler = "今天天气很好，大家一起去公园散步。" * 500
    for phrase in ("罚没款", "受理投诉", "新登记市场主体", "挽回经济损失", "合格率"):
        assert g.can_hold(filler + phrase + "12件" + filler), phrase
    assert not g.can_hold(filler)


def _docs() -> list[Path]:
    folders = [RAW_DIR, ROOT / "tests" / "heldout" / "docs", ROOT / "tests" / "heldout2" / "docs",
               ROOT / "tests" / "heldout4" / "docs"]
    from metrics.cli import expand_paths
    return expand_paths([str(f) for f in folders])


def test_skipping_never_changes_the_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """On every sample and held-out document (and on texts the gate rejects), extraction with the gate
    and without it gives the same figures."""
    texts = [read_document(p).text for p in _docs()]
    texts += ["今天天气很好，我们去公园玩了3次，花了200元。", "全市新增就业1.2万人，同比增长3%。"]
    with_gate = [[f.to_record() for f in extract_mod.extract_text(t).figures] for t in texts]
    monkeypatch.setattr(extract_mod, "gate", lambda: _Open())
    without = [[f.to_record() for f in extract_mod.extract_text(t).figures] for t in texts]
    assert with_gate == without
    assert sum(map(len, with_gate)) > 500
