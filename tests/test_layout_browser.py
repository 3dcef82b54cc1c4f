"""Layout in a real browser, as a class sees it: presenter mode enlarges everything it reads, formulas fit
their columns, and on a 1024 × 768 screen nothing is cut (ui/style.py, ui/charts.py).

Every check waits on a condition in the page (the root font size, a drawn chart), never on time; sizes are
compared with each other or with the column that holds them, so no claim depends on the machine's speed.
"""

from __future__ import annotations

import pytest

from tests.browser import BROWSER_MARKS, IDLE, no_exception
from ui.nav import existing_pages
from ui.style import PRESENTER_SCALE

pytestmark = BROWSER_MARKS

ALL_PAGES = ["" if p.path.endswith("home.py") else p.path.rsplit("/", 1)[-1][:-3] for p in existing_pages()]
FAMILY_PAGES = {p.path.rsplit("/", 1)[-1][:-3] for p in existing_pages() if p.families}
ROOT_FONT = "(px) => getComputedStyle(document.documentElement).fontSize === px"
# the app's CSS (ui/style.py) is in effect
STYLED = """() => getComputedStyle(document.querySelector('[data-testid="stMain"]')).containerType
    === 'inline-size'"""

# Every visible display formula wider than the column that holds it (1 px of rounding allowed).
FORMULAS_TOO_WIDE = """() => {
    const out = [];
    for (const k of document.querySelectorAll('.katex-display')) {
        if (k.offsetParent === null) continue;
        const col = k.closest('[data-testid="stColumn"]')
            || k.closest('[data-testid="stMainBlockContainer"]');
        const cs = getComputedStyle(col);
        const width = col.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        if (k.scrollWidth > width + 1) {
            const tex = k.querySelector('annotation');
            const what = (tex ? tex.textContent : '').slice(0, 60);
            out.push(`${k.scrollWidth} px > ${Math.round(width)} px: ${what}`);
        }
    }
    return out;
}"""

# Every visible button, widget label, toggle or select value whose text is cut or spills out of its column,
# and inline math in a label or button that is broken over lines.
TEXT_CUT = """() => {
    const out = [];
    const shown = e => e.offsetParent !== null && e.getBoundingClientRect().width > 0;
    // inline math is checked by its drawn part: KaTeX's hidden MathML copy is clipped on purpose
    const overflows = t => t.clientWidth > 2 && t.scrollWidth > t.clientWidth + 1;
    const ellipsis = t => {  // an ellipsis shows as soon as the text is a fraction of a pixel too wide
        const st = getComputedStyle(t);
        if (st.textOverflow !== 'ellipsis' || st.overflow === 'visible') return false;
        const r = document.createRange();
        r.selectNodeContents(t);
        return r.getBoundingClientRect().width > t.getBoundingClientRect().width + 0.01;
    };
    // a label's text sits in an inline paragraph that wraps, so a squeezed label is not clipped but broken
    // inside its words (a toggle's label in a narrow column: a letter or two a line): a word wider than
    // the block its paragraph wraps in (a zero-width space is a place to break: ui/forms.py)
    const ctx = document.createElement('canvas').getContext('2d');
    const broken = e => [...e.querySelectorAll('[data-testid="stMarkdownContainer"]')].some(m => {
        if (m.querySelector('.katex') || !m.innerText.trim()) return false;
        const p = m.querySelector('p') || m;
        ctx.font = getComputedStyle(p).font;
        const widest = Math.max(...m.innerText.split(/[\\s\\u200b]+/).map(w => ctx.measureText(w).width));
        return widest > m.clientWidth + 1;
    });
    const cut = e => [e, ...e.querySelectorAll('*')].some(
        t => !t.closest('.katex') && !t.querySelector('.katex') && (overflows(t) || ellipsis(t)));
    const spills = e => {
        const col = e.closest('[data-testid="stColumn"]');
        const right = col ? col.getBoundingClientRect().right + 1 : Infinity;
        const parts = [e, ...e.querySelectorAll('p, .katex-html')];
        return parts.some(t => t.getBoundingClientRect().right > right);
    };
    for (const b of document.querySelectorAll('button')) {
        if (!shown(b) || !b.innerText.trim()) continue;
        if (cut(b) || spills(b)) out.push('button: ' + b.innerText.trim());
    }
    // toggles and checkboxes: their label (react-aria's, no longer baseweb's); selects by their input below
    const labels = '[data-testid="stWidgetLabel"], [data-testid="stCheckbox"] label, '
        + '[data-testid="stSidebarNavLink"]';
    for (const l of document.querySelectorAll(labels))
        if (shown(l) && (cut(l) || spills(l) || broken(l))) out.push('label: ' + l.innerText.trim());
    for (const i of document.querySelectorAll('[data-testid="stSelectbox"] input'))
        if (shown(i) && i.scrollWidth > i.clientWidth + 1) out.push('select: ' + i.value);
    for (const k of document.querySelectorAll('[data-testid="stWidgetLabel"] .katex, button .katex')) {
        if (!shown(k)) continue;  // compare with a copy laid out by KaTeX's own CSS alone
        const box = document.createElement('div');
        box.style.cssText = `position: absolute; font-size: ${getComputedStyle(k.parentElement).fontSize}`;
        const copy = box.appendChild(k.cloneNode(true));
        document.body.appendChild(box);
        const squeezed = k.getBoundingClientRect().width < copy.getBoundingClientRect().width - 1;
        box.remove();
        if (squeezed) out.push('inline math broken over lines: ' + k.textContent);
    }
    return [...new Set(out)];  // a toggle's label matches two of the selectors
}"""

FONT_PX = "(sel) => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize)"
TICK_PX = """() => { const t = [...document.querySelectorAll('.js-plotly-plot .xtick text')].find(
    t => t.getBoundingClientRect().width > 0); return t ? parseFloat(t.style.fontSize) : 0; }"""


@pytest.fixture(scope="module")
def app(server, browser):
    """The server, past its first session: the first request of a fresh server switches it out of Streamlit's
    legacy pages mode (ui/boot.py), and a widget changed in that first session springs back once."""
    _open(browser, server, 1024, 768).close()
    return server


def _open(browser, url, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(120_000)  # a loaded 2-core machine renders slowly
    page.goto(url)
    page.wait_for_selector("h1")
    page.get_by_role("switch", name="Presenter mode").wait_for()  # app.py ran (its sidebar)
    page.wait_for_function(IDLE)
    page.wait_for_function(STYLED)
    return page


def _presenter_on(page):
    page.locator('[data-testid="stSidebar"]').get_by_text("Presenter mode", exact=True).click()
    page.wait_for_function(ROOT_FONT, arg=f"{16 * PRESENTER_SCALE:g}px")


def test_presenter_mode_enlarges_titles_formulas_labels_and_charts(app, browser):
    page = _open(browser, f"{app}/feedforward", 1400, 900)
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
        assert page.evaluate(FORMULAS_TOO_WIDE) == []
        assert page.evaluate(TEXT_CUT) == []  # the sidebar's labels and the page's
        no_exception(page)
    finally:
        page.close()


# Every open tab shows content and no script run is in progress. Tabs are lazy: a tab's panel is empty
# until the rerun its click starts draws it. (Streamlit's run-state attribute on stApp is not a signal:
# React can fold a short run's "running" and "not running" into one update, and the DOM never changes.)
DRAWN = """() => {
    const panels = [...document.querySelectorAll('[role="tabpanel"]')].filter(p => p.offsetParent !== null);
    return panels.every(p => p.querySelector('[data-testid="stElementContainer"]'))
        && !document.querySelector('[data-testid="stStatusWidget"]')
        && document.querySelector('[data-testid="stApp"]')
            .getAttribute('data-test-script-state') !== 'running';
}"""

# Click the last visible tab not clicked yet (in document order: nested tabs come after their parent's, so
# the walk goes depth first and reaches every tab); null when none is left.
NEXT_TAB = """(mark) => {
    const todo = [...document.querySelectorAll('[role="tab"]')].filter(
        t => t.offsetParent !== null && t.dataset.atlasWalk !== mark);
    if (!todo.length) return null;
    const t = todo[todo.length - 1];
    t.dataset.atlasWalk = mark;
    t.click();
    return t.innerText.trim();
}"""


def _stable(page, checks: tuple[str, ...]) -> None:
    """Wait until what the checks find, the page's height, the main column's width and the number of
    elements have stayed the same for four polls in a row (a rerun can still be adding elements, and a
    drawn chart can add a scrollbar, which narrows every column)."""
    now = ", ".join(f"({c})()" for c in checks)
    page.evaluate("() => { window.atlasStable = {v: null, n: 0}; }")
    page.wait_for_function(
        f"""() => {{
            const main = document.querySelector('[data-testid="stMain"]');
            const v = JSON.stringify([{now}, document.documentElement.scrollHeight, main && main.clientWidth,
                document.querySelectorAll('[data-testid="stElementContainer"]').length]);
            const s = window.atlasStable;
            if (s.v === v) s.n += 1; else {{ s.v = v; s.n = 0; }}
            return s.n >= 3;
        }}""",
        polling=150,
    )


def _open_tab(page, mark: str) -> str | None:
    """Click the next tab of the walk and wait for the page's rerun to draw it (tabs are lazy: a tab's
    content exists only after the rerun its click starts). None when every tab has been opened."""
    tab = page.evaluate(NEXT_TAB, mark)
    if tab is not None:
        page.wait_for_function(DRAWN)
    return tab


@pytest.mark.parametrize("slug", ALL_PAGES, ids=lambda s: s or "home")
def test_formulas_fit_and_no_text_is_cut_on_any_tab(app, browser, slug):
    """Every tab of the page (nested ones too) in presenter mode at 1024 × 768 and at 1400 px (two columns
    of larger text: the tightest fit for the Idea tabs' formulas), each tab checked at both widths after
    its rerun has drawn it. Not walked at 1024 px without presenter mode: presenter mode only enlarges the
    text of the same layout, so what fits there fits without it (the Playground at 1024 px without
    presenter mode keeps its own test below)."""
    page = _open(browser, f"{app}/{slug}", 1024, 768)
    try:
        if slug in FAMILY_PAGES:  # every family page explains itself with formulas
            page.locator(".katex-display").first.wait_for(state="attached")
        _presenter_on(page)
        page.wait_for_function(IDLE)
        tab = "first tab"
        while tab is not None:
            for width, height in ((1024, 768), (1400, 900)):
                page.set_viewport_size({"width": width, "height": height})
                _stable(page, (FORMULAS_TOO_WIDE, TEXT_CUT))
                where = (f"presenter, {width} px", tab)
                assert page.evaluate(FORMULAS_TOO_WIDE) == [], where
                assert page.evaluate(TEXT_CUT) == [], where
            page.set_viewport_size({"width": 1024, "height": 768})
            tab = _open_tab(page, "walk")
        assert page.locator(".katex-error").count() == 0  # every formula parses
        no_exception(page)
    finally:
        page.close()


BOUNDARY = """() => [...document.querySelectorAll('.js-plotly-plot')].find(p =>
    (p._fullData || []).some(t => t.type === 'heatmap')
    && (p._fullData || []).some(t => (t.name || '').startsWith('class ')))"""
BOUNDARY_BOXES = f"""() => {{
    const p = ({BOUNDARY})();
    const box = e => {{ const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }};
    return {{chart: box(p), plot: box(p.querySelector('.nsewdrag')), legend: box(p.querySelector('.legend')),
             below: [...p.querySelectorAll('.xtick text, .g-xtitle text')].map(box)}};
}}"""


ROW_TOPS = """(names) => names.map(n => [...document.querySelectorAll('button')].find(
    b => b.offsetParent !== null && b.innerText.trim().endsWith(n)).getBoundingClientRect().top)"""


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
def test_playground_at_1024_keeps_its_buttons_and_a_large_boundary(app, browser, presenter):
    page = _open(browser, f"{app}/feedforward", 1024, 768)
    try:
        if presenter:
            _presenter_on(page)
        page.get_by_role("tab", name="Playground", exact=True).click()
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(f"() => !!({BOUNDARY})()")
        page.wait_for_function(IDLE)
        boxes = page.evaluate(BOUNDARY_BOXES)
        chart, plot = boxes["chart"], boxes["plot"]
        assert chart[2] - chart[0] >= 300, chart  # was squeezed to a ~100 px plot beside the neuron maps
        assert plot[2] - plot[0] >= 250, plot
        assert not any(_overlap(boxes["legend"], b) for b in boxes["below"]), boxes  # legend off the x axis
        assert page.evaluate(TEXT_CUT) == []  # Train, Step, Reset, the selects and toggles read in full
        if not presenter:  # the train panel's empty spacer column gives its room: one row of controls
            tops = page.evaluate(ROW_TOPS, ["Train", "Step", "Reset"])
            assert len(set(tops)) == 1, tops
        no_exception(page)
    finally:
        page.close()
