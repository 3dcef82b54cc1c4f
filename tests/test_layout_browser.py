"""Layout in a real browser, as a class sees it: presenter mode enlarges everything it reads (ui/style.py,
ui/charts.py).

Every check waits on a condition in the page (the root font size, a drawn chart), never on time; sizes are
compared with each other or with the column that holds them, so no claim depends on the machine's speed.
"""

from __future__ import annotations

from tests.browser import BROWSER_MARKS, no_exception
from ui.style import PRESENTER_SCALE

pytestmark = BROWSER_MARKS

ROOT_FONT = "(px) => getComputedStyle(document.documentElement).fontSize === px"
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"

FONT_PX = "(sel) => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize)"
TICK_PX = """() => { const t = [...document.querySelectorAll('.js-plotly-plot .xtick text')].find(
    t => t.getBoundingClientRect().width > 0); return t ? parseFloat(t.style.fontSize) : 0; }"""


def _open(browser, url, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(120_000)  # a loaded 2-core machine renders slowly
    page.goto(url)
    page.wait_for_selector("h1")
    page.get_by_role("switch", name="Presenter mode").wait_for()  # app.py ran (its sidebar, its CSS)
    page.wait_for_function(IDLE)
    return page


def _presenter_on(page):
    page.locator('[data-testid="stSidebar"] label').filter(has_text="Presenter mode").click()
    page.wait_for_function(ROOT_FONT, arg=f"{16 * PRESENTER_SCALE:g}px")


def test_presenter_mode_enlarges_titles_formulas_labels_and_charts(server, browser):
    page = _open(browser, f"{server}/feedforward", 1400, 900)
    try:
        page.wait_for_function(f"() => ({TICK_PX})() > 0")  # the activation curves are drawn
        sels = ("h1", '[data-testid="stMain"] p', ".katex-display .katex", '[data-testid="stWidgetLabel"] p')
        before = {s: page.evaluate(FONT_PX, s) for s in sels}
        tick = page.evaluate(TICK_PX)
        _presenter_on(page)
        page.wait_for_function(f"(t) => ({TICK_PX})() > t", arg=tick)  # the chart is drawn again, larger
        after = {s: page.evaluate(FONT_PX, s) for s in sels}
        for s in sels:
            assert after[s] >= before[s] * 1.2, (s, before[s], after[s])
        assert page.evaluate(TICK_PX) >= tick * 1.2
        page.wait_for_function(IDLE)
        no_exception(page)
    finally:
        page.close()
