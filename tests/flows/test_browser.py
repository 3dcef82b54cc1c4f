"""The Normalizing flows page in Chromium: the 2-D lab shows the untrained flow's density; Train, and the
plotted density (the heat map's z, read from plotly.js's data) changes while the step counter moves. Waits
on conditions, never on time; how fast the machine trains does not matter."""

from tests.browser import BROWSER_MARKS, IDLE, no_exception, open_page

pytestmark = BROWSER_MARKS

# the density heat map's values as plotted (plotly.js's decoded _fullData: the figure's own z arrives as
# base64 typed data), or null while none is drawn
DENSITY = """() => { for (const p of document.querySelectorAll('.js-plotly-plot')) {
    const t = (p._fullData || []).find(t => t.name === 'density');
    if (t && t.z && t.z.length) return JSON.stringify(Array.from(t.z, r => Array.from(r)));
  } return null; }"""
STEPS = "() => /step [1-9]/.test(document.querySelector('[data-testid=\"stProgress\"]')?.innerText || '')"


def test_training_changes_the_plotted_density(server, browser):
    page = open_page(browser, f"{server}/flows?flows.tab=2-D+lab")
    try:
        page.wait_for_selector("h1:has-text('Normalizing flows')")
        page.wait_for_function(f"() => ({DENSITY})() !== null")
        page.wait_for_function(IDLE)
        before = page.evaluate(DENSITY)
        page.get_by_role("button", name="Train", exact=True).first.click()
        page.wait_for_function(STEPS)
        page.wait_for_function(f"() => {{ const d = ({DENSITY})(); return d !== null && d !== {before!r}; }}")
        no_exception(page)
    finally:
        pause = page.get_by_role("button", name="Pause")
        if pause.count():
            pause.first.click()
        page.close()
