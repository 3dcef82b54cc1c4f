"""The Selection guide in a real browser: pick a task, follow a pick's link, land on its family page with
that architecture picked. Waits on conditions, never on time."""

import re

from tests.browser import BROWSER_MARKS, IDLE, no_exception, open_page

pytestmark = BROWSER_MARKS

# a select box of the page shows this value (its text sits in the box's input)
PICKED = (
    """(v) => [...document.querySelectorAll('[data-testid="stSelectbox"] input')].some(i => i.value === v)"""
)


def _choose(page, label: str, option: str) -> None:
    """Open the select box labelled ``label`` and pick ``option``."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_function(IDLE)


def test_the_guide_picks_a_task_and_opens_a_family_page(server, browser):
    page = open_page(browser, f"{server}/guide")
    try:
        page.wait_for_selector("h1:has-text('Selection guide')")
        _choose(page, "Task", "Object detection")
        link = page.get_by_role("link", name=re.compile(r"YOLOv8: YOLOv8n on Detection & segmentation"))
        link.wait_for()
        no_exception(page)
        link.click()
        page.wait_for_selector("h1:has-text('Detection & segmentation')")
        page.wait_for_function(IDLE)
        assert "det.arch=YOLOv8n" in page.url, page.url
        # the family page opened on its Architectures tab with YOLOv8n picked
        page.get_by_role("tab", name="Architectures", selected=True).wait_for()
        page.wait_for_function(PICKED, arg="YOLOv8n (2023)")
        no_exception(page)
    finally:
        page.close()
