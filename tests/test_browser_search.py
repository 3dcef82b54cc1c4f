"""The Architecture search page in a real browser: run one search generation (two queued jobs) and see
the Pareto chart appear and grow. Waits on conditions, never on time."""

from tests.browser import BROWSER_MARKS, IDLE, no_exception, open_page

pytestmark = BROWSER_MARKS

CHARTS = "() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length"


def test_one_generation_draws_and_grows_the_pareto_chart(server, browser):
    page = open_page(browser, f"{server}/search?search.tab=Evolution")
    try:
        page.wait_for_selector("h1:has-text('Architecture search')")
        page.wait_for_function(IDLE)
        before = page.evaluate(CHARTS)
        page.get_by_role("button", name="Run both searches").click()
        page.wait_for_function(f"() => ({CHARTS})() >= {before + 2}", timeout=180_000)
        points = "() => [...document.querySelectorAll('.scatterlayer .point')].length"
        first = page.evaluate(points)
        page.wait_for_function(f"() => ({points})() > {first}", timeout=180_000)
        no_exception(page)
    finally:
        page.close()
