"""Plotly charts for briefings: ranking bars, year lines, coverage heat map, with sources on hover.

Text from reports reaches a chart only through `hover_source`, which escapes it (plotly reads a few
HTML tags in labels) and wraps long quotes. Years sit on integer ticks; fonts prefer Noto CJK.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from metrics.summary import period_group, scale_for, value_text

# plotly >= 6 with the plain notebook renderer writes an output type nbconvert drops (blank charts);
# this pair gives nbconvert a text/html bundle and embeds plotly.js once per notebook.
RENDERER = "plotly_mimetype+notebook"
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
HEAT_CLASSES = ("全年", "年内累计", "单月", "其他")
HEAT_COLOURS = ("#1b7837", "#7fbf7b", "#d9f0d3", "#fee08b")
QUOTE_WRAP = 36
# More regions than this in the coverage heat map are summed up to their province (one row each).
HEAT_MAX_ROWS = 40


def setup() -> None:
    """Select the offline notebook renderer and a CJK-capable template for every chart after this call."""
    pio.renderers.default = RENDERER
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.font = {"family": FONT, "size": 13}
    template.layout.hoverlabel = {"font": {"family": FONT}, "align": "left"}
    pio.templates["regmetrics"] = template
    pio.templates.default = "regmetrics"


def esc(text: Any) -> str:
    """Report text made inert for plotly labels (entities are shown as the characters they encode)."""
    return "" if text is None else html.escape(str(text), quote=False)


def wrap(text: str, width: int = QUOTE_WRAP) -> str:
    """Escaped text broken into <br>-joined lines of `width` characters."""
    raw = "" if text is None else str(text)
    return "<br>".join(esc(raw[i:i + width]) for i in range(0, len(raw), width)) or ""


def hover_source(r: dict[str, Any], scale: Any = None) -> list[str]:
    """customdata for one figure: value text, period label, document title, wrapped quote (all escaped)."""
    return [
        esc(value_text(_f(r.get("value")), r.get("unit") or "", r.get("approx") or "", scale)),
        esc(r.get("period_label") or ""),
        wrap(r.get("doc_title") or r.get("doc_path") or "", 40),
        wrap(r.get("quote") or ""),
    ]


# Hover for one figure; @WHO@ is replaced by the point's label (region, year).
HOVER = ("<b>@WHO@</b> %{customdata[0]}（%{customdata[1]}）<br>"
         "来源：%{customdata[2]}<br>原文：%{customdata[3]}<extra></extra>")


@dataclass(frozen=True)
class EmptyChart:
    """Stands in for a chart whose data is empty: `.show()` displays one line saying what is missing."""

    message: str

    def show(self) -> None:
        """Display the message as an escaped note (never axes with nothing on them)."""
        from metrics import briefing

        briefing.show_note(self.message)


Chart = go.Figure | EmptyChart


def _rows(frame: Any) -> list[dict[str, Any]]:
    return frame.to_dicts() if hasattr(frame, "to_dicts") else list(frame)


def _f(v: Any) -> float | None:
    return None if v is None else float(v)


# Ranking bars: one row per region however many (31 provinces stay legible at this pitch), the value
# printed at each bar's end in the shared 万/亿 unit, room on the right so the longest label fits.
BAR_PITCH_PX = 26
BAR_HEAD_PX = 110
BAR_MIN_ROWS = 6  # a few bars still get a chart of readable height


def ranking_bar(frame: Any, metric_name: str, year: int, empty: str | None = None) -> Chart:
    """Horizontal bars of one year's regions, largest on top, each labelled with its value in Chinese
    units (万户, 亿元); bars not covering the full year are hatched and named in the legend.

    No figure for `year`: an EmptyChart saying so (`empty`, or a default line).
    """
    rows = sorted((r for r in _rows(frame) if r.get("year") == year and r.get("value") is not None),
                  key=lambda r: (float(r["value"]), str(r.get("region_code"))))
    if not rows:
        return EmptyChart(empty or f"{year}年没有{metric_name}数值，无法绘制排名图：请换一个年份或指标。")
    unit = rows[-1].get("unit") or ""
    scale = scale_for([float(r["value"]) for r in rows], unit)
    kinds = {r.get("period_kind") == "year" for r in rows}
    fig = go.Figure()
    for full in (True, False):
        part = [r for r in rows if (r.get("period_kind") == "year") == full]
        if not part:
            continue
        fig.add_bar(
            x=[float(r["value"]) / scale.divisor for r in part],
            y=[esc(r["region_name"]) for r in part],
            orientation="h",
            name="全年" if full else "非全年（年内累计、单月等）",
            customdata=[hover_source(r, scale) for r in part],
            hovertemplate=HOVER.replace("@WHO@", "%{y}"),
            marker={"color": "#2166ac" if full else "#92c5de",
                    "pattern": {"shape": "" if full else "/"}},
            # each label in its own 万/亿 unit (435.8万元, not 0.04358亿元); the axis keeps the shared one
            text=[esc(value_text(float(r["value"]), unit, r.get("approx") or "")) for r in part],
            textposition="outside", cliponaxis=False, textfont={"size": 12},
        )
    top = max(float(r["value"]) for r in rows) / scale.divisor
    fig.update_layout(
        title=esc(f"{year}年{metric_name}（{len(rows)}个地区，单位：{scale.unit}）"),
        barmode="overlay", bargap=0.25, showlegend=len(kinds) > 1,
        xaxis={"range": [0, top * 1.18 if top > 0 else 1], "side": "top", "showgrid": True,
               "ticksuffix": esc(scale.unit) if len(scale.unit) <= 2 else ""},
        yaxis={"categoryorder": "array", "categoryarray": [esc(r["region_name"]) for r in rows],
               "automargin": True, "tickfont": {"size": 13}},
        height=BAR_HEAD_PX + BAR_PITCH_PX * max(len(rows), BAR_MIN_ROWS) + (40 if len(kinds) > 1 else 0),
        margin={"l": 10, "r": 30, "t": 90, "b": 40},
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
    )
    return fig


def trend_lines(frame: Any, metric_name: str, empty: str | None = None) -> Chart:
    """One line per region over years (integer year ticks), hover showing each point's source."""
    rows = [r for r in _rows(frame) if r.get("value") is not None and r.get("year") is not None]
    if not rows:
        return EmptyChart(empty or f"没有{metric_name}的历年数值，无法绘制变化图：请换一个指标、地区或年份范围。")
    unit = rows[0].get("unit") if rows else ""
    scale = scale_for([float(r["value"]) for r in rows], unit or "")
    fig = go.Figure()
    for code in sorted({r["region_code"] for r in rows}):
        part = sorted((r for r in rows if r["region_code"] == code), key=lambda r: r["year"])
        name = esc(part[0]["region_name"])
        fig.add_scatter(
            x=[int(r["year"]) for r in part], y=[float(r["value"]) / scale.divisor for r in part],
            mode="lines+markers", name=name,
            customdata=[hover_source(r, scale) for r in part],
            hovertemplate=HOVER.replace("@WHO@", f"{name} %{{x}}年"),
            marker={"symbol": ["circle" if r.get("period_kind") == "year" else "circle-open" for r in part],
                    "size": 9},
        )
    years = sorted({int(r["year"]) for r in rows})
    fig.update_layout(title=esc(f"{metric_name}历年变化（空心点：非全年数据）"), yaxis_title=esc(scale.unit),
                      height=420, legend={"orientation": "h", "y": -0.2})
    year_axis(fig, years)
    return fig


def year_axis(fig: go.Figure, years: list[int], **kw: Any) -> None:
    """Integer year ticks (no 2,019.5) over exactly the years shown."""
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[f"{y}年" for y in years],
                     range=[min(years) - 0.5, max(years) + 0.5] if years else None, **kw)


def profile_chart(frame: Any, metric_names: dict[str, str], empty: str | None = None) -> Chart:
    """One small panel per metric for a region's figures across years (own unit per panel).

    Only whole-scope figures are drawn (a `headline` column, when present, says which): a line through
    figures of different subjects would compare unlike things.
    """
    from plotly.subplots import make_subplots

    rows = [r for r in _rows(frame) if r.get("value") is not None and r.get("year") is not None
            and r.get("headline", True) and not (r.get("subject") or "").strip()]
    if not rows:
        return EmptyChart(empty or "没有全口径的历年数值，无法绘制各项指标图。")
    metrics = sorted({r["metric"] for r in rows})
    years = sorted({int(r["year"]) for r in rows})
    n = max(1, len(metrics))
    titles = []
    scales = {}
    for m in metrics:
        part = [r for r in rows if r["metric"] == m]
        scales[m] = scale_for([float(r["value"]) for r in part], part[0].get("unit") or "")
        titles.append(esc(f"{metric_names.get(m, m)}（{scales[m].unit}）"))
    fig = make_subplots(rows=n, cols=1, subplot_titles=titles or [""], vertical_spacing=min(0.08, 0.5 / n))
    for i, m in enumerate(metrics, start=1):
        part = sorted((r for r in rows if r["metric"] == m), key=lambda r: (r["year"], -float(r["value"])))
        fig.add_scatter(
            x=[int(r["year"]) for r in part], y=[float(r["value"]) / scales[m].divisor for r in part],
            mode="lines+markers", name=esc(metric_names.get(m, m)), showlegend=False,
            customdata=[hover_source(r, scales[m]) for r in part],
            hovertemplate=HOVER.replace("@WHO@", "%{x}年"),
            marker={"symbol": ["circle" if r.get("period_kind") == "year" else "circle-open" for r in part],
                    "size": 9},
            row=i, col=1,
        )
    fig.update_layout(height=max(300, 200 * n), title=esc("各项指标历年数值（空心点：非全年数据）"))
    year_axis(fig, years)
    return fig


def _to_province(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Coverage rows with every prefecture and county counted under its province (country rows kept)."""
    from metrics import regions

    out = []
    for r in rows:
        code = r.get("region_code")
        prov = regions.province_of(code) if code and r.get("region_level") not in ("country", "province") else None
        if prov is not None and prov.code != code:
            r = {**r, "region_code": prov.code, "region_name": prov.name, "folded": True,
                 "where": r.get("region_name") or code}
        out.append(r)
    return out


def coverage_heatmap(frame: Any, title: str = "数据覆盖", empty: str | None = None,
                     max_rows: int = HEAT_MAX_ROWS, metric_names: dict[str, str] | None = None) -> Chart:
    """Region × year cells coloured by the widest period present: 全年 / 年内累计 / 单月 / 其他.

    More than `max_rows` regions: prefectures and counties are counted under their province, so the map
    keeps one readable row per province (the hover still names each sub-region's metrics).
    """
    rows = [r for r in _rows(frame) if r.get("year") is not None and r.get("region_code") is not None]
    if not rows:
        return EmptyChart(empty or "所选指标和年份没有可归到地区和年份的数值，无法绘制覆盖图：请放宽指标或年份。")
    grouped = len({r["region_code"] for r in rows}) > max_rows
    if grouped:
        rows = _to_province(rows)
        title = f"{title}（地区较多，地市、区县并入所属省份）"
    rank = {c: i for i, c in enumerate(HEAT_CLASSES)}
    cells: dict[tuple[str, int], dict[str, Any]] = {}
    names: dict[str, str] = {}
    folded: set[str] = set()
    for r in rows:
        key = (r["region_code"], int(r["year"]))
        names[r["region_code"]] = r.get("region_name") or r["region_code"]
        if r.get("folded"):
            folded.add(r["region_code"])
        cls = period_group(r.get("period_kind"))
        cls = cls if cls in rank else "其他"
        cell = cells.setdefault(key, {"cls": cls, "labels": {}, "n": 0})
        if rank[cls] < rank[cell["cls"]]:
            cell["cls"] = cls
        what = (metric_names or {}).get(r.get("metric"), r.get("metric"))
        what = f"{r['where']} {what}" if r.get("where") else what
        cell["labels"].setdefault(what, set()).add(r.get("period_label") or cls)
        cell["n"] += int(r.get("n_figures") or 1)
    regions = sorted(names, key=lambda c: (c != "100000", c))
    years = sorted({y for _, y in cells})
    z, text, hover = [], [], []
    for code in regions:
        zr, tr, hr = [], [], []
        for y in years:
            c = cells.get((code, y))
            zr.append(None if c is None else rank[c["cls"]])
            tr.append("" if c is None else c["cls"])
            hr.append("无数据" if c is None else "<br>".join(
                esc(f"{m}：{'、'.join(sorted(labels))}") for m, labels in sorted(c["labels"].items())) +
                f"<br>共{c['n']}个数值")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    k = len(HEAT_CLASSES)
    colorscale = []
    for i, colour in enumerate(HEAT_COLOURS):
        colorscale += [[i / k, colour], [(i + 1) / k, colour]]
    fig = go.Figure(go.Heatmap(
        z=z, x=years, y=[esc(names[c] + ("（含下辖地区）" if c in folded else "")) for c in regions],
        text=text, texttemplate="%{text}",
        customdata=hover, hovertemplate="%{y} %{x}年<br>%{customdata}<extra></extra>",
        colorscale=colorscale, zmin=-0.5, zmax=k - 0.5, xgap=2, ygap=2,
        colorbar={"tickvals": list(range(k)), "ticktext": list(HEAT_CLASSES), "title": "口径"},
    ))
    fig.update_layout(title=esc(title), height=max(320, 80 + 26 * len(regions)), margin={"l": 120},
                      yaxis={"autorange": "reversed", "automargin": True})
    year_axis(fig, years)
    return fig

