"""The app's own CSS, injected once per run by app.py: presenter mode.

Streamlit sizes its text in rem. **Presenter mode** sets the root font size, so every title, paragraph,
label, widget and formula (KaTeX sizes in em) grows by ``PRESENTER_SCALE`` together, and nothing is shrunk
back by a selector that hits more than it meant to. Plotly draws its text in pixels inside the figure;
``ui.charts.plotly_chart`` enlarges that.
"""

from __future__ import annotations

import streamlit as st

from ui import state

PRESENTER_SCALE = 1.25

PRESENTER_CSS = f"html {{ font-size: {16 * PRESENTER_SCALE:g}px; }}"


def inject() -> None:
    """Presenter mode's CSS when the sidebar switch is on (call after the sidebar)."""
    if state.presenter():
        st.html(f"<style>{PRESENTER_CSS}</style>")
