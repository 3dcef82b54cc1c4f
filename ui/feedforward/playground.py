"""The Feedforward Playground: TensorFlow Playground's controls and views, plus what it lacks
(multi-class sets, cross-entropy, optimizer choice, residual connections, a digits mode).

Every control is part of the run's signature: changing one resets the network, as in Playground.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from data.toy2d import FEATURES, TOY2D_SETS
from training.probes import confusion_probe, first_layer_weights, plane_probe
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.train_panel import train_panel
from viz.boundary import decision_boundary_spec, neuron_mosaic_spec
from viz.images import confusion_figure, image_grid

LRS = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu", "linear")
K = "pg"


def _network_controls(max_layers: int = 8, max_neurons: int = 32) -> dict:
    c = st.columns([1, 1, 1, 1])
    n_layers = c[0].slider(
        "Hidden layers",
        0,
        max_layers,
        2,
        key=f"{K}.layers",
        help="0 layers is a perceptron: a single linear layer, so a straight boundary.",
    )
    act = c[1].selectbox("Activation", ACTIVATIONS, index=1, key=f"{K}.act", help="σ in h = σ(Wx + b).")
    residual = c[2].toggle(
        "Residual connections",
        False,
        key=f"{K}.res",
        help="h ← h + σ(Wh + b) around each hidden layer after the first.",
    )
    optimizer = c[3].selectbox("Optimizer", ("sgd", "momentum", "adam", "adamw"), index=2, key=f"{K}.opt")
    widths = []
    if n_layers:
        wc = st.columns(max_layers)
        for i in range(n_layers):
            widths.append(
                wc[i].number_input(
                    f"layer {i + 1}",
                    0,  # 0 is accepted here and refused below with a sentence, not silently undone
                    max_neurons,
                    4 if i < 2 else 2,
                    key=f"{K}.w{i}",
                    help=f"Neurons in hidden layer {i + 1} (1–{max_neurons}).",
                )
            )
    empty = [i + 1 for i, w in enumerate(widths) if w < 1]
    if empty:
        st.error(
            f"Hidden layer {', '.join(map(str, empty))} has no neurons: every hidden layer needs at least "
            "one. Give it 1 or more, or lower 'Hidden layers'.",
            icon=":material/block:",
        )
    c = st.columns(4)
    lr = c[0].select_slider("Learning rate", LRS, value=0.03, key=f"{K}.lr")
    reg = c[1].selectbox(
        "Regularization",
        ("none", "L1", "L2"),
        key=f"{K}.reg",
        help="Adds rate·Σ|w| (L1) or rate·Σw² (L2) over the weights to the loss.",
    )
    rate = c[2].select_slider(
        "Regularization rate", REG_RATES, value=0.0, key=f"{K}.rate", disabled=reg == "none"
    )
    loss = c[3].selectbox(
        "Loss",
        ("cross_entropy", "mse"),
        key=f"{K}.loss",
        format_func=lambda s: {"cross_entropy": "cross-entropy", "mse": "mean squared error"}[s],
        help="For classes. Regression sets always use the squared error.",
    )
    net = dict(
        arch="mlp" if n_layers else "perceptron",
        activation=act,
        residual=residual,
        hidden_dims=tuple(int(w) for w in widths),
        optimizer=optimizer,
        lr=float(lr),
        loss=loss,
        l1=float(rate) if reg == "L1" else 0.0,
        l2=float(rate) if reg == "L2" else 0.0,
    )
    if not n_layers:
        for k in ("activation", "residual", "hidden_dims"):
            net.pop(k)
    return net


def _data_controls() -> dict:
    c = st.columns([1.3, 1, 1, 1, 1])
    name = c[0].selectbox(
        "Data", list(TOY2D_SETS), key=f"{K}.data", format_func=lambda n: f"{n} — {TOY2D_SETS[n][2]}"
    )
    kind, fixed_k, _ = TOY2D_SETS[name]
    k = c[1].slider(
        "Classes", 2, 6, 3, key=f"{K}.k", disabled=fixed_k is not None or kind != "classification"
    )
    noise = c[2].slider("Noise", 0, 50, 0, step=5, key=f"{K}.noise", format="%d%%")
    train = c[3].slider("Training share", 10, 90, 50, step=10, key=f"{K}.train", format="%d%%")
    batch = c[4].slider("Batch size", 1, 64, 10, key=f"{K}.batch")
    feats = st.pills(
        "Features",
        list(FEATURES),
        selection_mode="multi",
        default=["x1", "x2"],
        key=f"{K}.feats",
        format_func=lambda f: FEATURES[f],
        help="What the network sees of each point (x₁, x₂ and "
        "functions of them). With x₁² and x₂² a circle becomes a straight cut.",
    )
    return dict(
        name=name,
        num_classes=k,
        noise=noise / 100,
        train_frac=train / 100,
        batch_size=batch,
        features=tuple(feats or ()),
        n=500,
    )


def playground() -> None:
    mode = st.segmented_control("Mode", ["2-D data", "Digits"], default="2-D data", key=f"{K}.mode")
    if mode == "Digits":
        return _digits_mode()
    with st.container(border=True):
        data = _data_controls()
        net = _network_controls()
    steps = st.select_slider(
        "Stop after (steps)", (500, 1000, 2000, 5000, 10000, 50000), value=5000, key=f"{K}.steps"
    )
    settings = {**data, **net, "num_steps": steps, "seed": state.seed(), "eval_every": 25}
    recipe = get_recipe("mlp_toy2d")
    v1, v2, v3 = st.columns(3)
    show_test = v1.toggle("Show test data", False, key=f"{K}.showtest")
    discrete = v2.toggle("Discretize output", False, key=f"{K}.disc")
    v3.caption("Features are standardised with the training points' mean and spread.")

    def render(snap: dict, ds) -> None:
        if "plane" not in snap:
            return
        pl = snap["plane"]
        out = pl["out"]
        if discrete and ds.kind == "classification":
            out = np.eye(out.shape[-1])[out.argmax(-1)]
        c1, c2 = st.columns([1, 1])
        with c1:
            st.markdown(
                "**Output** — "
                + ("the decision boundary" if ds.kind == "classification" else "the prediction ŷ")
                + " on the training points"
                + (" and the test points (ringed in black)" if show_test else "")
            )
            plotly_chart(
                decision_boundary_spec(
                    pl["xs"],
                    out,
                    ds.kind,
                    points_train=ds.points_train,
                    y_train=ds.y_train,
                    points_test=ds.points_test,
                    y_test=ds.y_test,
                    show_test=show_test,
                ),
                key=f"{K}.boundary",
            )
        with c2:
            if pl["hidden"]:
                st.markdown("**Neurons** — what each hidden neuron computes over the plane")
                plotly_chart(neuron_mosaic_spec(pl["hidden"]), key=f"{K}.neurons")
            else:
                st.info("A perceptron has no hidden neurons: its boundary is one straight line.")

    train_panel(
        K,
        lambda: recipe.trainer(**settings),
        signature=tuple(sorted(settings.items())),
        probes=lambda ds: {"plane": plane_probe(ds, 50)},
        render=render,
    )


def _digits_mode() -> None:
    with st.container(border=True):
        c = st.columns(3)
        size = c[0].selectbox(
            "Image size",
            (8, 16, 28),
            key=f"{K}.dsize",
            help="scikit-learn's 8×8 digits, optionally upsampled.",
        )
        batch = c[1].slider("Batch size", 8, 256, 64, step=8, key=f"{K}.dbatch")
        steps = c[2].select_slider(
            "Stop after (steps)", (300, 1000, 1500, 3000, 10000), value=1500, key=f"{K}.dsteps"
        )
        net = _network_controls(max_layers=8, max_neurons=256)
    settings = {
        **net,
        "size": size,
        "batch_size": batch,
        "num_steps": steps,
        "seed": state.seed(),
        "eval_every": 50,
    }
    recipe = get_recipe("mlp_digits")

    def render(snap: dict, data) -> None:
        if "conf" not in snap:
            return
        c1, c2 = st.columns(2)
        with c1:
            st.markdown("**Confusion matrix** on the test digits")
            plotly_chart(confusion_figure(snap["conf"]["confusion"], data.class_names), key=f"{K}.cm")
        with c2:
            w = snap["w1"]
            if w is not None:
                st.markdown("**First-layer weights** — each neuron's template over the image (first 16)")
                plotly_chart(
                    image_grid(
                        w[:16].reshape(-1, size, size),
                        [f"n{i + 1}" for i in range(min(16, len(w)))],
                        colorscale="RdBu",
                        zmin=-np.abs(w).max(),
                        zmax=np.abs(w).max(),
                        ncols=8,
                    ),
                    key=f"{K}.firstweights",
                )
            wrong = np.flatnonzero(snap["conf"]["pred"] != data.y_test)[:16]
            if len(wrong):
                st.markdown(
                    f"**Mistakes** — {len(wrong)} of the test digits it gets wrong (true → predicted)"
                )
                plotly_chart(
                    image_grid(
                        data.x_test[wrong],
                        [f"{data.y_test[i]}→{snap['conf']['pred'][i]}" for i in wrong],
                        ncols=8,
                    ),
                    key=f"{K}.wrong",
                )

    train_panel(
        f"{K}.digits",
        lambda: recipe.trainer(**settings),
        signature=tuple(sorted(settings.items())),
        probes=lambda d: {"conf": confusion_probe(d, "test"), "w1": first_layer_weights},
        render=render,
    )
