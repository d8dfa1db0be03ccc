"""read_document(): formats, detected encodings and one-line reasons for unreadable files."""

from __future__ import annotations

import hashlib
import re
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from metrics.documents import DocumentError, decode_text, read_document
from metrics.paths import RAW_DIR
from metrics.prepare import prepare

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "documents"))
from make_pdf import build_empty_pdf, build_pdf  # noqa: E402

REPORT = (
    "福建省市场监管局发布2023年上半年食品安全监督抽检情况的通告。\n"
    "上半年共监督抽检33大类食品10611批次，其中不合格样品195批次，总体合格率98.16%。\n"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (REPORT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + REPORT.encode("utf-8"), "utf-8-sig"),
        (REPORT.encode("gb18030"), "gb18030"),
        (REPORT.encode("gbk"), "gb18030"),
        (REPORT.encode("gb2312"), "gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "gb2312"],
)
def test_same_text_from_each_encoding(tmp_path: Path, data: bytes, encoding: str) -> None:
    doc = read_document(_write(tmp_path, "report.txt", data))
    assert doc.text == REPORT
    assert doc.encoding == encoding
    assert doc.format == "txt"
    assert doc.name == "report.txt"
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


def test_short_gbk_text_is_read_as_gb18030_not_big5() -> None:
    assert decode_text("合格率98%".encode("gbk")) == ("合格率98%", "gb18030")


def test_big5_traditional_text_is_stored_as_written_and_folded_for_matching(tmp_path: Path) -> None:
    text = "臺北市政府公佈食品監督抽檢結果，抽檢１２３批次，監督抽檢合格率98.5%。"
    doc = read_document(_write(tmp_path, "tw.txt", text.encode("big5")))
    assert doc.encoding == "big5"
    assert doc.text == text
    prep = prepare(doc.text)
    assert "监督抽检合格率98.5%" in prep.norm
    assert len(prep.norm) == len(doc.text)


def test_crlf_line_ends_become_newlines(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, "crlf.txt", REPORT.replace("\n", "\r\n").encode("gbk")))
    assert doc.text == REPORT


HTML = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>福建省抽检通告_福建省市场监督管理局</title>
<style>p { color: red }</style><script>var hits = "浏览次数 12345";</script></head>
<body><nav><a href="/">首页</a> <a href="/news">新闻中心</a></nav>
<header>福建省市场监督管理局门户网站</header>
<div class="article"><h1>福建省市场监管局发布上半年抽检通告</h1>
<p>上半年共监督抽检<b>10611</b>批次，<span>总体合格率98.16%</span>。</p>
<p>水产制品合格率96.57%；<br>酒类合格率96.72%。</p>
<table><tr><td>餐饮食品</td><td>984批次</td></tr></table></div>
<footer>版权所有 福建省市场监督管理局</footer></body></html>"""


def test_html_with_meta_gbk_keeps_blocks_and_drops_scripts_and_navigation(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, "notice.html", HTML.encode("gbk")))
    assert doc.encoding == "gb18030"
    assert doc.format == "html"
    assert doc.title_hint == "福建省市场监管局发布上半年抽检通告"
    lines = doc.text.split("\n")
    assert lines == [
        "福建省市场监管局发布上半年抽检通告",
        "上半年共监督抽检10611批次，总体合格率98.16%。",
        "水产制品合格率96.57%；",
        "酒类合格率96.72%。",
        "餐饮食品\t984批次",
    ]
    for dropped in ("浏览次数", "首页", "新闻中心", "门户网站", "版权所有", "color"):
        assert dropped not in doc.text


def test_html_link_lists_are_dropped_but_prose_list_items_kept(tmp_path: Path) -> None:
    page = """<html><body><div class="main"><h1>福建省抽检通告</h1>
<ul class="content"><li>上半年共监督抽检10611批次，详见<a href="/a.pdf">附件</a>。</li>
<li>水产制品合格率96.57%。</li></ul></div>
<div class="side"><h3>相关新闻</h3><ul>
<li><a href="/1">市场监管总局举办2024年“质量安全第一课”活动</a><span>2024-09-15</span></li>
<li><a href="/2">中国与丹麦签署有机产品合作谅解备忘录</a></li></ul></div></body></html>"""
    doc = read_document(_write(tmp_path, "links.html", page.encode("utf-8")))
    assert doc.text.split("\n") == [
        "福建省抽检通告",
        "上半年共监督抽检10611批次，详见附件。",
        "水产制品合格率96.57%。",
        "相关新闻",
    ]


def test_html_declared_gbk_but_saved_as_utf8_is_read_as_utf8(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, "stale.html", HTML.encode("utf-8")))
    assert doc.encoding == "utf-8"
    assert "总体合格率98.16%" in doc.text


def test_html_without_meta_charset_is_detected_and_title_taken_from_title_tag(tmp_path: Path) -> None:
    page = "<html><head><title>抽检通告 - 某市场监管局</title></head><body><p>" + REPORT + "</p></body></html>"
    doc = read_document(_write(tmp_path, "plain.htm", page.encode("gb18030")))
    assert doc.encoding == "gb18030"
    assert doc.title_hint == "抽检通告"
    assert "总体合格率98.16%" in doc.text


def test_docx_paragraphs_and_table_rows_in_order(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("2023年上半年食品安全监督抽检情况", level=0)
    d.add_paragraph("上半年共监督抽检10611批次，总体合格率98.16%。")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "类别", "批次"
    table.cell(1, 0).text, table.cell(1, 1).text = "水产制品", "467"
    d.add_paragraph("对不合格产品依法处置。")
    path = tmp_path / "report.docx"
    d.save(path)
    doc = read_document(path)
    assert doc.format == "docx"
    assert doc.title_hint == "2023年上半年食品安全监督抽检情况"
    assert doc.text.split("\n") == [
        "2023年上半年食品安全监督抽检情况",
        "上半年共监督抽检10611批次，总体合格率98.16%。",
        "类别\t批次",
        "水产制品\t467",
        "对不合格产品依法处置。",
    ]


def test_pdf_text_layer_with_chinese(tmp_path: Path) -> None:
    lines = ["福建省市场监管局发布抽检通告", "共监督抽检10611批次，合格率98.16%。"]
    doc = read_document(_write(tmp_path, "notice.pdf", build_pdf(lines, title="抽检通告")))
    assert doc.format == "pdf"
    assert doc.text == "\n".join(lines)
    assert doc.title_hint == "抽检通告"


def test_pdf_hard_wrapped_paragraphs_are_joined_but_headings_and_table_rows_kept(tmp_path: Path) -> None:
    page = [
        "2023年上半年食品安全监督抽检情况",
        "上半年，全省市场监管部门共监督抽检食品10611批次，其中合",
        "格样品10416批次、不合格样品195批次，总体合格率98.16%，同",
        "比提高0.3个百分点。",
        "对不合格产品，各地已依法处置并督促企业召回下架，防控食",
        "品安全风险。",
        "类别  抽检批次  合格率  不合格批次  说明",
        "水产制品  467  96.57%  16  农兽药残留超标",
    ]
    doc = read_document(_write(tmp_path, "wrapped.pdf", build_pdf(page)))
    assert doc.text.split("\n") == [
        "2023年上半年食品安全监督抽检情况",
        "上半年，全省市场监管部门共监督抽检食品10611批次，其中合格样品10416批次、不合格样品195批次，"
        "总体合格率98.16%，同比提高0.3个百分点。",
        "对不合格产品，各地已依法处置并督促企业召回下架，防控食品安全风险。",
        "类别  抽检批次  合格率  不合格批次  说明",
        "水产制品  467  96.57%  16  农兽药残留超标",
    ]


def test_committed_sample_pdf_reads(tmp_path: Path) -> None:
    sample = Path(__file__).parent / "fixtures" / "documents" / "sample.pdf"
    doc = read_document(sample)
    assert "合格率98.16%" in doc.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary file (contains NUL bytes), not text"),
        ("junk.txt", b"\x80\xff\xfe\x81" * 300, "not valid UTF-8 or GB18030 text"),
        ("sheet.xls", b"\xd0\xcf\x11\xe0", "unsupported file type .xls"),
        ("scan.pdf", build_empty_pdf(), "PDF has no text layer (scanned?)"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "corrupt PDF"),
        ("fake.pdf", b"this is not a pdf", "corrupt PDF: no %PDF header"),
        ("broken.docx", b"not a zip at all", "corrupt docx: not a zip file"),
    ],
)
def test_unreadable_files_give_one_clear_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(DocumentError) as info:
        read_document(path)
    err = info.value
    assert err.reason.startswith(reason)
    assert "\n" not in err.reason
    # and says what to do next: the advice follows the reason after a colon
    assert re.search(r"[:;] (fetch|give|save|run|open|use) [^:;]+$", err.reason), err.reason
    assert err.path == path
    assert str(err) == f"{path}: {err.reason}"


def test_zip_that_is_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(DocumentError, match="corrupt docx"):
        read_document(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        read_document(tmp_path / "nothing.txt")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(DocumentError, match="folder"):
        read_document(folder)


@pytest.mark.parametrize("path", sorted(RAW_DIR.glob("*.txt")), ids=lambda p: p.name)
def test_every_sample_reads_as_utf8_unchanged(path: Path) -> None:
    doc = read_document(path)
    assert doc.encoding == "utf-8"
    assert doc.text == path.read_text(encoding="utf-8")


def test_sources_table_lists_every_sample_with_title_publisher_source_and_licence() -> None:
    import csv

    with (RAW_DIR / "SOURCES.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["file"] for r in rows] == sorted(p.name for p in RAW_DIR.glob("*.txt"))
    for row in rows:
        assert all(row[k].strip() for k in ("title", "publisher", "source", "licence")), row["file"]
        if row["file"].startswith("crud-"):
            assert row["licence"] == "Apache-2.0" and "CRUD_RAG" in row["source"]


def test_read_command_prints_what_is_read_and_fails_on_a_bad_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from metrics.cli import main

    good = _write(tmp_path, "a.txt", "发布时间: 2023-08-02\n福建省市场监管局抽检通告\n共抽检10611批次。\n关闭打印 置顶\n".encode("gbk"))
    bad = _write(tmp_path, "b.txt", b"")
    result = CliRunner().invoke(main, ["read", str(good), str(bad), "--body"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "a.txt",
        "  format     txt (gb18030), 50 chars, body 23 chars in 2 spans",
        "  title      福建省市场监管局抽检通告",
        "  publisher  福建省市场监管局",
        "  region     350000 福建省",
        "  published  2023-08-02 (field)",
        "  genre      other",
        "  [17:29] 福建省市场监管局抽检通告",
        "  [30:41] 共抽检10611批次。",
    ]
    assert result.stderr == f"regmetrics: cannot read {bad}: empty file: fetch the report again or remove it\n"


def test_missing_path_without_a_suffix_is_missing_not_unsupported(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as info:
        read_document(tmp_path / "reports")
    assert info.value.reason == "no such file or folder: check the path"
