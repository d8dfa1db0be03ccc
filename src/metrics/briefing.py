"""Briefing HTML: escaped tables and text for notebooks, and the offline, CSP-locked export of a run.

Report text is untrusted. Notebooks never build Markdown from it; they call `show_table`/`show_text`,
which emit HTML escaped here. After nbconvert, `secure_html` drops every remote or empty script,
embeds nothing from the network and adds a Content-Security-Policy that lets only the page's own
inline scripts (by hash) run, so an `<img onerror>` that slipped through still cannot execute.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Notebook output mimetype carrying the figure records behind a table; nbconvert ignores it in HTML,
# report.py collects it from executed.ipynb into figures.csv.
FIGURES_MIMETYPE = "application/vnd.regmetrics.figures+json"

PLOTLY_MARKER = "* plotly.js v"
CSP_BASE = ("default-src 'none'", "style-src 'unsafe-inline'", "img-src data:", "font-src data:",
            "base-uri 'none'", "form-action 'none'")

_SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_SRC_ATTR_RE = re.compile(r"""\bsrc\s*=""", re.I)
_TYPE_ATTR_RE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_EXEC_TYPES = ("", "text/javascript", "application/javascript", "module")


class BriefingError(RuntimeError):
    """An exported briefing would not open offline or safely."""


TABLE_CSS = ("table.regmetrics-table td,table.regmetrics-table th{text-align:left!important;vertical-align:top}"
             ".regmetrics-table caption{text-align:left;font-weight:bold}"
             ".regmetrics-table .c-region_name,.regmetrics-table .c-year,.regmetrics-table .c-value_text,.regmetrics-table .c-metric_name,"
             ".regmetrics-table .c-value_plain,.regmetrics-table .c-unit,.regmetrics-table .c-period_label,"
             ".regmetrics-table .c-approx_text,.regmetrics-table .c-published_on{white-space:nowrap}"
             ".regmetrics-table .c-yoy_text{white-space:nowrap}.regmetrics-table td.c-doc_title{min-width:10em}"
             ".regmetrics-table td.c-quote{min-width:24em}.regmetrics-table td.c-subject{min-width:6em}")
NOTE_CSS = ("p.regmetrics-note{border-left:4px solid #d9a400;background:#fff8e1;padding:8px 12px;"
            "color:#333;max-width:60em}")


def esc(value: Any) -> str:
    """Text of any value, HTML-escaped (quotes too); None becomes ''."""
    return "" if value is None else html.escape(str(value), quote=True)


def table_html(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], *,
               caption: str = "", css_class: str = "regmetrics-table") -> str:
    """An HTML table of `rows`; `columns` are (key, header) pairs. Every cell and header is escaped."""
    cls = {key: f' class="c-{esc(re.sub(r"[^A-Za-z0-9_-]", "", str(key)))}"' for key, _ in columns}
    head = "".join(f"<th{cls[key]}>{esc(label)}</th>" for key, label in columns)
    body = []
    for r in rows:
        cells = "".join(f"<td{cls[key]}>{esc(r.get(key))}</td>" for key, _ in columns)
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f"<style>{TABLE_CSS}</style>"
            f'<table class="{esc(css_class)}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def text_html(text: str, *, tag: str = "p", css_class: str = "") -> str:
    """One paragraph of escaped text (line breaks kept)."""
    if tag not in ("p", "div", "li"):
        raise ValueError(f"text_html: tag {tag!r} not allowed: use p, div or li")
    attr = f' class="{esc(css_class)}"' if css_class else ""
    return f"<{tag}{attr}>" + "<br>".join(esc(line) for line in str(text).split("\n")) + f"</{tag}>"


def _display(bundle: dict[str, Any]) -> None:
    from IPython.display import display

    display(bundle, raw=True)


def show_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], *, caption: str = "",
               records: Iterable[dict[str, Any]] | None = None, css_class: str = "regmetrics-table") -> None:
    """Display an escaped table in a notebook; `records` (default: rows) travel along for figures.csv."""
    recs = [_jsonable(r) for r in (rows if records is None else records)]
    _display({"text/html": table_html(rows, columns, caption=caption, css_class=css_class),
              "text/plain": f"<table: {len(rows)} rows>", FIGURES_MIMETYPE: recs})


def show_text(text: str) -> None:
    """Display report-derived text as an escaped paragraph (never Markdown)."""
    _display({"text/html": text_html(text), "text/plain": text})


def note_html(text: str) -> str:
    """A highlighted, escaped paragraph standing in for a chart or table that has nothing to show."""
    return f"<style>{NOTE_CSS}</style>" + text_html(text, css_class="regmetrics-note")


def show_note(text: str) -> None:
    """Display `note_html(text)`: what is missing and what to do instead of an empty chart or table."""
    _display({"text/html": note_html(text), "text/plain": text})


def _jsonable(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in r.items():
        if v is None or isinstance(v, str | int | float | bool):
            out[k] = v
        else:
            out[k] = str(v)
    return out


def show_heading(text: str, level: int = 2) -> None:
    """Display an escaped heading built from data (a Markdown cell must never hold report text)."""
    level = min(max(level, 1), 4)
    _display({"text/html": f"<h{level}>{esc(text)}</h{level}>", "text/plain": text})


# Columns of the figure table every briefing shows: each number with its period, document and quote.
FIGURE_TABLE = (("region_name", "地区"), ("year", "年份"), ("metric_name", "指标"), ("value_text", "数值"),
                ("value_plain", "原始数值"), ("unit", "单位"), ("period_label", "期间"), ("approx_text", "约数"), ("yoy_text", "同比"),
                ("doc_title", "文件"), ("published_on", "发布日期"), ("quote", "原文"))
# The same for figures about one subject (食品类投诉 …): the subject sits next to the metric.
SCOPED_TABLE = FIGURE_TABLE[:3] + (("subject", "分项/口径"),) + FIGURE_TABLE[3:]


def figure_rows(frame: Any, metric_names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Display rows for query frames: formatted value, approx and YoY words; the source kept verbatim."""
    from metrics.summary import APPROX_WORDS, value_text, yoy_text

    names = metric_names or {}
    rows = frame.to_dicts() if hasattr(frame, "to_dicts") else list(frame)
    out = []
    for r in rows:
        v = r.get("value")
        out.append({
            **r,
            "metric_name": names.get(r.get("metric"), r.get("metric")),
            "value_text": value_text(None if v is None else float(v), r.get("unit") or "", r.get("approx") or ""),
            "value_plain": "" if v is None else _plain_number(float(v)),
            "approx_text": APPROX_WORDS.get(r.get("approx") or "", r.get("approx")) or "",
            "yoy_text": yoy_text(None if r.get("yoy_pct") is None else float(r["yoy_pct"])),
            "doc_title": r.get("doc_title") or r.get("doc_path") or "",
        })
    return out


def _plain_number(v: float) -> str:
    return str(int(v)) if v.is_integer() else format(v, ".6f").rstrip("0").rstrip(".")


def show_figures(frame: Any, metric_names: dict[str, str] | None = None, *, caption: str = "",
                 columns: Sequence[tuple[str, str]] = FIGURE_TABLE, empty: str | None = None) -> None:
    """Display query rows as the escaped figure table; the raw rows go to figures.csv.

    With `empty` given, a frame without rows shows that note instead of a table with headers only.
    """
    rows = figure_rows(frame, metric_names)
    if not rows and empty is not None:
        show_note(empty)
        return
    raw = frame.to_dicts() if hasattr(frame, "to_dicts") else list(frame)
    show_table(rows, columns, caption=caption, records=raw)


LEAD_CSS = "p.regmetrics-lead{font-size:1.2em;font-weight:600;margin:0.4em 0 1em;max-width:60em}"
RANKING_CSS = (
    "table.regmetrics-ranking td{vertical-align:baseline!important}"
    "table.regmetrics-ranking td.c-rank{text-align:right!important;color:#555}"
    "table.regmetrics-ranking td.c-value_text{font-weight:600}"
    "details.regmetrics-source summary{cursor:pointer;color:#1f5fa8}"
    "details.regmetrics-source[open] summary{margin-bottom:4px}"
    "details.regmetrics-source blockquote{margin:0;padding:4px 8px;border-left:3px solid #9ab;"
    "background:#f6f8fa;max-width:44em;white-space:normal}"
    "details.regmetrics-source mark{background:#ffe08a;padding:0 1px}"
    "details.regmetrics-source .regmetrics-prov{color:#555;font-size:0.9em;margin:4px 0 0}"
)


def show_lead(text: str) -> None:
    """Display the briefing's one-line summary: escaped, set larger, right under the heading."""
    _display({"text/html": f"<style>{LEAD_CSS}</style>" + text_html(text, css_class="regmetrics-lead"),
              "text/plain": text})


def quote_html(r: dict[str, Any]) -> str:
    """A figure's source sentence with its number marked, and where it stands: document, path, offsets.

    Offsets are characters into the stored text (`regmetrics read PATH` shows it); all of it escaped.
    """
    quote, token = r.get("quote") or "", r.get("token") or ""
    start, end, s0 = r.get("char_start"), r.get("char_end"), r.get("sentence_start")
    if s0 is not None and start is not None and end is not None and 0 <= start - s0 <= end - s0 <= len(quote):
        a, b = start - s0, end - s0
        body = f"{esc(quote[:a])}<mark>{esc(quote[a:b])}</mark>{esc(quote[b:])}"
    elif token and token in quote:
        a = quote.index(token)
        body = f"{esc(quote[:a])}<mark>{esc(token)}</mark>{esc(quote[a + len(token):])}"
    else:
        body = esc(quote)
    where = f"，字符位置 {start}–{end}" if start is not None and end is not None else ""
    title = r.get("doc_title") or ""
    prov = f"{'《' + esc(title) + '》 ' if title else ''}{esc(r.get('doc_path') or '')}{esc(where)}"
    return (f'<details class="regmetrics-source"><summary>原文</summary><blockquote>{body}</blockquote>'
            f'<p class="regmetrics-prov">{prov}</p></details>')


# The ranking table: rank, region, value in Chinese units, year-on-year, period, and the source one click away.
RANKING_TABLE = (("rank", "名次"), ("region_name", "地区"), ("value_text", "数值"), ("yoy_text", "同比"),
                 ("period_label", "期间"), ("doc_title", "文件"), ("source", "原文与出处"))


def ranking_html(frame: Any, year: int, *, caption: str = "") -> str:
    """One year's regions ranked by value (largest first) as an escaped table; each value in its own 万/亿 unit."""
    from metrics.summary import value_text, yoy_text

    rows = sorted((r for r in (frame.to_dicts() if hasattr(frame, "to_dicts") else list(frame))
                   if r.get("year") == year and r.get("value") is not None),
                  key=lambda r: (-float(r["value"]), str(r.get("region_code"))))
    cls = {key: f' class="c-{key}"' for key, _ in RANKING_TABLE}
    head = "".join(f"<th{cls[k]}>{esc(label)}</th>" for k, label in RANKING_TABLE)
    body = []
    for i, r in enumerate(rows, 1):
        cells = {
            "rank": esc(i), "region_name": esc(r.get("region_name")),
            "value_text": esc(value_text(float(r["value"]), r.get("unit") or "", r.get("approx") or "")),
            "yoy_text": esc(yoy_text(None if r.get("yoy_pct") is None else float(r["yoy_pct"]))),
            "period_label": esc(r.get("period_label")), "doc_title": esc(r.get("doc_title") or r.get("doc_path")),
            "source": quote_html(r),
        }
        body.append("<tr>" + "".join(f"<td{cls[k]}>{cells[k]}</td>" for k, _ in RANKING_TABLE) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f"<style>{TABLE_CSS}{RANKING_CSS}</style>"
            f'<table class="regmetrics-table regmetrics-ranking">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def show_ranking(frame: Any, year: int, *, caption: str = "", empty: str | None = None) -> None:
    """Display `ranking_html`; its rows travel along for figures.csv. No row: the `empty` note."""
    raw = [r for r in (frame.to_dicts() if hasattr(frame, "to_dicts") else list(frame)) if r.get("year") == year]
    if not raw:
        show_note(empty or f"{year}年没有可排名的数值。")
        return
    _display({"text/html": ranking_html(frame, year, caption=caption),
              "text/plain": f"<ranking: {len(raw)} rows>", FIGURES_MIMETYPE: [_jsonable(r) for r in raw]})


def show_sources(frame: Any) -> None:
    """Display the documents behind a frame's rows: title, publication date, path (escaped)."""
    rows = frame.to_dicts() if hasattr(frame, "to_dicts") else list(frame)
    docs: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = r.get("doc_id") or r.get("doc_path")
        if key and key not in docs:
            docs[key] = {"doc_title": r.get("doc_title") or "", "published_on": r.get("published_on"),
                         "doc_path": r.get("doc_path") or "", "n": 0}
        if key:
            docs[key]["n"] += 1
    listed = sorted(docs.values(), key=lambda d: (str(d["published_on"] or ""), d["doc_path"]))
    show_table(listed, (("doc_title", "文件"), ("published_on", "发布日期"), ("doc_path", "路径"),
                        ("n", "引用数值")), caption=f"来源文件（{len(listed)}份）", records=[],
               css_class="regmetrics-table regmetrics-sources")


# ---- export -----------------------------------------------------------------------------------

def export_html(nb: Any, title: str) -> str:
    """nbconvert's lab template with code, prompts and the require.js/MathJax URLs removed."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.require_js_url = ""
    c.HTMLExporter.mathjax_url = ""
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.remove_cell_tags = ("remove_cell",)
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, template_name="lab")
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # The briefing is Chinese: lang="zh-CN" makes browsers draw it with the simplified-Chinese glyphs of a
    # CJK font (Noto Sans CJK SC), not the Japanese ones a lang="en" page falls back to.
    return re.sub(r"<html\b[^>]*>", '<html lang="zh-CN">', body, count=1)


def _is_executable(attrs: str) -> bool:
    m = _TYPE_ATTR_RE.search(attrs)
    return (m.group(1).lower() if m else "") in _EXEC_TYPES


def secure_html(page: str) -> str:
    """Drop external/empty scripts and module loaders, then add a hash-based CSP meta to <head>."""

    def keep(m: re.Match[str]) -> str:
        attrs, _ = m.group(1), m.group(2)
        if _SRC_ATTR_RE.search(attrs):
            return ""  # require.js/MathJax/CDN loaders: nothing may load from outside the file
        m_type = _TYPE_ATTR_RE.search(attrs)
        if m_type and m_type.group(1).lower() == "module":
            return ""  # nbconvert's mermaid loader imports from a CDN
        return m.group(0)

    page = _SCRIPT_RE.sub(keep, page)
    hashes = sorted({script_hash(body) for attrs, body in _SCRIPT_RE.findall(page) if _is_executable(attrs)})
    policy = "; ".join([*CSP_BASE, "script-src " + " ".join(f"'{h}'" for h in hashes) if hashes
                        else "script-src 'none'"])
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy, quote=False)}">'
    # Right after <meta charset> (which must stay in the first 1024 bytes), before any script.
    anchor = re.search(r"<meta charset=[^>]*>", page, re.I) or re.search(r"<head[^>]*>", page, re.I)
    if not anchor:
        raise BriefingError("exported HTML has no <head>: cannot add a Content-Security-Policy")
    return page[: anchor.end()] + meta + page[anchor.end():]


def script_hash(body: str) -> str:
    """The CSP source expression for an inline script body ('sha256-…')."""
    return "sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")


@dataclass(frozen=True)
class Audit:
    """What `audit_html` found in a briefing."""

    remote_sources: list[str]
    inline_handlers: list[str]
    plotly_copies: int
    charts: int
    unhashed_scripts: int
    has_csp: bool

    def problems(self) -> list[str]:
        """One line per reason the page is not offline-safe."""
        out = [f"remote source {s}" for s in self.remote_sources]
        out += [f"inline event handler {h}" for h in self.inline_handlers]
        if self.charts and self.plotly_copies != 1:
            out.append(f"plotly.js embedded {self.plotly_copies} times for {self.charts} charts (want once)")
        if self.unhashed_scripts:
            out.append(f"{self.unhashed_scripts} inline scripts not allowed by the CSP")
        if not self.has_csp:
            out.append("no Content-Security-Policy meta")
        return out


def audit_html(page: str) -> Audit:
    """Inspect the parsed page (not the raw text, so JS strings do not count) for offline/safety faults."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(page)
    remote, handlers = [], []
    for node in tree.css("*"):
        for name, value in (node.attributes or {}).items():
            lname = name.lower()
            if lname in ("src", "href", "data", "poster", "action", "srcset") and value and \
                    re.match(r"\s*(https?:)?//", value, re.I) and not (lname == "href" and node.tag == "a"):
                remote.append(f"<{node.tag} {lname}={value}>")
            if lname.startswith("on"):
                handlers.append(f"<{node.tag} {lname}>")
    csp = tree.css_first('meta[http-equiv="Content-Security-Policy"]')
    policy = csp.attributes.get("content", "") if csp else ""
    scripts = [(s.attributes, s.text(deep=True)) for s in tree.css("script")]
    unhashed = sum(1 for attrs, body in scripts
                   if (attrs.get("type") or "").lower() in _EXEC_TYPES and f"'{script_hash(body)}'" not in policy)
    return Audit(
        remote_sources=remote,
        inline_handlers=handlers,
        plotly_copies=sum(1 for _, body in scripts if PLOTLY_MARKER in body[:2000]),
        charts=len(tree.css("div.plotly-graph-div")),
        unhashed_scripts=unhashed,
        has_csp=bool(policy) and "default-src 'none'" in policy,
    )


def write_briefing(nb: Any, title: str, path: Path) -> Audit:
    """Export, secure and audit the executed notebook; write the HTML only when the audit is clean."""
    page = secure_html(export_html(nb, title))
    audit = audit_html(page)
    if audit.problems():
        raise BriefingError("briefing not offline-safe: " + "; ".join(audit.problems()))
    path.write_text(page, encoding="utf-8")
    return audit
