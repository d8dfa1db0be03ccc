"""Read a report file (.txt, .html/.htm, .pdf text layer, .docx) into the text all offsets point into.

Encodings are detected, never assumed: UTF-8 (with or without BOM) first, then charset-normalizer
restricted to the codecs Chinese reports use, with GBK/GB2312 decoded as their superset GB18030.
Traditional script is stored as written; prepare.py folds it to simplified for matching only.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from metrics.urls import URLError, is_url
from metrics.urls import name as url_name
from metrics.urls import read_bytes as read_url_bytes

SUPPORTED = {".txt": "txt", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}

# Codecs charset-normalizer may choose between for a Chinese report without a BOM.
_CANDIDATES = ["utf_8", "gb18030", "big5"]
# Detected names that GB18030 (a strict superset) decodes the same way.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "ms936", "euc_cn", "hz"}
# Share of control characters (other than tab/newline/CR/FF) above which a "text" is binary.
_MAX_CONTROL_SHARE = 0.01

# PDF line unwrapping: a line at least this share of the page's full width that does not end a
# sentence continues on the next line; pages with narrower full lines (tables) are left alone.
_WRAP_SHARE = 0.85
_MIN_WRAP_WIDTH = 20
_PARAGRAPH_END = tuple("。！？!?：:；;…”")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uff0c\u3001]")

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_BLANK_LINES_RE = re.compile(r"\n[ \t\u3000\u00a0]*(?:\n[ \t\u3000\u00a0]*)+")
_HSPACE_RE = re.compile(r"[ \t\r\f\v\u00a0]+")

_DROP_TAGS = "script, style, noscript, template, nav, header, footer, aside, iframe, form, select, button, svg"
_BLOCK_TAGS = frozenset(
    "address article blockquote body caption center dd details dialog div dl dt fieldset figcaption figure "
    "h1 h2 h3 h4 h5 h6 hr li main ol p pre section summary table tbody thead tfoot tr ul title".split()
)
_CELL_TAGS = frozenset({"td", "th"})
# Characters a link list item may carry besides its link (a date such as "2024-09-15" or "[09-15]").
_LINK_ITEM_REST = 14


class DocumentError(Exception):
    """A file that cannot be read as a report; `reason` is one human line saying why."""

    def __init__(self, path: Path | str, reason: str) -> None:  # a URL stays a str
        self.path = path if is_url(path) else Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(slots=True)
class RawDocument:
    """A file's stored text and where it came from; every character offset points into `text`.

    encoding is the codec the bytes were decoded with ("utf-8", "utf-8-sig", "gb18030", "big5",
    "utf-16"), or "" for PDF and DOCX, whose containers carry their own text encoding.
    """

    path: Path | str
    name: str
    text: str
    format: str
    encoding: str
    sha256: str
    title_hint: str | None


def read_document(path: Path | str) -> RawDocument:
    """Read one report file (a local path or an fsspec URL); raises DocumentError with a one-line reason."""
    if is_url(path):
        name = url_name(str(path))
    else:
        path = Path(path)
        if not path.exists() and not path.is_symlink():
            raise DocumentError(path, "no such file or folder: check the path")
        name = path.name
    suffix = Path(name).suffix.lower()
    fmt = SUPPORTED.get(suffix)
    if fmt is None:
        raise DocumentError(path, f"unsupported file type {suffix or '(no extension)'}; "
                                  f"use one of {', '.join(sorted(SUPPORTED))}")
    try:
        data = read_url_bytes(path) if isinstance(path, str) else path.read_bytes()
    except URLError as exc:
        raise DocumentError(path, str(exc)) from None
    except IsADirectoryError:
        raise DocumentError(path, "is a folder, not a file") from None
    except FileNotFoundError:
        raise DocumentError(path, "no such file") from None
    except OSError as exc:
        raise DocumentError(path, f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise DocumentError(path, "empty file: fetch the report again or remove it")
    readers = {"txt": _read_txt, "html": _read_html, "pdf": _read_pdf, "docx": _read_docx}
    text, encoding, title_hint = readers[fmt](path, data)
    text = _tidy(text)
    if not text.strip():
        raise DocumentError(path, f"no text in this {fmt.upper()} file")
    return RawDocument(
        path=path, name=name, text=text, format=fmt, encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(), title_hint=title_hint,
    )


def decode_text(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode report bytes: BOM or strict UTF-8 first, then a detected GB18030/Big5; (text, codec)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", path, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", path, "utf-16")
    if b"\x00" in data:
        raise DocumentError(path, "binary file (contains NUL bytes), not text: give the report itself or rename it to its real type")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _check_text(text, path), "utf-8"
    codec = _detect(data)
    if codec is None:
        raise DocumentError(path, "not valid UTF-8 or GB18030 text: save it as UTF-8")
    return _strict(data, codec, path, codec)


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    matches = [m.encoding.lower() for m in from_bytes(data, cp_isolation=_CANDIDATES)]
    # Short GBK texts can also pass as Big5; mainland reports are far more common, so GB wins a tie.
    for name in matches:
        if name in _GB_FAMILY:
            return "gb18030"
    return matches[0] if matches else None


def _strict(data: bytes, codec: str, path: Path | str, label: str) -> tuple[str, str]:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DocumentError(path, f"not valid {label} text (bad byte at offset {exc.start}): save it as UTF-8") from None
    return _check_text(text, path), label


def _check_text(text: str, path: Path | str) -> str:
    controls = len(_CONTROL_RE.findall(text))
    if controls > max(2, _MAX_CONTROL_SHARE * len(text)):
        raise DocumentError(path, "binary file (control characters), not text: give the report itself or rename it to its real type")
    return text


def _tidy(text: str) -> str:
    """One newline convention and no leading BOM; nothing else is changed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[1:] if text.startswith("\ufeff") else text


def _read_txt(path: Path, data: bytes) -> tuple[str, str, str | None]:
    text, encoding = decode_text(data, path)
    return text, encoding, None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _html_codec(data: bytes) -> str | None:
    m = _META_CHARSET_RE.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii").lower().replace("_", "-")
    if name.replace("-", "") in {"gb2312", "gbk", "gb18030", "cp936", "xgbk"}:
        return "gb18030"
    if name.replace("-", "") in {"utf8"}:
        return "utf-8"
    return name


def _read_html(path: Path, data: bytes) -> tuple[str, str, str | None]:
    from selectolax.lexbor import LexborHTMLParser

    codec = None if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) else _html_codec(data)
    if codec is not None and codec != "utf-8" and _is_utf8(data):
        # Chinese GBK text is practically never valid UTF-8, so valid UTF-8 beats a stale meta tag.
        codec = "utf-8"
    if codec is not None:
        try:
            html = data.decode(codec)
            encoding = codec
        except (UnicodeDecodeError, LookupError):
            html, encoding = decode_text(data, path)
    else:
        html, encoding = decode_text(data, path)
    tree = LexborHTMLParser(html)
    title_hint = _html_title(tree)
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    for item in tree.css("li"):
        if _is_link_item(item):
            item.decompose()
    root = tree.body or tree.root
    if root is None:
        raise DocumentError(path, "HTML has no body")
    return _html_text(root), encoding, title_hint


def _html_title(tree: object) -> str | None:
    for selector in ("h1", "title"):
        node = tree.css_first(selector)  # type: ignore[attr-defined]
        if node is not None:
            title = " ".join(node.text(deep=True).split())
            if selector == "title":
                # "标题_网站名" / "标题 - 网站名": the page title leads.
                title = re.split(r"\s*(?:_|\s-\s|\||｜|——)\s*", title)[0]
            if title:
                return title
    return None


def _is_link_item(item: object) -> bool:
    """A list item that is a link (plus perhaps its date): a sidebar or related-news entry, not prose."""
    text = "".join(item.text(deep=True).split())  # type: ignore[attr-defined]
    if not text:
        return True
    linked = "".join("".join(a.text(deep=True).split()) for a in item.css("a"))  # type: ignore[attr-defined]
    rest = len(text) - len(linked)
    return bool(linked) and rest <= _LINK_ITEM_REST


def _html_pieces(root: object) -> Iterator[str]:
    """Text nodes in document order, with a newline around each block and a tab after each cell."""
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag  # type: ignore[attr-defined]
        if closing:
            yield "\n" if tag in _BLOCK_TAGS else "\t"
            continue
        if node.is_text_node:  # type: ignore[attr-defined]
            yield _HSPACE_RE.sub(" ", node.text_content or "")  # type: ignore[attr-defined]
            continue
        if tag == "br":
            yield "\n"
            continue
        if tag in _BLOCK_TAGS:
            yield "\n"
        if tag in _BLOCK_TAGS or tag in _CELL_TAGS:
            stack.append((node, True))
        kids = []
        child = node.child  # type: ignore[attr-defined]
        while child is not None:
            if child.is_element_node or child.is_text_node:
                kids.append(child)
            child = child.next
        stack.extend((k, False) for k in reversed(kids))


def _html_text(root: object) -> str:
    """Visible text with block elements on their own lines and table cells separated by tabs."""
    text = "".join(_html_pieces(root))
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r"\t+", "\t", text)
    return _BLANK_LINES_RE.sub("\n", text).strip()


def _read_pdf(path: Path, data: bytes) -> tuple[str, str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.lstrip().startswith(b"%PDF-"):
        raise DocumentError(path, "corrupt PDF: no %PDF header: fetch the file again")
    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # pypdf logs repairs of sloppy files as warnings; the reason goes in the error
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(path, "PDF is encrypted with a password: save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata else None
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(path, f"corrupt PDF: {_one_line(exc)}: fetch the file again") from None
    finally:
        quiet.setLevel(level)
    if not pages:
        raise DocumentError(path, "PDF has no pages")
    text = "\n".join(unwrap_lines(p.strip("\n")) for p in pages)
    if not text.strip():
        raise DocumentError(path, "PDF has no text layer (scanned?): run OCR on it first")
    title = meta_title.strip() if isinstance(meta_title, str) and meta_title.strip() else None
    return text, "", title


def unwrap_lines(page: str) -> str:
    """Join a PDF page's hard-wrapped lines back into paragraphs ("抽检10611" + "批次" -> one line).

    A line is a wrap when it is nearly as long as the page's full lines and does not end a sentence;
    headings and the last line of a paragraph are shorter, so they keep their line break.
    """
    lines = page.split("\n")
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if len(lengths) < 3:
        return page
    full = lengths[int(0.9 * (len(lengths) - 1))]
    out: list[str] = []
    for line in lines:
        if out and _wraps(out[-1], full):
            prev = out[-1].rstrip()
            nxt = line.lstrip()
            glue = " " if prev[-1:].isascii() and prev[-1:].isalnum() and nxt[:1].isascii() and nxt[:1].isalpha() else ""
            out[-1] = prev + glue + nxt
        else:
            out.append(line)
    return "\n".join(out)


def _wraps(line: str, full: int) -> bool:
    stripped = line.strip()
    if full < _MIN_WRAP_WIDTH or len(stripped) < _WRAP_SHARE * full or stripped.endswith(_PARAGRAPH_END):
        return False
    if "\t" in stripped or "  " in stripped:
        return False  # a table row: cells stay on their own lines
    return len(_CJK_RE.findall(stripped)) >= 0.5 * len(stripped)


def _read_docx(path: Path, data: bytes) -> tuple[str, str, str | None]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentError(path, "corrupt docx: not a zip file: open and re-save it in Word")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DocumentError(path, f"corrupt docx: {_one_line(exc)}: open and re-save it in Word") from None
    except Exception as exc:  # lxml raises its own XMLSyntaxError for a damaged document.xml
        raise DocumentError(path, f"corrupt docx: {_one_line(exc)}: open and re-save it in Word") from None
    lines: list[str] = []
    title: str | None = None
    for block in document.iter_inner_content():
        if isinstance(block, docx.text.paragraph.Paragraph):
            lines.append(block.text)
            style = (block.style.name if block.style is not None else "") or ""
            if title is None and block.text.strip() and style.lower() in {"title", "heading 1"}:
                title = block.text.strip()
        else:
            lines.extend(_docx_rows(block))
    core_title = (document.core_properties.title or "").strip()
    return "\n".join(lines), "", core_title or title


def _docx_rows(table: object) -> Iterator[str]:
    """One line per table row, cells separated by tabs (a merged cell is given once)."""
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        last = None
        for cell in row.cells:
            if last is not None and cell._tc is last:
                continue
            last = cell._tc
            cells.append(" ".join(p.text for p in cell.paragraphs if p.text).strip())
        yield "\t".join(cells)


def _one_line(exc: BaseException) -> str:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    return msg[:160]


def describe(path: Path | str, body: bool = False) -> str:
    """What regmetrics reads from one file: format, metadata and, with body=True, each body span.

    Raises DocumentError like read_document. Used by `regmetrics read` to check furniture patterns.
    """
    from metrics.metadata import read_metadata
    from metrics.prepare import prepare

    raw = read_document(path)
    prep = prepare(raw.text)
    meta = read_metadata(prep, raw.name, raw.title_hint)
    n_body = sum(e - s for s, e in prep.body)
    region = f"{meta.region.code} {meta.region.name}" if meta.region else "-"
    published = f"{meta.published_on.isoformat()} ({meta.date_source})" if meta.published_on else "- (none)"
    lines = [
        raw.name,
        f"  format     {raw.format}{f' ({raw.encoding})' if raw.encoding else ''}, {len(raw.text)} chars, "
        f"body {n_body} chars in {len(prep.body)} spans",
        f"  title      {meta.title or '-'}",
        f"  publisher  {meta.publisher or '-'}",
        f"  region     {region}",
        f"  published  {published}",
        f"  genre      {meta.genre}",
    ]
    if body:
        lines.extend(f"  [{s}:{e}] {raw.text[s:e]}" for s, e in prep.body)
    return "\n".join(lines)
