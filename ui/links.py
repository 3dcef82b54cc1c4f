"""Links that carry the page's state: every choice a page offers round-trips through the URL.

One rule, for every page present and future: **a widget with a key is bound to the URL** (Streamlit's
``bind="query-params"``): its key is the query parameter, its value the parameter's value, and a value
equal to the widget's default is left out, so a link names only what differs from the page as it
opens. ``install()`` makes that the default of every keyed widget call (``bind=None`` opts out); the
tabs of a page (``tabs()``) are bound the same way and run only the open one. So the architecture, its
preset, every hyperparameter of the form (their keys come from the schema: ``<page>.<arch>.<preset>.
<field>``), the training settings, the global seed and presenter mode are in the address bar as the
user sets them, and opening that address reproduces the view.

A link's parameter that no widget of the page takes (unknown, or from an older version of the page)
or whose value the widget refused (out of range, not an option) is dropped, and the page says so in a
short notice (``check_link()``, at the end of the first run of a session: when a link is opened). A
parameter of a closed tab is kept for it: its widget takes the value when the tab opens; so a parameter
counts as unknown when its key family (``ff`` in ``ff.t.lr``) is none of the page's.
"""

from __future__ import annotations

import functools
import inspect
import math
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

# The widget methods that take ``bind`` (Streamlit 1.67); ``tabs`` and ``expander`` are bound only
# where the page asks (a bound tab set reruns the page on every switch: see ``tabs``).
BINDABLE = (
    "checkbox",
    "color_picker",
    "date_input",
    "multiselect",
    "number_input",
    "pills",
    "radio",
    "segmented_control",
    "select_slider",
    "selectbox",
    "slider",
    "text_area",
    "text_input",
    "time_input",
    "toggle",
)
# Keys that stay out of links: the device is this machine's; a data-dictated field is not a choice.
UNLINKED_KEYS = ("atlas.device",)
UNLINKED_PARTS = (".fixed=",)
EVERY_TAB = "atlas.every_tab"  # render every tab's content at once (the AppTest page tests set it)
_CHECKED = "atlas.link_checked"


def linkable(key: Any) -> bool:
    return isinstance(key, str) and key not in UNLINKED_KEYS and not any(p in key for p in UNLINKED_PARTS)


def _outside(name: str, fn, args, kwargs) -> bool:
    """Whether the value this session holds for the widget lies outside the range or options of this
    call. A bound widget is named by its key alone, so a slider whose range shrinks (a trajectory of 5
    steps after one of 50) keeps its old value, and Streamlit refuses it ("value 50 is greater than the
    max_value 4"); an unbound widget was a new widget whenever its range changed."""
    key = kwargs.get("key")
    if name not in ("slider", "number_input", "select_slider") or key not in st.session_state:
        return False
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs).arguments
        held = st.session_state[key]
        values = list(held) if isinstance(held, (list, tuple)) else [held]
        if name == "select_slider":
            fmt = bound.get("format_func") or str
            labels = {fmt(o) for o in bound.get("options", ())}
            return any(fmt(v) not in labels for v in values)
        lo, hi = bound.get("min_value"), bound.get("max_value")
        return any((lo is not None and v < lo) or (hi is not None and v > hi) for v in values)
    except (TypeError, ValueError):  # values of another kind (dates, times): left to Streamlit
        return False


def _bound(fn, name: str):
    if getattr(fn, "_atlas_linked", False):
        return fn

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if "bind" not in kwargs and linkable(kwargs.get("key")):
            kwargs["bind"] = "query-params"
            if _outside(name, fn, args, kwargs):
                del st.session_state[kwargs["key"]]  # back to the widget's default, as an unbound one
        return fn(*args, **kwargs)

    call._atlas_linked = True
    return call


def install() -> None:
    """Bind every keyed widget to the URL by default: on DeltaGenerator (``st.sidebar.x``, ``col.x``)
    and on the ``st.x`` shortcuts, which are bound methods made before this runs. Idempotent."""
    for name in BINDABLE:
        if hasattr(DeltaGenerator, name):
            setattr(DeltaGenerator, name, _bound(getattr(DeltaGenerator, name), name))
        if hasattr(st, name):
            setattr(st, name, _bound(getattr(st, name), name))


class Tab:
    """One tab of ``tabs()``: use ``with tab:`` as with st.tabs, and draw its content only ``if tab.open``."""

    def __init__(self, container, is_open: bool):
        self.container, self.open = container, is_open

    def __enter__(self):
        return self.container.__enter__()

    def __exit__(self, *exc):
        return self.container.__exit__(*exc)


def tabs(labels: list[str], key: str) -> list[Tab]:
    """A page's tabs, bound to the URL under ``key`` (the link opens on the same tab) and lazy: only the
    open tab's content runs (``if tab.open:``), so every rerun (a click, a slider, a training tick's
    page refresh) draws one tab instead of all of them. Switching tabs reruns the page. Widgets keep
    their values while their tab is closed, since they are bound to the URL."""
    ts = st.tabs(labels, key=key, bind="query-params")
    every = bool(st.session_state.get(EVERY_TAB, False))
    return [Tab(t, every or bool(t.open)) for t in ts]


_copy = None


def copy_link_button() -> None:
    """A "Copy link" button (in the sidebar): copies the address bar, which holds the page's settings."""
    global _copy
    if _copy is None:
        import streamlit.components.v2 as components_v2

        js = (Path(__file__).parent / "copy_link" / "copy_link.js").read_text()
        _copy = components_v2.component("archatlas_copy_link", js=js, isolate_styles=False)
    _copy(
        key="atlas.copy_link",
        data={
            "label": "Copy link",
            "done": "Link copied ✓",
            "help": "A link to this page with every setting as it is now: the tab, the architecture, its "
            "hyperparameters, the training settings, the seed and presenter mode.",
        },
        height=40,
    )


# ----------------------------------------------------------------------------- a link's check


def _state():
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.session_state._state


def _as_list(v: Any) -> list[str]:
    return [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]


def _same(a: list[str], b: list[str]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        try:
            if not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=0.0):
                return False
        except ValueError:
            if x.lower() != y.lower():
                return False
    return True


def url_value(key: str) -> list[str] | None:
    """The URL form of the current value of the widget bound to ``key`` (None if none is bound)."""
    from streamlit.runtime.state.query_params import _coerce_value_for_query_url

    state = _state()
    if state is None:
        return None
    b = state.query_params.get_binding_for_param(key)
    if b is None:
        return None
    w = next((w for w in state.get_widget_states() if w.id == b.widget_id), None)
    if w is None or w.WhichOneof("value") is None:
        return None
    v = getattr(w, w.WhichOneof("value"))
    if hasattr(v, "data"):  # array values (a range slider, a multiselect) come as a message
        v = list(v.data)
    return _as_list(_coerce_value_for_query_url(v, b.value_type))


def _stale_form_key(key: str) -> bool:
    """A config form's key (``<page>.<arch>.<preset>.<field>``, ui/forms.py) naming a preset or a field
    the architecture does not have (any more)."""
    from archs.registry import get_arch

    parts = key.split(".")
    if len(parts) != 4:
        return False
    try:
        spec = get_arch(parts[1])
    except KeyError:
        return False
    return parts[2] not in spec.presets or parts[3] not in {f.name for f in spec.fields}


def begin() -> None:
    """Record the link a session was opened with (call first in app.py)."""
    ss = st.session_state
    if _CHECKED not in ss:
        ss[_CHECKED] = {k: st.query_params.get_all(k) for k in st.query_params}


def check_link() -> list[str]:
    """After the first run of a session: the link's parameters this page did not take, dropped from the
    URL and named in a short notice. Returns them (for tests)."""
    ss = st.session_state
    link = ss.get(_CHECKED)
    if not isinstance(link, dict):
        return []
    ss[_CHECKED] = True  # checked: later runs are the user's own clicks
    state = _state()
    if state is None or not link:
        return []
    qp = state.query_params
    # A parameter no widget took in this run may belong to a closed tab (its widget binds, and takes the
    # value, when the tab opens): only one outside every key family this page uses is unknown.
    families = {k.split(".")[0] for k in qp._bindings_by_param}
    dropped = []
    for k, v in link.items():
        if not qp.is_bound(k):
            if k.split(".")[0] not in families or _stale_form_key(k):
                if k in st.query_params:
                    del st.query_params[k]
                dropped.append(f"`{k}` (no such setting on this page)")
        elif (now := url_value(k)) is not None and not _same(_as_list(v), now):
            dropped.append(f"`{k}` = {', '.join(_as_list(v))} (not a value this setting takes)")
    if dropped:
        st.toast(
            "This link has settings the page cannot use; they were left out: " + "; ".join(dropped) + ".",
            icon=":material/link_off:",
        )
    return dropped
