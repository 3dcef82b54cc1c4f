"""The RBF network and extreme learning machine lab: each fitted in closed form on a 2-D toy set, its
decision boundary drawn (with the RBF network's centres and widths)."""

from __future__ import annotations

import streamlit as st

from archs.spec import ConfigError
from training.energy.kernels import toy_fit
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from viz.boundary import decision_boundary
from viz.energy import centers_overlay

KEY = "energy.kern"
SETS = ("moons", "circle", "xor", "spiral", "gauss")


@st.cache_data(show_spinner=False, max_entries=32)
def _fit(arch: str, dataset: str, noise: float, n: int, seed: int, **hp) -> dict:
    out = toy_fit(arch, dataset, noise, n, seed, **hp)
    d = out.pop("data")
    out.update(points=d.points_train, y=d.y_train, points_test=d.points_test, y_test=d.y_test)
    return out


def _panel(arch: str, title: str, out: dict, key: str) -> None:
    st.markdown(f"**{title}**")
    fig = decision_boundary(
        out["xs"], out["probs"], "classification", points_train=out["points"], y_train=out["y"], height=380
    )
    if "centers" in out:
        centers_overlay(fig, out["centers"], out["widths"])
    plotly_chart(fig, key=key)
    st.caption(
        f"Train {out['train_acc']:.1%} · test {out['test_acc']:.1%} · "
        f"fitted in {out['seconds'] * 1000:.0f} ms · "
        f"{out['trained']} of {out['params']} parameters solved, none trained by gradient."
    )


def rbf_elm_lab() -> None:
    st.markdown(
        "Two networks with one hidden layer that backpropagation never touches. The **RBF network**'s units "
        "are bumps around centres placed by k-means, each as wide as the spacing of its neighbours; the "
        "**extreme learning machine**'s units are random and frozen. Both then solve their output weights "
        "by least squares, in one step."
    )
    st.latex(
        r"\text{RBF: } \hat y = \sum_j w_j\, \varphi(\lVert x - c_j \rVert / s_j) \qquad "
        r"\text{ELM: } \beta = H^{+} T"
    )
    c = st.columns([2, 1, 1])
    dataset = c[0].radio("Data", SETS, horizontal=True, key=child(KEY, "data"))
    noise = c[1].slider("Noise", 0.0, 0.5, 0.1, 0.05, key=child(KEY, "noise"))
    n = c[2].select_slider("Points", (40, 100, 200, 400, 800), value=400, key=child(KEY, "n"))
    c = st.columns(4)
    centers = c[0].slider("RBF centres", 1, 200, 30, key=child(KEY, "centers"))
    width = c[1].slider("RBF width", 0.1, 5.0, 1.0, 0.1, key=child(KEY, "width"))
    hidden = c[2].slider("ELM hidden units", 2, 1000, 200, key=child(KEY, "hidden"))
    act = c[3].selectbox("ELM activation", ("sigmoid", "tanh", "relu", "sine"), key=child(KEY, "act"))
    seed = state.seed()
    left, right = st.columns(2)
    with left:
        try:
            rbf = _fit(
                "rbf_net", dataset, float(noise), int(n), seed, num_centers=int(centers), width=float(width)
            )
            _panel("rbf_net", "RBF network", rbf, child(KEY, "rbf"))
        except ConfigError as err:
            st.error(str(err))
    with right:
        try:
            elm = _fit("elm", dataset, float(noise), int(n), seed, hidden_dim=int(hidden), activation=act)
            _panel("elm", "Extreme learning machine", elm, child(KEY, "elm"))
        except ConfigError as err:
            st.error(str(err))
