"""The browser suite: a real ``streamlit run`` server and headless Chromium (Debian's, via Playwright).

Skipped when Chromium or Playwright is missing (CI installs both). Checks what only a browser
shows: pages load without an exception box, Plotly charts are drawn, training moves the loss curve.
"""

import time

import pytest

from tests.browser import BROWSER_MARKS, CURVE_LENGTH, no_exception, open_page, serve
from ui.nav import existing_pages

pytestmark = BROWSER_MARKS


def test_a_direct_link_on_a_fresh_server_runs_the_whole_app(browser):
    """The first request of a new server goes straight to a page, not to the root: the page must still
    come with app.py's sidebar and navigation (see ui/boot.py)."""
    with serve() as fresh:
        _direct_link(browser, fresh)


def _direct_link(browser, server):
    page = open_page(browser, f"{server}/feedforward")
    try:
        page.wait_for_selector("h1:has-text('Feedforward networks')", timeout=120_000)
        page.wait_for_selector("text=Global seed", timeout=30_000)  # app.py's sidebar
        assert "Foundations" in page.inner_text("body")
    finally:
        page.close()


@pytest.mark.parametrize("path", [p.path for p in existing_pages()])
def test_every_page_loads_and_draws(server, browser, path, tmp_path):
    slug = "" if path.endswith("home.py") else path.rsplit("/", 1)[-1][:-3]
    page = open_page(browser, f"{server}/{slug}")
    try:
        page.wait_for_selector("h1", timeout=120_000)
        no_exception(page)
        if slug == "":
            page.wait_for_selector('[data-testid="stDataFrame"]', timeout=120_000)
        else:  # every family page shows a layer graph: open the tab that holds it
            for label in ("Architectures", "Graph"):
                tab = page.get_by_role("tab", name=label, exact=True)
                if tab.count():
                    tab.first.click()
            # the layer graph: a drawn, visible plot whose node trace has the model's layers
            page.wait_for_function(
                """() => [...document.querySelectorAll('.js-plotly-plot')].some(p =>
                p.offsetParent !== null && (p.data || []).some(t => t.name === 'layers' && t.customdata
                && t.customdata.length > 3) && p.querySelectorAll('.scatterlayer .point').length > 3)""",
                timeout=120_000,
            )
        page.screenshot(path=str(tmp_path / f"{slug or 'home'}.png"))
        no_exception(page)
    finally:
        page.close()


def test_clicking_a_graph_node_opens_its_details(server, browser):
    page = open_page(browser, f"{server}/feedforward")
    try:
        page.get_by_role("tab", name="Architectures").click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.js-plotly-plot')].some(p => p.offsetParent !== null
            && (p._fullData || []).some(t => t.name === 'layers'))""",
            timeout=120_000,
        )
        node = page.evaluate(
            """() => { const p = [...document.querySelectorAll('.js-plotly-plot')].find(p =>
                p.offsetParent !== null && (p._fullData || []).some(t => t.name === 'layers'));
              const t = p._fullData.find(t => t.name === 'layers');
              return Array.from(t.customdata).indexOf('head'); }"""
        )
        assert node >= 0
        point = page.locator(".js-plotly-plot .scatterlayer .trace").last.locator(".point").nth(node)
        box = point.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x - 4, y - 4)
        time.sleep(0.3)
        page.mouse.move(x, y)
        time.sleep(0.5)
        page.mouse.click(x, y)
        page.wait_for_selector("text=head · Linear", timeout=120_000)  # the details of the clicked layer
        no_exception(page)
    finally:
        page.close()


def _eventually(check, timeout: float = 60.0, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


def test_playground_train_moves_the_loss_curve(server, browser):
    page = open_page(browser, f"{server}/feedforward")
    try:
        page.get_by_role("tab", name="Playground").click()
        # the longest run (50,000 steps): the default 5,000 can end in ~6 s, before the checks below
        stop = page.locator('[data-testid="stSlider"]').filter(has_text="Stop after").get_by_role("slider")
        stop.first.focus()
        page.keyboard.press("End")
        assert _eventually(lambda: stop.first.get_attribute("aria-valuetext") == "50000", 30)
        page.get_by_role("button", name="Train").first.click()
        progress = page.locator('[data-testid="stProgress"]').first
        progress.wait_for(timeout=120_000)

        def step() -> int:
            text = page.locator('[data-testid="stProgress"]').first.inner_text()
            return int(text.split("step ")[1].split(" /")[0].replace(",", ""))

        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=120_000
        )
        first = step()
        # a loaded 2-core machine (the other test worker, the server) may delay a poll: wait up to 60 s
        assert _eventually(lambda: step() > first), "the step counter did not move while training"
        n_points = page.evaluate(CURVE_LENGTH)
        assert n_points > 0
        assert _eventually(lambda: page.evaluate(CURVE_LENGTH) > n_points), "the loss curve did not grow"
        no_exception(page)
    finally:
        pause = page.get_by_role("button", name="Pause")
        if pause.count():
            pause.first.click()  # do not leave a 50,000-step job loading the shared server
        page.close()


def test_transformer_attention_grid_is_drawn(server, browser):
    """The Attention tab draws a heatmap for every layer × head of the chosen model, then one head
    large and the rollout: all visible and painted (plotly draws each heatmap as an image)."""
    page = open_page(browser, f"{server}/transformers")
    try:
        page.get_by_role("tab", name="Architectures", exact=True).click()
        page.get_by_role("tab", name="Attention", exact=True).click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.js-plotly-plot')].some(p => p.offsetParent !== null
            && (p._fullData || []).filter(t => t.type === 'heatmap').length >= 4
            && p.querySelectorAll('.heatmaplayer image').length >= 4)""",
            timeout=120_000,
        )
        maps = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent !== null)
            .map(p => (p._fullData || []).filter(t => t.type === 'heatmap').length)"""
        )
        assert len([m for m in maps if m >= 1]) >= 3, maps  # the grid, one head large, the rollout
        no_exception(page)
    finally:
        page.close()
