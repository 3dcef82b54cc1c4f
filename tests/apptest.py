"""What the AppTest page tests share: open a page, poll it while a job trains (AppTest does not fire
``run_every``, so a test reruns the script itself), and read its progress bars and errors."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import numpy as np
import torch_geometric  # noqa: F401 - see below
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.links import EVERY_TAB

# torch_geometric (the graph family's layers) tries, on its first import, the optional package
# ``transformers`` (guarded by try/except ImportError). AppTest puts the page's own folder on sys.path,
# where pages/transformers.py answers that name: the Transformers page then ran as a module inside the
# registry's import, in whatever page was open. Imported here first, before any page runs, the lookup
# is settled on the suite's own sys.path. (``streamlit run app.py`` puts only the root on the path.)


def app_test(path: str, timeout: float = 120, every_tab: bool = True) -> AppTest:
    """An AppTest of ``path`` (relative to the repository root, or absolute), not run yet. Pages draw
    only their open tab (ui/links.py); ``every_tab`` has them draw every tab, as the page tests read
    every tab's content from one run (the lazy tabs themselves are tested in tests/test_links.py)."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    if every_tab:
        at.session_state[EVERY_TAB] = True
    return at


def open_page(path: str, timeout: float = 120) -> AppTest:
    """Render ``path`` (relative to the repository root) once, every tab; fail on any exception box."""
    at = app_test(path, timeout)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def progress(at: AppTest) -> list[str]:
    """The texts of every progress bar (the training panels print step and status there)."""
    return [p.proto.text for p in at.get("progress")]


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def poll(at: AppTest, pred: Callable[[AppTest], bool], timeout: float = 60.0) -> AppTest:
    """Rerun the page until ``pred`` holds (a job trains in the background meanwhile); never an
    exception box on the way."""
    end = time.time() + timeout
    while time.time() < end:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if pred(at):
            return at
        time.sleep(0.3)
    raise AssertionError("the page did not reach the expected state; progress: " + str(progress(at)))


def plotly_values(v) -> np.ndarray:
    """A trace's array from a chart's JSON: a (nested) list, or Plotly's typed array ({"dtype", "bdata"}
    in base64, with "shape" for 2-D) as plotly.py writes numpy arrays."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        shape = v.get("shape")
        if shape:
            a = a.reshape([int(s) for s in str(shape).split(",")])
        return a
    return np.asarray(v, dtype=float)


def chart(at: AppTest, key: str) -> dict | None:
    """The JSON of the Plotly chart whose element key ends with ``key`` (None if the page drew none)."""
    return next((json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(key)), None)


def on_tab(path: str, tab_key: str, tab: str, timeout: float = 240, **state) -> AppTest:
    """The page drawn with one tab open (its URL binding ``tab_key``) and session state set first
    (``a__b`` in a name stands for ``a.b``); asserts it drew without an exception."""
    at = app_test(path, timeout=timeout, every_tab=False)
    at.query_params[tab_key] = tab
    for k, v in state.items():
        at.session_state[k.replace("__", ".")] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
