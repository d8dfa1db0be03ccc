"""Headless Chromium opens briefings from file:// with no network: every chart draws, the console is
clean (CSP violations included), injected report text never runs; a screenshot goes to the test log."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import briefing, paths

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = paths.REPORTS_DIR / "_test_screenshots"
ARGS = ["--no-sandbox", "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--disable-gpu", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: apt-get install chromium fonts-noto-cjk"),
]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def open_briefing(browser, html: Path, shot: str) -> dict:  # type: ignore[no-untyped-def]
    """Load a briefing offline, wait for the charts, screenshot it; return what the page showed."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
    page.goto(html.resolve().as_uri(), wait_until="load")
    charts = page.locator("div.plotly-graph-div")
    n = charts.count()
    for i in range(n):
        charts.nth(i).locator("svg.main-svg").first.wait_for(state="attached", timeout=15000)
    drawn = page.evaluate("""() => [...document.querySelectorAll('div.plotly-graph-div')]
        .map(d => d.querySelectorAll('svg.main-svg g.trace path, svg.main-svg g.trace image, svg.main-svg g.hm image').length)""")
    pwned = page.evaluate("() => window.__pwned === undefined ? null : window.__pwned")
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{shot}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    page.close()
    return {"charts": n, "drawn": drawn, "problems": problems, "requests": requests, "pwned": pwned}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["province_comparison", "region_profile", "data_coverage"])
def test_briefing_draws_offline_without_errors(browser, render, sample_db: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    result = render(name, sample_db)
    assert result.ok, result.error
    seen = open_briefing(browser, result.html, name)
    assert seen["charts"] >= 1
    assert all(k > 0 for k in seen["drawn"]), seen["drawn"]  # every chart has drawn marks in its SVG
    assert seen["problems"] == []
    assert seen["requests"] == []


@pytest.mark.slow
def test_hostile_text_never_runs_in_the_browser(browser, render, evil_db: Path) -> None:  # type: ignore[no-untyped-def]
    result = render("province_comparison", evil_db, metric="fines_confiscations", year=2020)
    assert result.ok, result.error
    seen = open_briefing(browser, result.html, "hostile_province_comparison")
    assert seen["pwned"] is None
    assert seen["charts"] == 2 and all(k > 0 for k in seen["drawn"])
    assert seen["problems"] == [] and seen["requests"] == []
    # hovering a bar shows its document title and quote, as text
    page = browser.new_page()
    page.goto(result.html.resolve().as_uri(), wait_until="load")
    page.locator("div.plotly-graph-div g.trace.bars path").first.hover(force=True)
    page.locator("g.hoverlayer text").first.wait_for(timeout=5000)
    hover = " ".join(page.locator("g.hoverlayer text").all_text_contents())
    assert "Report <script>window.__pwned=1</script>" in hover.replace("  ", " ")
    assert 'onerror="window.__pwned=2"' in hover and page.evaluate("() => window.__pwned") is None
    page.close()


@pytest.mark.slow
def test_console_check_catches_a_csp_violation(browser, render, evil_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The clean-console assertion is not vacuous: a page whose CSP misses one script hash reports it."""
    import re

    result = render("province_comparison", evil_db, metric="fines_confiscations", year=2020)
    page = result.html.read_text("utf-8")
    # drop the hash of plotly's small config script (the charts still draw without it)
    body = next(b for b in re.findall(r"<script>(.*?)</script>", page, re.S) if "window.PlotlyConfig" in b[:200])
    digest = f"'{briefing.script_hash(body)}'"
    assert digest in page
    broken = page.replace(digest, "", 1)
    target = tmp_path / "broken.html"
    target.write_text(broken, "utf-8")
    seen = open_briefing(browser, target, "csp_violation_expected")
    assert any("Content Security Policy" in p for p in seen["problems"])


def platform_fonts(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The fonts Chromium actually drew a node's text with (DevTools CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return [f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]


def _label_boxes(page, selector: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return page.evaluate(f"""() => [...document.querySelectorAll({selector!r})]
        .map(t => {{ const b = t.getBoundingClientRect(); return {{text: t.textContent, top: b.top, bottom: b.bottom,
                                                                  left: b.left, right: b.right}}; }})""")


@pytest.mark.slow
def test_default_briefing_reads_in_the_cjk_font_with_sources_one_click_away(browser, render, sample_db: Path) -> None:  # type: ignore[no-untyped-def]
    """The default briefing on the bundled data: CJK text in Noto Sans CJK (what CI installs), the one-line
    summary first, and a ranking whose 原文 opens the source sentence; screenshots of both states."""
    from metrics import query

    result = render("province_comparison", sample_db)
    assert result.ok, result.error
    seen = open_briefing(browser, result.html, "default_briefing")
    assert seen["problems"] == [] and seen["requests"] == [] and all(k > 0 for k in seen["drawn"])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(result.html.resolve().as_uri(), wait_until="load")
    assert "Noto Sans CJK SC" in platform_fonts(page, "p.regmetrics-lead")  # the glyphs drawn: simplified Chinese
    lead = page.locator("p.regmetrics-lead")
    assert lead.count() == 1 and lead.bounding_box()["y"] < page.locator("div.plotly-graph-div").first.bounding_box()["y"]
    details = page.locator("table.regmetrics-ranking details.regmetrics-source")
    ranked = query.compare(result.parameters["metric"], years=result.parameters["year"], db=str(sample_db))
    assert details.count() == ranked.height
    quote = details.first.locator("blockquote")
    assert not quote.is_visible()
    details.first.locator("summary").click()
    assert quote.is_visible() and quote.inner_text() in set(ranked["quote"].to_list())
    page.locator("table.regmetrics-ranking").screenshot(path=str(SHOTS / "default_briefing_source_open.png"))
    page.close()


@pytest.mark.slow
def test_thirty_one_provinces_stay_legible(browser, render, many_db: Path) -> None:  # type: ignore[no-untyped-def]
    """Every province of a 31-bar ranking is drawn with its name and value, and no two names overlap."""
    from metrics import query

    result = render("province_comparison", many_db)
    assert result.ok, result.error
    seen = open_briefing(browser, result.html, "province_comparison_31")
    assert seen["problems"] == [] and seen["requests"] == []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(result.html.resolve().as_uri(), wait_until="load")
    chart = "div.plotly-graph-div"
    page.locator(chart).first.locator("svg.main-svg").first.wait_for(state="attached", timeout=15000)
    names = _label_boxes(page, f"{chart} .yaxislayer-above .ytick text")[:31]
    assert len(names) == 31
    assert {b["text"] for b in names} == set(query.compare("fines_confiscations", years=result.parameters["year"],
                                                            db=str(many_db))["region_name"].to_list())
    tops = sorted(names, key=lambda b: b["top"])
    assert all(a["bottom"] <= b["top"] + 0.5 for a, b in zip(tops, tops[1:], strict=False))  # no overlap
    assert all(b["bottom"] - b["top"] >= 12 for b in names)  # a readable size
    values = page.evaluate("""() => [...document.querySelector('div.plotly-graph-div')
        .querySelectorAll('g.trace.bars text.bartext')].map(t => t.textContent)""")
    assert len(values) == 31 and all(v.endswith("元") for v in values)
    page.close()
