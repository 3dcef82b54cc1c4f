"""Make every URL run through app.py's st.navigation, even the first request to a fresh server.

Streamlit keeps a legacy mode for apps with a ``pages/`` folder beside the entry script: until some
session has called ``st.navigation``, a request for ``/feedforward`` runs ``pages/feedforward.py``
alone, without app.py's page config, sidebar and navigation. Every page calls ``ensure_app()`` first:
in that legacy mode it switches the process to st.navigation and reruns, so app.py runs and routes
to the same page by its URL.
"""

from __future__ import annotations

import streamlit as st


def ensure_app() -> None:
    from ui import links

    links.install()  # also when a page runs alone (the AppTest page tests)
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
