"""The HTML report in a real browser: Debian's headless Chromium driven by playwright (system binary).

Skipped, with the reason, where /usr/bin/chromium or playwright is missing (`make browser` installs it).
Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from render_support import make_report, span_of

from auditor.render.html import render_html
from auditor.report import Flag, Severity

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (run `make browser` or `apt-get install chromium`)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright-python is not installed")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


class Opened:
    """A page with everything it said on the console, its uncaught errors, dialogs and requests."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready='1']", timeout=10_000)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self) -> None:
        problems = [(kind, text) for kind, text in self.console if kind in {"error", "warning"}]
        assert problems == [], problems
        assert self.errors == []
        assert self.dialogs == []  # no script from the document ran
        assert all(url.startswith("file://") for url in self.requests), self.requests


def _write(tmp_path: Path, name: str, html: str) -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def test_hand_built_report_is_interactive_and_inert(browser, tmp_path):
    target = (
        "The mayor announced on Monday March 3 the closing of the factory.\n"
        "\n"
        "The workers, at the number of 205, demonstrated in front of the town hall.\n"
        "They claim guarantees. <img src=x onerror=alert(1)><script>alert(2)</script>\n"
    )
    hostile = Flag(
        "AUD999",
        "style/markup",
        Severity.MINOR,
        span_of(target, "<script>alert(2)</script>"),
        None,
        "<script>alert(2)</script>",
        "Markup <b onmouseover=alert(3)>in</b> a message",
        None,
    )
    report = make_report(target=target, extra_flags=[hostile])
    opened = Opened(
        browser, _write(tmp_path, "report.html", render_html(report, compare_with=("reference", target)))
    )
    page = opened.page
    # The hostile text is shown as text.
    assert "<script>alert(2)</script>" in page.inner_text("#seg-2 td.tgt")
    assert page.locator("#seg-2 img").count() == 0
    # Tooltip: hidden, then shown when its flag gets keyboard focus (j = next flag).
    tip = page.locator("#tip2-3")
    assert not tip.is_visible()
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("m")
    page.focus("#m2-3")
    assert tip.is_visible()
    assert "demand" in tip.inner_text()
    # Severity filter: unticking "major" turns the major-only mark off and hides it from the list.
    page.uncheck('input[data-filter="sev"][value="major"]')
    assert "off" in (page.get_attribute("#m2-3", "class") or "")
    assert page.locator("li.fl.hidden").count() == sum(
        1 for f in report.flags if f.severity == Severity.MAJOR
    )
    page.check('input[data-filter="sev"][value="major"]')
    # Shading toggle and word-link hover.
    page.check("#shade")
    assert "shade" in (page.get_attribute("body", "class") or "")
    page.hover("#seg-0 td.tgt span.t[data-w] >> nth=1")
    assert page.locator("#seg-0 td.src .lit").count() >= 1
    # Diff tab.
    page.click("#tab-diff")
    assert page.locator("#diff").is_visible() and not page.locator("#segments").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.click("#tab-segments")
    page.screenshot(path=str(ARTIFACTS / "hand-built-report.png"), full_page=True)
    opened.assert_clean()
    page.close()


def test_seed_report_opens_cleanly(browser, seed_report, tmp_path):
    """The seed article audited with the real model (conftest's session `seed_report`), rendered, opened."""
    report = seed_report
    html = render_html(report)
    opened = Opened(browser, _write(tmp_path, "seed-report.html", html))
    page = opened.page
    rows = page.locator("tr.row")
    assert rows.count() == len(report.segments)
    spanned = [f for f in report.flags if f.target_span and f.target_span[1] > f.target_span[0]]
    if spanned:
        assert page.locator("mark.flag").count() >= 1
        first = page.locator("mark.flag").first
        first.focus()
        assert first.locator(".tip").is_visible()
    assert page.locator("li.fl").count() == len(report.flags)
    assert page.locator("svg.seg-chart rect.bar").count() == len(report.segments)
    shown = page.inner_text("#segments")
    assert "retaliate" in shown
    if any(s.tokens for s in report.segments):
        page.check("#shade")
        page.uncheck("#shade")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "seed-report.png"), full_page=True)
    calque = page.locator("mark.flag", has_text="monster parades")
    if calque.count():
        calque.first.scroll_into_view_if_needed()
        calque.first.focus()
        tip = calque.first.locator(".tip")
        assert tip.is_visible()
        box, width = tip.bounding_box(), page.evaluate("window.innerWidth")
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width  # inside the window
        page.screenshot(path=str(ARTIFACTS / "seed-report-flag.png"))  # the viewport, tip open
    (ARTIFACTS / "seed-report.html").write_text(html, encoding="utf-8")
    opened.assert_clean()
    page.close()
