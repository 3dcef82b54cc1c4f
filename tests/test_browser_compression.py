"""The Compression page in a real browser: one pruning step (Step: fine-tuning the pruned base model) adds
the run to the accuracy-against-sparsity chart and changes the weight histogram. Waits on conditions,
never on time."""

from tests.browser import BROWSER_MARKS, IDLE, no_exception, open_page

pytestmark = BROWSER_MARKS

# the legend texts of every Plotly chart on the page
LEGENDS = """() => [...document.querySelectorAll('.js-plotly-plot .legendtext')].map(e => e.textContent)"""


def test_a_pruning_step_changes_the_charts(server, browser):
    page = open_page(browser, f"{server}/compression?cmp.tab=Pruning")
    try:
        page.wait_for_selector("h1:has-text('Compression')")
        two_charts = "() => document.querySelectorAll('.js-plotly-plot').length >= 2"
        page.wait_for_function(two_charts, timeout=120_000)
        page.wait_for_function(IDLE)
        before = page.evaluate(LEGENDS)
        assert not any(t.endswith("fine-tuned") for t in before), before
        assert any("no fine-tuning" in t for t in before), before
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.js-plotly-plot .legendtext')]
                     .some(e => e.textContent.endsWith('fine-tuned'))""",
            timeout=120_000,
        )
        page.wait_for_function(IDLE)
        after = page.evaluate(LEGENDS)
        assert after != before and any("kept after pruning" in t for t in after), after
        no_exception(page)
    finally:
        page.close()
