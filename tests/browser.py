"""What every browser test shares: Debian's Chromium through Playwright, a real ``streamlit run``
server, and helpers to open a page and check it. The ``browser`` and ``server`` fixtures live in
``tests/conftest.py`` (module-scoped); a browser test module sets ``pytestmark = BROWSER_MARKS``.
"""

import contextlib
import importlib.util
import shutil

import pytest

from bench.browser_load import ARGS, Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None, reason="playwright is not installed"),
]

IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"  # no script run in progress


@contextlib.contextmanager
def serve():
    with Server() as srv:
        yield srv.url


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    page.set_default_timeout(120_000)  # a loaded 2-core machine renders slowly
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)
    return page


# the last step drawn on the "train loss" curve (plotly.js's decoded _fullData). Not the number of
# points: the curve is thinned to 2,000 points, so past step 2,000 its length stops growing.
CURVE_LAST_STEP = """() => {
    for (const p of document.querySelectorAll('.js-plotly-plot')) {
        const t = (p._fullData || []).find(t => (t.name || '').includes('train loss'));
        if (t && t.x && t.x.length) return Number(t.x[t.x.length - 1]);
    }
    return 0;
}"""


def no_exception(page):
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]


def launch(p):
    """Debian's Chromium, headless, with the flags a closed sandbox needs."""
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
