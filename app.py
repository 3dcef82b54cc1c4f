"""ArchAtlas: an interactive atlas of deep learning architectures. Run with ``streamlit run app.py``."""

import streamlit as st

from ui import links
from ui.nav import GROUPS, existing_pages
from ui.sidebar import sidebar
from ui.style import inject as inject_style

links.install()  # every keyed widget is in the URL: a link reproduces the view (ui/links.py)
st.set_page_config(page_title="ArchAtlas", page_icon=":material/map:", layout="wide")
links.begin()
sidebar()
inject_style()
pages = existing_pages()
nav = {
    g: [st.Page(p.path, title=p.title, icon=p.icon, default=p.default) for p in pages if p.group == g]
    for g in GROUPS
}
st.navigation({g: ps for g, ps in nav.items() if ps}).run()
links.check_link()
