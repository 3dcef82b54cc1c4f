"""The Speech & audio page in a real browser: train kws_synth for a few ticks on the Keyword spotting tab
and see the held-out confusion matrix drawn, with the step counter moving. Waits on conditions, never on
time."""

from tests.browser import BROWSER_MARKS, IDLE, no_exception, open_page

pytestmark = BROWSER_MARKS

CONFUSION = """() => [...document.querySelectorAll('.js-plotly-plot')].some(p =>
    (p.layout && p.layout.title && String(p.layout.title.text || '').includes('confusion'))
    && (p._fullData || []).some(t => t.type === 'heatmap'))"""
STEPS = "() => /step [1-9]/.test(document.querySelector('[data-testid=\"stProgress\"]')?.innerText || '')"


def test_training_keyword_spotting_draws_the_confusion_matrix(server, browser):
    page = open_page(browser, f"{server}/audio?audio.tab=Keyword+spotting")
    try:
        page.wait_for_selector("h1:has-text('Speech & audio')")
        page.wait_for_function(IDLE)
        page.get_by_role("button", name="Train", exact=True).first.click()
        page.wait_for_function(STEPS, timeout=240_000)  # the data (1,440 clips) is made first
        page.wait_for_function(CONFUSION, timeout=240_000)
        no_exception(page)
    finally:
        pause = page.get_by_role("button", name="Pause")
        if pause.count():
            pause.first.click()
        page.close()
