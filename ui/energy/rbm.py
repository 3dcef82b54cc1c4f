"""The RBM and DBN labs of the energy page.

``rbm_lab()``: a Bernoulli RBM learns the binarised 8×8 digits live (recipe ``rbm_digits``): its filters
form, its reconstructions sharpen, and a Gibbs chain of fantasy samples can be scrubbed step by step;
reconstruction error and pseudo-likelihood curves. ``dbn_lab()``: a deep belief net pre-trained one RBM at a
time, then fine-tuned (recipe ``dbn_digits``), and, with 10 % of the labels, against the same network from
a random initialisation."""

from __future__ import annotations

import streamlit as st

from training.energy.probes import CHAIN_STEPS, dbn_probe, rbm_probe
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.energy import (
    chain_figure,
    dbn_curves,
    digits_rows_figure,
    filters_figure,
    pretrain_compare_figure,
    rbm_curves,
)

KEY = "energy.rbm"
DBN_KEY = "energy.dbn"


def rbm_lab() -> None:
    recipe = get_recipe("rbm_digits")
    c = st.columns(4)
    k = c[0].select_slider(
        "Gibbs steps k (CD-k)",
        (1, 2, 3, 5, 10, 25),
        value=1,
        key=child(KEY, "k"),
        help="How far the negative phase's chain runs before its statistics are compared with the data's. "
        "k = 1 is Hinton's contrastive divergence; more steps follow the model's true gradient more closely.",
    )
    pcd = c[1].toggle(
        "Persistent chains (PCD)",
        value=False,
        key=child(KEY, "pcd"),
        help="Keep the negative chains running from one update to the next instead of restarting them at "
        "the data (Tieleman 2008; scikit-learn's BernoulliRBM does this).",
    )
    hidden = c[2].select_slider(
        "Hidden units",
        (16, 32, 64, 128, 256),
        value=64,
        key=child(KEY, "hidden"),
        help="Feature detectors; the filters below show up to 64 of them.",
    )
    lr = c[3].select_slider(
        "Learning rate",
        (0.01, 0.03, 0.1, 0.3, 1.0),
        value=0.1,
        key=child(KEY, "lr"),
        help="Plain SGD on the CD estimate of the log-likelihood's gradient, batches of 10 digits.",
    )
    st.caption(recipe.summary)
    st.latex(
        r"\begin{gathered} p(h_j = 1 \mid v) = \sigma\big(b_j + \textstyle\sum_i v_i W_{ij}\big) \\ "
        r"\Delta W \propto \langle v h^\top \rangle_{\text{data}} - \langle v h^\top \rangle_{k}"
        r"\end{gathered}"
    )
    gibbs = st.select_slider(
        "Fantasy chain: Gibbs steps from random pixels",
        CHAIN_STEPS,
        value=100,
        key=child(KEY, "gibbs"),
        help="Eight chains started from random pixels and sampled v → h → v. Early on they stay noise; once "
        "the model has learned, the chains settle into digit-like fantasies, which are samples of p(v).",
    )
    settings = dict(
        cd_k=int(k),
        persistent=bool(pcd),
        num_hidden=int(hidden),
        lr=float(lr),
        seed=state.seed(),
        device=state.device(),
        num_steps=5040,
    )

    def render(snap: dict, _data) -> None:
        v = snap.get("rbm")
        if v is None:
            return
        left, right = st.columns([1, 1])
        with left:
            plotly_chart(filters_figure(v["filters"]), key=child(KEY, "train", "view", "filters"))
            st.caption("Red: pixels that switch the unit on; blue: pixels that switch it off.")
        with right:
            plotly_chart(
                digits_rows_figure(v["recon"], ["test digit", "reconstruction"], "One up-down pass"),
                key=child(KEY, "train", "view", "recon"),
            )
            idx = list(v["steps"]).index(gibbs)
            plotly_chart(chain_figure(v["chain"], v["steps"], idx), key=child(KEY, "train", "view", "chain"))

    train_panel(
        child(KEY, "train"),
        lambda: recipe.trainer(**settings),
        signature=("rbm_digits", repr(sorted(settings.items()))),
        probes=lambda d: {"rbm": rbm_probe(d)},
        render=render,
        untrained=True,
        step_sizes=(10, 100, 500),
        curve_figure=rbm_curves,
    )


def _dbn_settings(label_frac: float, pretrain: bool, steps: int) -> dict:
    finetune = 1200 if label_frac >= 1 else 300
    return dict(
        label_frac=label_frac,
        pretrain=pretrain,
        pretrain_steps=steps,
        seed=state.seed(),
        device=state.device(),
        num_steps=(3 * steps if pretrain else 0) + finetune,
        eval_every=100,
    )


def dbn_lab() -> None:
    recipe = get_recipe("dbn_digits")
    c = st.columns(3)
    frac = c[0].select_slider(
        "Labelled training images",
        (0.1, 0.25, 1.0),
        value=1.0,
        key=child(DBN_KEY, "labels"),
        format_func=lambda f: f"{f:.0%}",
        help="Pre-training of the lower RBMs uses every image without its label; the top RBM and fine-tuning "
        "see only the labelled ones.",
    )
    pretrain = c[1].toggle(
        "Pre-train first",
        value=True,
        key=child(DBN_KEY, "pretrain"),
        help="Off: skip the RBMs and fine-tune the same network from a random initialisation.",
    )
    steps = c[2].select_slider(
        "Pre-training steps per RBM",
        (200, 400, 800),
        value=800,
        key=child(DBN_KEY, "psteps"),
        help="CD-1 updates (batches of 32) for each RBM of the stack before the next one starts.",
    )
    st.caption(
        recipe.summary + " Watch the stages: each RBM's reconstruction error falls in turn; once the top RBM "
        "(which sees the labels) has learned, the generative model already classifies; fine-tuning then "
        "sharpens every weight."
    )
    settings = _dbn_settings(float(frac), bool(pretrain), int(steps))

    def render(snap: dict, _data) -> None:
        v = snap.get("dbn")
        if v is None:
            return
        left, right = st.columns(2)
        with left:
            plotly_chart(
                filters_figure(v["filters"], "Filters of the first RBM"),
                key=child(DBN_KEY, "train", "view", "filters"),
            )
        with right:
            right_ = int(sum(p == t for p, t in zip(v["pred"], v["true"], strict=True)))
            title = "Predicted: " + " ".join(map(str, v["pred"])) + f" ({right_} of {len(v['pred'])} right)"
            plotly_chart(
                digits_rows_figure(v["recon"], ["test digit", "up and down"], title),
                key=child(DBN_KEY, "train", "view", "recon"),
            )

    train_panel(
        child(DBN_KEY, "train"),
        lambda: recipe.trainer(**settings),
        signature=("dbn_digits", repr(sorted(settings.items()))),
        probes=lambda d: {"dbn": dbn_probe(d)},
        render=render,
        untrained=True,
        step_sizes=(10, 100, 500),
        curve_figure=lambda h: dbn_curves(h, 3),
    )
    _comparison(recipe, int(steps))


def _comparison(recipe, steps: int) -> None:
    st.subheader("Few labels: pre-trained against random initialisation")
    st.markdown(
        "With **10 %** of the labels (about 13 images per digit), the same network is fine-tuned for the "
        "same 300 steps twice: once after greedy pre-training on every image, once from a random (Glorot) "
        "initialisation. Pre-training has learned the digits' structure without labels."
    )
    key = child(DBN_KEY, "cmp", "result")
    sig = (state.seed(), steps)
    if st.button("Run both", key=child(DBN_KEY, "cmp", "run"), icon=":material/play_arrow:"):
        runs = {}
        with st.spinner("Pre-training and fine-tuning both networks…"):
            for name, pre in (("pre-trained", True), ("random initialisation", False)):
                t = recipe.trainer(**_dbn_settings(0.1, pre, steps))
                t.step(t.num_steps)
                runs[name] = t.history
        st.session_state[key] = (sig, runs)
    got = st.session_state.get(key)
    if got is None or got[0] != sig:
        st.info("Press **Run both** (about ten seconds).", icon=":material/compare_arrows:")
        return
    runs = got[1]
    final = {n: next(r["test_acc"] for r in reversed(h) if "test_acc" in r) for n, h in runs.items()}
    a, b = final["pre-trained"], final["random initialisation"]
    st.markdown(f"Test accuracy: pre-trained **{a:.1%}**, random initialisation **{b:.1%}** ({a - b:+.1%}).")
    plotly_chart(pretrain_compare_figure(runs), key=child(DBN_KEY, "cmp", "fig"))
