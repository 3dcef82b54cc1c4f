"""Links that carry the state (ui/links.py): every keyed widget is in the URL, a link reproduces the view,
a bad link's parameters are dropped with a notice, and pages draw only their open tab."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from archs.registry import list_archs
from tests.apptest import app_test, errors
from tests.conftest import ROOT
from ui.forms import log_options

PRESET = "tiny"


def _form(arch: str = "mlp"):
    """One architecture's config form, as a page draws it; publishes each widget's URL form."""
    import streamlit as st

    from archs.registry import get_arch
    from ui import links
    from ui.forms import config_form

    links.install()
    spec = get_arch(st.session_state.get("arch", arch))
    config_form(spec, key="rt", preset="tiny")
    st.session_state["urls"] = {
        k: links.url_value(k) for k in list(st.session_state) if isinstance(k, str) and k.startswith("rt.")
    }


def _other_value(f, v):
    """A valid value of field ``f`` other than ``v`` (its tiny value), or None if it has no other."""
    if f.kind == "bool":
        return not v
    if f.kind == "choice" or (f.choices and f.kind != "ints"):
        return next((c for c in f.choices or () if c != v), None)
    if f.kind == "int":
        lo, hi = int(f.lo if f.lo is not None else 0), int(f.hi if f.hi is not None else 10**9)
        return next((x for x in (hi, lo, min(hi, v + 1)) if x != v), None)
    if f.kind == "float":
        if f.log and f.lo and f.hi:
            return next(x for x in log_options(f, v) if x != float(v))
        lo, hi = f.lo, f.hi
        return next((float(x) for x in (hi, lo) if x is not None and float(x) != float(v)), None)
    return tuple(int(x) + 1 for x in v) or (3,)  # a list of sizes


def _url_args(urls: dict) -> dict:
    return {k: (v[0] if len(v) == 1 else v) for k, v in urls.items() if v is not None}


def test_every_architectures_form_round_trips_through_the_url():
    """Each architecture's tiny form with every field changed to another valid value: what Streamlit
    writes into the URL for those values (its own serialisation), opened in a new session, gives the
    same values back."""
    a = AppTest.from_function(_form, default_timeout=60)
    b = AppTest.from_function(_form, default_timeout=60)
    checked = 0
    for spec in list_archs():
        tiny = spec.presets[PRESET]
        want = {}
        for f in spec.fields:
            other = _other_value(f, tiny.get(f.name, f.default))
            if other is not None:
                want[f"rt.{spec.name}.{PRESET}.{f.name}"] = other
        a.session_state["arch"] = spec.name
        a.run()
        for k, v in want.items():
            a.session_state[k] = ", ".join(map(str, v)) if isinstance(v, tuple) else v
        a.run()
        assert not a.exception, (spec.name, [e.value for e in a.exception])
        urls = a.session_state["urls"]
        b.session_state["arch"] = spec.name
        b.query_params.clear()
        b.query_params.update(_url_args({k: urls[k] for k in want}))
        b.run()
        assert not b.exception, (spec.name, [e.value for e in b.exception])
        for k, v in want.items():
            got = b.session_state[k]
            assert got == (", ".join(map(str, v)) if isinstance(v, tuple) else v), (k, got, v, urls[k])
            checked += 1
    assert checked > 300  # every architecture, most of their fields


def _range_shrinks():
    import streamlit as st

    from ui import links

    links.install()
    n = st.session_state.get("n", 50)
    st.write("value", st.slider("Step", 0, n, n, key="traj"))


def test_a_bound_slider_whose_range_shrinks_falls_back_to_its_default():
    """Bound widgets are named by their key alone: a value outside the new range would make Streamlit
    raise "value 50 is greater than the max_value 4" (seen on the diffusion page's trajectory)."""
    at = AppTest.from_function(_range_shrinks).run()
    at.slider(key="traj").set_value(30).run()
    at.session_state["n"] = 4
    at.run()
    assert not at.exception and at.slider(key="traj").value == 4


def _app(query: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(query)
    at.switch_page("pages/cnn.py")
    return at.run()


def test_a_link_opens_the_page_as_it_was():
    at = _app(
        {
            "cnn.tab": "Architectures",
            "cnn.arch": "ResNet-34 (2015)",
            "cnn.view": "Summary",
            "cnn.resnet34.tiny.num_classes": "7",
            "atlas.seed": "5",
            "atlas.presenter": "true",
        }
    )
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="cnn.arch").value.name == "resnet34"
    assert at.number_input(key="cnn.resnet34.tiny.num_classes").value == 7
    assert at.number_input(key="atlas.seed").value == 5 and at.toggle(key="atlas.presenter").value
    # only the open tab is drawn: the Architectures tab's summary, not the Idea tab's formulas
    assert at.slider(key="cnn.s.sdepth").value == 2 and not at.latex
    assert not at.toast


def test_a_bad_link_is_dropped_with_a_notice_and_the_page_opens():
    at = _app({"cnn.tab": "Architectures", "nonsense": "1", "cnn.resnet18.tiny.num_classes": "100000"})
    assert not at.exception and not errors(at)
    notice = " ".join(t.value for t in at.toast)
    assert "`nonsense`" in notice and "cnn.resnet18.tiny.num_classes" in notice
    assert at.number_input(key="cnn.resnet18.tiny.num_classes").value != 100000


def test_a_stale_form_key_is_named_in_the_notice():
    at = _app({"cnn.resnet18.tiny.no_such_field": "3", "cnn.resnet18.huge.depth": "3"})
    notice = " ".join(t.value for t in at.toast)
    assert "no_such_field" in notice and "cnn.resnet18.huge.depth" in notice


def test_pages_draw_only_the_open_tab():
    at = app_test("pages/feedforward.py", every_tab=False).run()
    assert at.latex and not [s for s in at.select_slider if s.key == "pg.lr"]  # Idea: formulas only
    at = app_test("pages/feedforward.py", every_tab=False)
    at.query_params["ff.tab"] = "Playground"
    at.run()
    assert not at.exception and not at.latex
    assert any(w.key and w.key.startswith("pg.") for w in [*at.select_slider, *at.slider, *at.selectbox])
