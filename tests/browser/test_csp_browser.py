"""The Content-Security-Policy in a real browser: code that is not one of the site's own files
is refused, and the refusal is seen (every browser test's page fails on one, so a page that
needs inline code cannot pass unnoticed)."""
from __future__ import annotations


def test_an_injected_inline_script_is_refused(page, base_url):
    page.goto(f"{base_url}/login")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.injected = true'; document.body.append(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected === undefined")
    assert any("script-src 'self'" in text for text in page.csp_refusals), page.csp_refusals
    page.csp_refusals.clear()  # seen and expected: the fixture's own check would fail the test otherwise


def test_the_sign_in_page_runs_its_own_scripts(page, base_url):
    page.goto(f"{base_url}/login")
    assert page.evaluate("() => typeof bootstrap === 'object' && typeof htmx === 'object'")
