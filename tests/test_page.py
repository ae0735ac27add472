"""The debugging page at ``/``, end to end: Debian's Chromium, headless, driven
by Playwright (pointed at /usr/bin/chromium; Playwright never downloads a
browser here), against the app served by uvicorn on a free localhost port.

Marked ``browser``. Under CI (``CI=true``) a missing Chromium or Playwright
fails these tests; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import REAL_SAMPLE, SAMPLES

from app import repair_bytes, repair_text
from app.errors import NotText

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# Flags that work on these machines (no GPU, no sandbox for root, no network
# beyond localhost). Playwright adds --headless and a fresh temporary
# --user-data-dir of its own on every launch.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
GARBLED = "鏁版嵁鎶撳彇缁撴灉"
FIXED = "数据抓取结果"
# Pinyin in parentheses after any character: a flattened ruby annotation.
ANNOTATION_RE = re.compile(r".\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return (f"{CHROMIUM} is absent (apt-get install -y --no-install-recommends "
                "chromium chromium-driver)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install '.[test]')"
    return None


@pytest.fixture(scope="module")
def base_url():
    """The app under uvicorn in a thread, on a port the OS picked."""
    import uvicorn

    from app.api.main import app

    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI, but {missing}")
        pytest.skip(missing)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser(base_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(base_url)
    yield pg
    context.close()
    assert errors == [], f"script errors on the page: {errors}"


def _repaired(page) -> None:
    """Wait for the answer to the request just made."""
    page.locator("#status:text-matches('^Repaired'), #error:not([hidden])").first.wait_for(
        timeout=60_000)


def _texts(page, selector: str) -> list[str]:
    return page.locator(selector).all_text_contents()


def _percent(x: float) -> str:
    return f"{x * 100:.2f}%"


def test_paste_garbled_text_shows_repair_and_spans(page, base_url):
    expected = repair_text(GARBLED)
    page.fill("#input", GARBLED)
    page.press("#input", "Control+Enter")
    _repaired(page)
    assert page.text_content("#out-text") == FIXED
    assert _texts(page, "#out-text mark.span") == [FIXED]
    assert _texts(page, "#in-text mark.span") == [GARBLED]
    assert page.text_content("#confidence") == f"{_percent(expected.confidence)} (high)"
    assert page.text_content("#changed") == "yes"
    assert page.text_content("#span-count") == "1"
    span = page.locator("#spans li")
    assert span.count() == 1
    assert "utf8_as_gbk" in span.text_content()
    assert expected.spans[0].explanation in span.text_content()
    assert _texts(page, "#steps li") == [f"fix_encoding: {expected.steps[0].explanation} (1 edit)"]
    # The curl command shown sends the same request: run it.
    curl = page.text_content("#curl")
    assert curl == (f"curl -H 'content-type: application/json' -d '{{\"text\":\"{GARBLED}\"}}' "
                    f"'{base_url}v1/repair'")
    if shutil.which("curl"):
        out = subprocess.run(["bash", "-c", curl], capture_output=True, check=True, timeout=30)
        assert json.loads(out.stdout)["text"] == FIXED


def test_span_after_emoji_and_astral_characters_highlights_the_right_text(page):
    # 😀, 🎉 and 𠮷 are two UTF-16 units each but one code point each.
    text = "😀🎉 𠮷野家：鏁版嵁鎶撳彇缁撴灉。再见 ´´½¨¹ú¼Ò"
    expected = repair_text(text)
    assert [s.original for s in expected.spans] == [GARBLED, "´´½¨¹ú¼Ò"]
    page.fill("#input", text)
    page.click("#repair")
    _repaired(page)
    assert page.text_content("#out-text") == "😀🎉 𠮷野家：数据抓取结果。再见 创建国家"
    assert _texts(page, "#in-text mark.span") == [GARBLED, "´´½¨¹ú¼Ò"]
    assert _texts(page, "#out-text mark.span") == [FIXED, "创建国家"]
    # Clicking a span's button outlines it in both texts and in the list.
    page.click("#spans li:nth-child(2) button.show")
    assert _texts(page, ".active") == ["´´½¨¹ú¼Ò", "创建国家",
                                       page.text_content("#spans li:nth-child(2)")]


def test_lost_guessed_and_unrecoverable_characters_are_shown(page):
    # UTF-8 read as GBK by a decoder that replaced what it could not read:
    # 据 comes back guessed, the final 。 is lost (U+FFFD).
    text = "我们的数据抓取结果很好。".encode().decode("gbk", "replace") + "\n文件名锟斤拷.txt"
    expected = repair_text(text)
    assert expected.text == "我们的数据抓取结果很好�\n文件名锟斤拷.txt"
    page.fill("#input", text)
    page.click("#repair")
    _repaired(page)
    assert page.text_content("#out-text") == expected.text
    assert _texts(page, "#out-text .guessed-char") == ["据"]
    assert _texts(page, "#out-text .lost-char") == ["\ufffd"]
    assert _texts(page, "#out-text mark.unrepaired") == ["锟斤拷"]
    assert _texts(page, "#spans .badge") == ["lost"]
    assert page.text_content("#confidence") == "0.00% (low)"
    assert _texts(page, "#warnings li") == list(expected.warnings)


def test_gbk_file_is_sent_as_bytes_and_decoded(page, base_url):
    path = SAMPLES / "kinds" / "gbk_bytes.txt"
    expected = (SAMPLES / "kinds" / "gbk_bytes.expected.txt").read_text(encoding="utf-8")
    page.set_input_files("#file", str(path))
    assert page.is_disabled("#input")
    page.click("#repair")
    _repaired(page)
    assert page.text_content("#out-text") == expected
    assert page.text_content("#encoding") == f"gb18030 ({path.stat().st_size} bytes decoded)"
    assert page.is_hidden("#in-text")
    assert "gbk_bytes.txt" in page.text_content("#in-note")
    curl = page.text_content("#curl")
    assert curl == (f"curl --data-binary '@gbk_bytes.txt' -H 'content-type: application/octet-stream' "
                    f"'{base_url}v1/repair'")
    out = subprocess.run(shlex.split(curl), cwd=path.parent, capture_output=True, timeout=30)
    assert json.loads(out.stdout)["text"] == expected


def test_dropped_big5_file_with_conversion(page):
    text = "本區全年開展環境衛生大檢查,結果舉報減少。"
    data = text.encode("big5")
    expected = repair_bytes(data, convert="t2s")
    assert expected.text == "本区全年开展环境卫生大检查,结果举报减少。"
    transfer = page.evaluate_handle(
        "bytes => { const t = new DataTransfer();"
        " t.items.add(new File([new Uint8Array(bytes)], 'page.txt')); return t; }", list(data))
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    page.select_option("#convert", "t2s")
    page.click("#repair")
    _repaired(page)
    assert page.text_content("#out-text") == expected.text
    assert page.text_content("#encoding") == f"big5hkscs ({len(data)} bytes decoded)"
    assert "convert=t2s" in page.text_content("#curl")
    # Back to the text box.
    page.click("#file-clear")
    assert page.is_enabled("#input")
    assert page.is_hidden("#file-info")


def test_png_file_shows_the_api_error(page):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    with pytest.raises(NotText) as exc:
        repair_bytes(png)
    page.set_input_files("#file", files=[{"name": "logo.png", "mimeType": "image/png",
                                          "buffer": png}])
    page.click("#repair")
    _repaired(page)
    assert page.is_visible("#error")
    assert page.text_content("#error") == f"Error 422 (not_text): {exc.value}"
    assert page.is_hidden("#result")


def test_unknown_charset_error_names_its_field(page):
    page.set_input_files("#file", files=[{"name": "a.txt", "mimeType": "text/plain",
                                          "buffer": "数据".encode("gbk")}])
    page.fill("#charset", "rot13")
    page.click("#repair")
    _repaired(page)
    error = page.text_content("#error")
    assert error.startswith("Error 422 (unknown_codec):")
    assert error.endswith("Field: charset")


def test_long_text_is_cut_for_display_and_downloadable_whole(page):
    text = GARBLED + "\n" + "abc def 123 456 789\n" * 3000   # 60,010 characters
    expected = repair_text(text)
    assert len(expected.text) == 60_007
    # fill() types this through Chromium's editor (about 20 s for 3,000
    # lines); setting the value is what a paste ends with.
    page.locator("#input").evaluate("(box, text) => { box.value = text; }", text)
    page.click("#repair")
    _repaired(page)
    shown = page.text_content("#out-text")
    assert shown == expected.text[:50_000]
    assert _texts(page, "#out-text mark.span") == [FIXED]
    note = page.text_content("#truncated")
    assert note == ("Long text: showing the first 50,000 characters of each side (the repaired "
                    "text has 60,007, the input 60,010). Download the whole result below.")
    with page.expect_download() as info:
        page.click("#download")
    assert Path(info.value.path()).read_bytes() == expected.text.encode("utf-8")
    assert info.value.suggested_filename == "luanma.repaired.txt"


def test_walkthrough_real_sample(page):
    """Open the page, paste the real sample, press repair, read the result."""
    sample = REAL_SAMPLE.read_text(encoding="utf-8")
    page.fill("#input", sample)
    page.click("#repair")
    _repaired(page)
    out = page.text_content("#out-text")

    assert out == repair_text(sample).text
    assert "(chuàng)" not in out
    # The one annotation left follows a Latin letter (the page's typo l for 1),
    # as samples/README.md says.
    assert ANNOTATION_RE.findall(out) == ["l(wèi)"]


def test_keyboard_only(page):
    """Every control has a label; Tab walks them in reading order; Ctrl+Enter
    repairs from any of them."""
    for label, control in [("Garbled text", "input"), ("…or a file", "file"),
                           ("Conversion (OpenCC)", "convert"),
                           ("Declared charset (files only)", "charset"),
                           ("Remove flattened ruby annotations", "strip")]:
        assert page.get_by_label(label).get_attribute("id") == control
    page.focus("#input")
    page.keyboard.insert_text(GARBLED)
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.id"))
    assert order == ["file", "convert", "charset", "strip", "repair"]
    page.focus("#convert")
    page.keyboard.press("Control+Enter")
    _repaired(page)
    assert page.text_content("#out-text") == FIXED
