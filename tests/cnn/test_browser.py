"""The CNN page in Chromium: choose ResNet-152 at its canonical (published) size and see its layer graph
drawn (built and traced on the meta device). Uses the browser suite's server and browser fixtures."""

from tests.browser import BROWSER_MARKS, no_exception, open_page

pytestmark = BROWSER_MARKS

GRAPH_NODES = """() => Math.max(0, ...[...document.querySelectorAll('.js-plotly-plot')].filter(p =>
    p.offsetParent !== null).map(p => ((p.data || []).find(t => t.name === 'layers') || {}).customdata)
    .filter(c => c).map(c => c.length))"""


def _choose(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=False).first.click()
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )


def test_resnet152_canonical_graph_is_drawn(server, browser):
    page = open_page(browser, f"{server}/cnn")
    try:
        page.wait_for_selector("h1:has-text('Convolutional networks')", timeout=120_000)
        page.get_by_role("tab", name="Architectures", exact=True).click()
        _choose(page, "Architecture", "ResNet-152")
        _choose(page, "Preset", "canonical")
        page.get_by_role("tab", name="Graph", exact=True).click()
        page.wait_for_function(f"() => ({GRAPH_NODES})() > 20", timeout=180_000)
        assert page.evaluate(GRAPH_NODES) > 20  # collapsed view: stages, repeated bottlenecks as ×N
        page.get_by_role("tab", name="Summary", exact=True).click()
        page.wait_for_selector("text=60,192,808 parameters", timeout=180_000)
        assert "matches exactly" in page.inner_text("body")
        no_exception(page)
    finally:
        page.close()
