"""Browser tests: the app served on 127.0.0.1 by werkzeug in a thread, driven by Playwright with
Debian's Chromium (never a downloaded browser), at desktop and phone widths, with axe-core
checks and screenshots in build/screenshots/<test>/<name>.png.

Fixtures: ``live_server`` / ``base_url`` (``"http://127.0.0.1:<port>"``), ``browser`` (session),
``page`` (1280×900), ``phone`` (375×812), and the callables ``shot(page, name)``,
``check_a11y(page)`` and ``sign_in(page, base_url, username)``.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories.directory import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "build" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 10_000


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test's app (its own database and frozen clock) on a random loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def base_url(live_server) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's Chromium at /usr/bin/chromium (`make install` installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser, viewport: dict, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.csp_refusals = []  # what the Content-Security-Policy blocked: a page whose own code it stops is broken
    page.on("console", lambda msg: page.csp_refusals.append(msg.text) if "Content Security Policy" in msg.text else None)
    return context, page


def _close(context, page) -> None:
    refusals = page.csp_refusals
    context.close()
    assert not refusals, f"the Content-Security-Policy refused: {refusals}"


@pytest.fixture
def page(browser):
    context, page = _page(browser, DESKTOP)
    yield page
    _close(context, page)


@pytest.fixture
def phone(browser):
    context, page = _page(browser, PHONE, is_mobile=True, has_touch=True)
    yield page
    _close(context, page)


@pytest.fixture
def shot(request) -> Callable:
    """``shot(page, name)``: a full-page screenshot at build/screenshots/<test>/<name>.png."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        lines += [f"    {', '.join(n['target'])}: {n.get('failureSummary', '').replace(chr(10), ' ')}" for n in v["nodes"]]
    return "\n".join(lines)


@pytest.fixture
def check_a11y() -> Callable:
    """``check_a11y(page)``: run axe-core from node_modules on the page; fail on any serious or
    critical violation, listing each with the elements it found."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install` (npm ci)")

    def check(page) -> list[dict]:
        # evaluated by the driver, which the page's Content-Security-Policy does not govern: a
        # <script> tag with the code inline would be refused, as it should be
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"axe-core on {page.url}:\n{_describe(bad)}"
        return result["violations"]
    return check


@pytest.fixture
def sign_in() -> Callable:
    """``sign_in(page, base_url, username)``: through the login form, with the factories' password."""
    def go(page, base_url: str, username: str) -> None:
        page.goto(f"{base_url}/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
    return go
