"""Widget and element keys derived from one prefix, so that two parts of a page cannot collide.

A page section owns a prefix ("cnn.deg"); everything it draws takes a key derived from it with
``child(prefix, "name", ...)``, and a part it hands drawing to (the training panel, a view inside it)
gets a prefix of its own: the training panel of "cnn.deg" owns "cnn.deg.play", "cnn.deg.live.*"…, and
what a lab draws inside the panel uses "cnn.deg.view.*". Streamlit refuses two elements with one key
in a run (StreamlitDuplicateElementKey); a test renders every page and lab while training to check.
"""

from __future__ import annotations


def child(parent: str, *names: str) -> str:
    """``child("cnn.deg", "view", "curves")`` -> "cnn.deg.view.curves"."""
    if not parent or any(not n or "." in n for n in names):
        raise ValueError(f"bad key parts: {parent!r}, {names!r}")
    return ".".join((parent, *names))
