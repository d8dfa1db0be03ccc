"""Provenance of every stored figure over data/raw: its token and quote are the stored text at its offsets,
so a reader can always find the number where the database says it is."""

from __future__ import annotations

from pathlib import Path

from metrics import paths
from metrics.query import connect


def test_every_figure_token_and_quote_sit_at_their_offsets_in_the_stored_text(sample_db: Path) -> None:
    con = connect(sample_db)
    try:
        texts = dict(con.execute("SELECT id, text FROM documents").fetchall())
        paths_stored = {p for (p,) in con.execute("SELECT path FROM documents").fetchall()}
        figures = {table: con.execute(
            f"SELECT doc_id, figure_key, token, quote, char_start, char_end, sentence_start, sentence_end "  # noqa: S608
            f"FROM {table}").fetchall() for table in ("figures_raw", "figures")}
    finally:
        con.close()
    raw_files = {f"data/raw/{p.name}" for p in paths.RAW_DIR.iterdir() if p.suffix == ".txt"}
    assert raw_files <= paths_stored, sorted(raw_files - paths_stored)
    assert figures["figures_raw"], "data/raw gave no figures"
    bad = []
    for table, rows in figures.items():
        for doc_id, key, token, quote, cs, ce, ss, se in rows:
            text = texts[doc_id]
            if not (0 <= ss <= cs < ce <= se <= len(text)):
                bad.append(f"{table} {key}: offsets {ss} <= {cs} < {ce} <= {se} not nested in {len(text)} chars")
            if text[cs:ce] != token:
                bad.append(f"{table} {key}: token {token!r} but text[{cs}:{ce}] is {text[cs:ce]!r}")
            if text[ss:se] != quote:
                bad.append(f"{table} {key}: quote {quote[:30]!r}… but text[{ss}:{se}] is {text[ss:se][:30]!r}…")
    assert not bad, "\n".join(bad[:20])
