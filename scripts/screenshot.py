#!/usr/bin/env python3
"""Screenshot the top of a briefing in headless Chromium, offline, for the README (docs/briefing.png).

Usage: .venv/bin/python scripts/screenshot.py BRIEFING.html docs/briefing.png [--width 1000] [--height 980]
Needs Debian's chromium and fonts-noto-cjk (as the browser test does); nothing is fetched.
"""

from __future__ import annotations

import argparse
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-gpu"]


def main() -> None:
    """Open the page from file://, wait for its charts, save the top `height` pixels as PNG."""
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("png", type=Path)
    ap.add_argument("--width", type=int, default=1000)
    ap.add_argument("--height", type=int, default=980)
    a = ap.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": a.width, "height": a.height})
        page.goto(a.html.resolve().as_uri(), wait_until="load")
        page.locator("div.plotly-graph-div svg.main-svg").first.wait_for(state="attached", timeout=15000)
        page.wait_for_timeout(500)
        a.png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(a.png), clip={"x": 0, "y": 0, "width": a.width, "height": a.height})
        browser.close()
    print(a.png)


if __name__ == "__main__":
    main()
