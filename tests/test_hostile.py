"""A hostile folder (issue 9), generated here: odd encodings, binaries, corrupt files, markup, huge files
and pathological runs of numbers. `regmetrics ingest` on it finishes, publishes every good file's figures
and names every bad file with a one-line reason, the one over the size budget recorded as not extracted."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from metrics import query, store

REGMETRICS = Path(sys.executable).with_name("regmetrics")
HEAD = "浙江省市场监督管理局\n发布时间：2024-01-15\n"


def _write_hostile(d: Path) -> dict[str, object]:
    """Write the folder; return, per file name, its expected figures (metric, value) or its reason."""
    expect: dict[str, object] = {}

    def text(name: str, body: str, encoding: str, value: int) -> None:
        (d / name).write_bytes((HEAD + body).encode(encoding))
        expect[name] = [("complaints", Decimal(value))]

    text("gbk.txt", "2023年，全省共受理消费者投诉举报1111件。\n", "gbk", 1111)
    text("bom.txt", "2023年，全省共受理消费者投诉举报2222件。\n", "utf-8-sig", 2222)
    text("utf16.txt", "2023年，全省共受理消费者投诉举报3333件。\n", "utf-16", 3333)
    (d / "binary.txt").write_bytes(bytes(range(256)) * 64)
    expect["binary.txt"] = "binary file (contains NUL bytes), not text: give the report itself or rename it to its real type"
    (d / "empty.txt").write_bytes(b"")
    expect["empty.txt"] = "empty file: fetch the report again or remove it"
    (d / "corrupt.docx").write_bytes(b"PK\x03\x04 this is no zip archive at all")
    expect["corrupt.docx"] = "corrupt docx: not a zip file: open and re-save it in Word"
    with zipfile.ZipFile(d / "hollow.docx", "w") as z:  # a zip, but no word/document.xml in it
        z.writestr("hello.txt", "not a document")
    expect["hollow.docx"] = "corrupt docx:"
    (d / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Ty")
    expect["truncated.pdf"] = "corrupt PDF:"
    (d / "markup.html").write_text(
        "<html><head><title>浙江省市场监管局通报</title><script>var x = '受理投诉9999件';</script>"
        "<style>p{color:red}</style></head><body><nav>首页 | 通知公告</nav><p>发布时间：2024-01-15</p>"
        "<p>2023年，全省共受理消费者投诉举报4444件。</p><script>document.write('罚没款8888元')</script>"
        "</body></html>", encoding="utf-8")
    expect["markup.html"] = [("complaints", Decimal(4444))]
    (d / "nested.html").write_text(
        "<html><body>" + "<div>" * 50_000 + "<p>2023年，全省共受理消费者投诉举报5555件。</p>"
        + "</div>" * 50_000 + "</body></html>", encoding="utf-8")
    expect["nested.html"] = [("complaints", Decimal(5555))]
    with (d / "huge.txt").open("w", encoding="utf-8") as fh:  # 60 MB: over the default size budget
        fh.write(HEAD + "2023年，全省共受理消费者投诉举报6666件。\n")
        chunk = "今天的天气很好，市民们纷纷走出家门。" * 1000
        for _ in range(60_000_000 // len(chunk.encode("utf-8")) + 1):
            fh.write(chunk)
    expect["huge.txt"] = "over the size budget of 32 MB: raise --max-mb to extract it"
    (d / "longline.txt").write_text(  # one 2 MB line, the figure at its start
        HEAD + "2023年，全省共受理消费者投诉举报7777件，" + "群众反映的问题得到及时处理，" * 50_000, encoding="utf-8")
    expect["longline.txt"] = [("complaints", Decimal(7777))]
    (d / "numbers.txt").write_text(  # the run of numbers, 300,000 of them: nothing announces them
        "浙江省市场监管局：" + "，".join(f"{i}件" for i in range(300_000)), encoding="utf-8")
    expect["numbers.txt"] = []
    return expect


@pytest.mark.slow
def test_the_hostile_folder_ingests_and_names_every_bad_file(tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    expect = _write_hostile(folder)
    db = tmp_path / "hostile.duckdb"
    t0 = time.monotonic()
    done = subprocess.run([str(REGMETRICS), "ingest", str(folder), "--db", str(db),
                           "--corrections", str(tmp_path / "none.csv")],
                          capture_output=True, text=True, timeout=600, check=False)
    seconds = time.monotonic() - t0
    assert done.returncode == 1, done.stderr  # some files could not be read
    lines = done.stderr.splitlines()
    bad = {n: why for n, why in expect.items() if isinstance(why, str)}
    for name, why in bad.items():
        path = store.display_path(folder / name)
        mine = [ln for ln in lines if f" {path}: " in ln]
        assert len(mine) == 1 and why in mine[0], (name, mine)
    assert lines[-1] == (f"regmetrics: {len(bad)} of {len(expect)} files could not be read or were over budget "
                         "(listed above); the others were published")
    con = store.connect_readonly(db)
    try:
        docs = dict(con.execute("SELECT name, n_figures FROM documents").fetchall())
        figures = con.execute("SELECT doc, metric, value FROM figures ORDER BY doc, char_start").fetchall()
    finally:
        con.close()
    assert set(docs) == {n for n, why in expect.items() if not isinstance(why, str)}
    for name, want in expect.items():
        if not isinstance(want, str):
            assert [(m, v) for d, m, v in figures if d == name] == want, name
    cov = query.coverage(db=db)
    left = cov.filter(cov["period_kind"] == "not_extracted")
    assert left["doc_path"].to_list() == [store.display_path(folder / "huge.txt")]
    print(f"hostile folder: {len(expect)} files ingested in {seconds:.1f} s")
