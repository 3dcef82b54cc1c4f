"""The app's own CSS, injected once per run by app.py: a layout that adapts to narrow screens, and presenter
mode.

Streamlit sizes its text in rem and lays columns out in fixed proportions. So:

- **Presenter mode** sets the root font size: every title, paragraph, label, widget, formula (KaTeX sizes
  in em) and the app's own rem thresholds below grow by ``PRESENTER_SCALE`` together, and nothing is
  shrunk back by a selector that hits more than it meant to. Plotly draws its text in pixels inside the
  figure; ``ui.charts.plotly_chart`` enlarges that.
- **Narrow main area** (a container query on the main area, so it follows the sidebar's width, and in
  presenter mode starts earlier because its width is in rem): the side padding shrinks, columns wrap
  instead of squeezing their widgets (a minimum width per column; rows of five or more columns take a
  larger minimum, so they break into rows of two or three rather than four and one); in a row of three
  or more columns, those that hold a chart take half the width each (a grid of two per row, the last one
  not stretched); in a row of two, columns that hold a chart or a formula take at least 24 rem (they
  stack at full width unless there is room for both); empty spacer columns give their room to the
  others.
- **Labels wrap** (widget labels, toggles, checkboxes, radio options, button texts, the sidebar's page
  links) instead of ending in "…", and a button is never narrower than its text.
- **Formulas** never spill out of their column: a display formula too wide for its column scrolls inside
  it; the formulas themselves are written to fit (long ones break into aligned lines), and the browser
  tests check that none is wider than its column.
"""

from __future__ import annotations

import streamlit as st

from ui import state

PRESENTER_SCALE = 1.25

# Texts that wrap rather than end in "…"; inline math inside them (KaTeX) keeps its own layout.
WRAPPED = (
    '[data-testid="stWidgetLabel"]',
    'label[data-baseweb="checkbox"]',
    'label[data-baseweb="radio"]',
    '[data-testid="stButton"] button',
    '[data-testid="stDownloadButton"] button',
    '[data-testid="stFormSubmitButton"] button',
    '[data-testid="stSidebarNavLink"]',
)

BASE_CSS = """
[data-testid="stMain"] { container: atlas-main / inline-size; }
@container atlas-main (max-width: 60rem) {
  [data-testid="stMainBlockContainer"] { padding-left: 1.5rem; padding-right: 1.5rem; }
  {row} { flex-wrap: wrap; }
  {col} { min-width: min(100%, 9rem); }
  {row}:has({filled5}) > {col} { min-width: min(100%, 12rem); }
  {row}:has({filled3}) > {col}:has({chart}) { flex: 0 0 calc(50% - 0.5rem); min-width: calc(50% - 0.5rem); }
  {row}:not(:has({filled3})) > {col}:has({chart}, .katex-display) { min-width: min(100%, 24rem); }
  {col}:not(:has([data-testid="stElementContainer"])) { display: none; }
}
{wrapped} {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stButton"] button, [data-testid="stDownloadButton"] button { min-width: min-content; }
.katex-display { max-width: 100%; overflow-x: auto; overflow-y: hidden; }
"""
_COL = '[data-testid="stColumn"]'
for _name, _text in {
    "wrapped": ",\n".join(f"{w} *:not(.katex, .katex *)" for w in WRAPPED),
    # a row's n-th column when it holds something: an empty spacer column does not make a row wider
    "filled3": f'> {_COL}:nth-child(3) > [data-testid="stVerticalBlock"]:not(:empty)',
    "filled5": f'> {_COL}:nth-child(5) > [data-testid="stVerticalBlock"]:not(:empty)',
    "row": '[data-testid="stHorizontalBlock"]',
    "col": _COL,
    "chart": '[data-testid="stPlotlyChart"]',
}.items():
    BASE_CSS = BASE_CSS.replace("{" + _name + "}", _text)

PRESENTER_CSS = f"html {{ font-size: {16 * PRESENTER_SCALE:g}px; }}"


def inject() -> None:
    """The app's CSS, and presenter mode's when the sidebar switch is on (call after the sidebar)."""
    css = BASE_CSS + (PRESENTER_CSS if state.presenter() else "")
    st.html(f"<style>{css}</style>")
