"""Screenshots of the debugging page repairing a short garbled paragraph,
for the README: ``docs/page.png`` (a wide screen) and ``docs/page-phone.png``.

Usage (Debian's Chromium at /usr/bin/chromium, the test extra installed):
    luanma serve --port 8000 &
    python scripts/page_screenshot.py http://127.0.0.1:8000/

The paragraph is made of the inputs in samples/kinds/ (one line per kind),
not of the real sample. Chinese glyphs need a CJK font on the machine
(Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent.parent / "docs"
PARAGRAPH = ("标题：鏁版嵁鎶撳彇缁撴灉\n"
             "本區全年開展環境衛生大檢查,結果舉鬁p少。\n"
             "創(chuàng)建國家衛(wèi)生區,專(兼)職人員。\n"
             "作者：´´½¨¹ú¼Ò 时间：æ—¶é—´")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# (file, viewport width, height of the clip from the top of the page, in CSS pixels)
SHOTS = [("page.png", 1100, 1140), ("page-phone.png", 390, 1812)]


def main(url: str) -> None:
    """Open `url`, repair PARAGRAPH, and write each of SHOTS into docs/."""
    DOCS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, width, height in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto(url)
            page.fill("#input", PARAGRAPH)
            page.click("#repair")
            page.locator("#status:text-matches('^Repaired')").wait_for(timeout=60_000)
            page.click("#spans li:nth-child(2) button.show")   # show one span outlined
            page.mouse.move(0, 0)
            page.screenshot(path=DOCS / name, full_page=True,
                            clip={"x": 0, "y": 0, "width": width, "height": height})
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/")
