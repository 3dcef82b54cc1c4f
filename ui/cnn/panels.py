"""CNN page panels: receptive field, family chart, internals (feature maps, filters, attributions) and
the training sections (any tiny CNN on digits; the plain-vs-residual twins)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

import archs
from archs.cnn.stats import family_table, receptive_fields
from archs.introspect import capture, trace_graph
from archs.spec import ArchSpec, to_device
from training.attributions import METHODS, TITLES, attribute, cam_layers, conv_layers, predict
from training.probes import confusion_probe
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.jobs import job_board
from ui.keys import child
from ui.train_panel import train_panel
from viz.cnn import family_figure, overlay_figure, probability_figure, receptive_field_figure, twin_curves
from viz.images import confusion_figure, image_grid

TRAIN_KEY = "cnn.train"
MAX_TRAIN_PARAMS = 5_000_000


@st.cache_resource(show_spinner="Tracing the layers…", max_entries=16)
def _rf_rows(name: str, cfg: Any) -> list[dict]:
    spec = archs.get_arch(name)
    model = archs.build_from_config(spec, cfg, "meta")
    G = trace_graph(model, to_device(spec.example_input(cfg), "meta"))
    return receptive_fields(G, model, cfg.image_size)


def receptive_field_panel(spec: ArchSpec, cfg: Any) -> None:
    rows = _rf_rows(spec.name, cfg)
    if not rows:
        st.info("This network has no convolution or pooling layers.")
        return
    last = rows[-1]
    st.markdown(
        f"Each output of the last spatial layer sees **{min(last['receptive_field'], 10**6):,} × "
        f"{min(last['receptive_field'], 10**6):,}** input pixels (input {cfg.image_size}×{cfg.image_size}); "
        f"neighbouring outputs are **{last['jump']}** pixels apart. "
        "Growth per layer: r ← r + (k − 1)·d·j, j ← j·s."
    )
    plotly_chart(receptive_field_figure(rows, cfg.image_size), key="cnn.rf.fig")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=300)


@st.cache_data(show_spinner="Counting parameters and mult-adds of every canonical CNN…")
def _family() -> list[dict]:
    return family_table()


def family_chart_panel() -> None:
    rows = _family()
    # the names are placed for the figure's own size (920×560 px): drawn at that size, never stretched
    plotly_chart(family_figure(rows), key="cnn.family.fig", width="content")
    df = pd.DataFrame(rows)[
        ["title", "year", "params", "mult_adds", "image_size", "classes", "top1", "top1_source"]
    ]
    df.columns = [
        "model",
        "year",
        "parameters",
        "mult-adds / image",
        "input px",
        "classes",
        "ImageNet top-1 %",
        "source of the top-1",
    ]
    num = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        df, hide_index=True, width="stretch", column_config={"parameters": num, "mult-adds / image": num}
    )
    st.caption(
        "Parameters and mult-adds are counted here, on the meta device, from the canonical presets "
        "(mult-adds: "
        "convolutions and linear layers at each model's published resolution). Top-1 accuracies are the "
        "published numbers of the reference weights; Network in Network has none for ImageNet in its paper, "
        "LeNet-5 and the CIFAR twins are not ImageNet models."
    )


def trained_model() -> tuple[torch.nn.Module | None, Any]:
    """A copy of the model of this session's training job and its version (job, step): taken under the
    job's lock, so hooks and attributions never touch the weights the worker thread is updating, and
    copied again only when the job has stepped since."""
    job = job_board().get(TRAIN_KEY)
    if job is None or job.trainer.step_count == 0:
        return None, None
    with job.lock:
        version = ("trained", job.id, job.trainer.step_count)
        return state.memo("cnn.trained", version, lambda: copy.deepcopy(job.trainer.model).eval()), version


def learned_kernels() -> dict[str, np.ndarray]:
    """The first convolution's filters of the trained model (channel-averaged), for the explainer."""
    model, _ = trained_model()
    if model is None:
        return {}
    conv = next((m for m in model.modules() if isinstance(m, torch.nn.Conv2d)), None)
    if conv is None or conv.kernel_size[0] > 11:
        return {}
    w = conv.weight.detach().float().cpu().mean(1).numpy()  # (out, k, k)
    return {f"learned filter {i}": w[i] for i in range(min(8, len(w)))}


def _untrained(spec: ArchSpec, cfg: Any) -> torch.nn.Module:
    torch.manual_seed(state.seed())
    return archs.build_from_config(spec, cfg).eval()


def internals_panel(spec: ArchSpec, cfg: Any) -> None:
    """Filters, feature maps and attributions of the trained model (or the untrained tiny one). Each result
    is kept for the next rerun under the model's version and the chosen digit and layers."""
    model, version = trained_model()
    data = get_recipe("cnn_digits").make_data(size=28)
    if model is None:
        st.info(
            "No trained model yet: these are the **untrained** weights of the tiny preset on 28×28 digits. "
            "Train one in the Train tab and come back to see what it learned.",
            icon=":material/info:",
        )
        try:
            cfg = spec.make_config("tiny", in_channels=1, num_classes=10, image_size=28)
        except archs.ConfigError as e:
            st.error(str(e))
            return
        version = ("untrained", spec.name, state.seed())
        model = state.memo("cnn.untrained", version, lambda: _untrained(spec, cfg))
    idx = st.slider("Test digit", 0, len(data.x_test) - 1, 0, key="cnn.int.idx")
    x = np.asarray(data.x_test[idx])
    size = x.shape[-1]
    if getattr(model, "cfg", None) is not None and getattr(model.cfg, "image_size", size) != size:
        st.warning("The trained model expects another input size; retrain it on 28×28 digits.")
        return
    prob = state.memo("cnn.int.p", (version, idx), lambda: predict(model, x))
    c1, c2 = st.columns([2, 1])
    c2.markdown(f"**True class {data.y_test[idx]} · predicted {int(prob.argmax())}** ({prob.max():.1%})")
    with c2:
        plotly_chart(probability_figure(prob, data.class_names), key="cnn.int.prob")
    layers = conv_layers(model)
    with c1:
        conv = next(m for n, m in model.named_modules() if n == layers[0])
        w = conv.weight.detach().float().cpu().numpy()[:, 0]  # (out, k, k)
        st.markdown(f"**First-layer filters** (`{layers[0]}`, {w.shape[1]}×{w.shape[2]}, input channel 0)")
        filters = state.memo(
            "cnn.int.w", version, lambda: image_grid(w[:32], ncols=16, colorscale="RdBu", height=160)
        )
        plotly_chart(filters, key="cnn.int.filters")
    st.markdown("**Feature maps** (first 16 channels of each chosen convolution)")
    chosen = st.multiselect("Layers", layers, default=layers[: min(3, len(layers))], key="cnn.int.layers")
    maps = state.memo("cnn.int.fm", (version, idx, tuple(chosen)), lambda: _feature_maps(model, x, chosen))
    for name, fig in maps.items():
        plotly_chart(fig, key=f"cnn.int.fm.{name}")
    st.markdown("**Attributions** of the predicted class (captum): where the evidence is")
    targets = state.memo("cnn.int.cam", version, lambda: cam_layers(model, torch.as_tensor(x)[None]))
    layer = st.selectbox(
        "Grad-CAM layer",
        targets,
        index=len(targets) - 1,
        key=f"cnn.int.camlayer.{type(model).__name__}.{len(targets)}",
        help="The maps whose gradients Grad-CAM weighs. By default the last spatial map before global "
        "pooling (the output of the last stage, e.g. ResNet's layer4): the most abstract features that "
        "still know where things are. Earlier layers give finer but less class-specific maps.",
    )
    fig = state.memo(
        "cnn.int.attr",
        (version, idx, layer),
        lambda: overlay_figure(x[0], {m: attribute(model, x, m, layer=layer) for m in METHODS}, TITLES),
    )
    plotly_chart(fig, key="cnn.int.attr")


def _feature_maps(model: torch.nn.Module, x: np.ndarray, chosen: list[str]) -> dict[str, Any]:
    acts = capture(model, torch.as_tensor(x)[None].to(next(model.parameters()).device), chosen)
    out = {}
    for name in chosen:
        a = acts[name][0].float().cpu().numpy()  # (C, H, W)
        titles = [f"{name} #{i}" for i in range(min(16, len(a)))]
        out[name] = image_grid(a[:16], titles=titles, ncols=8, colorscale="Viridis")
    return out


def train_section(spec: ArchSpec, cfg: Any) -> None:
    n = archs.count_params(archs.build_from_config(spec, cfg, "meta"))
    if n > MAX_TRAIN_PARAMS:
        st.info(
            f"This configuration has {n:,} parameters: choose the tiny preset to train it on this machine."
        )
        return
    recipe = get_recipe("cnn_digits")
    c = st.columns(4)
    lr = c[0].select_slider(
        "Learning rate",
        (1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 0.01, 0.03, 0.1, 1.0, 100.0),
        value=2e-3,
        key="cnn.t.lr",
    )
    opt = c[1].selectbox("Optimizer", ("adam", "adamw", "momentum", "sgd"), key="cnn.t.opt")
    steps = c[2].select_slider("Steps", (100, 300, 600, 1000, 3000), value=600, key="cnn.t.steps")
    size = c[3].selectbox("Digit size", (28, 16), key="cnn.t.size", help="Digits upsampled from 8×8.")
    default = spec.name == recipe.arch and cfg == spec.make_config("tiny")
    settings = dict(
        arch=spec.name,
        optimizer=opt,
        lr=float(lr),
        num_steps=steps,
        size=size,
        seed=state.seed(),
        device=state.device(),
    )
    if not default:
        settings["config"] = cfg
    st.caption(
        f"{recipe.summary} The data set the input: 1 channel, {size}×{size} pixels, 10 classes."
        + (" (LeNet-5 tiny with the recipe's ReLU / max-pool settings.)" if default else "")
    )

    def render(snap, data):
        if "conf" in snap:
            plotly_chart(confusion_figure(snap["conf"]["confusion"], data.class_names), key="cnn.t.cm")

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**settings),
        signature=("cnn_digits", repr(sorted((k, repr(v)) for k, v in settings.items()))),
        probes=lambda d: {"conf": confusion_probe(d)},
        render=render,
    )


def degradation_section() -> None:
    recipe = get_recipe("resnet_vs_plain_digits")
    c = st.columns(3)
    n = c[0].slider("Blocks per stage n (depth 6n + 2)", 1, 9, 5, key="cnn.deg.n")
    steps = c[1].select_slider("Steps", (100, 200, 300, 600, 1000), value=300, key="cnn.deg.steps")
    lr = c[2].select_slider("Learning rate (SGD)", (0.01, 0.02, 0.05, 0.1), value=0.05, key="cnn.deg.lr")
    st.caption(f"Both networks: {6 * n + 2} layers, the same initial weights, the same batches.")
    settings = dict(
        blocks_per_stage=n, num_steps=steps, lr=float(lr), seed=state.seed(), device=state.device()
    )

    def render(snap, data):
        plotly_chart(twin_curves(snap["history"]), key=child("cnn.deg", "view", "curves"))
        ev = snap["last_eval"]
        if "train_plain_loss" in ev:
            m = st.columns(4)
            m[0].metric("plain · train loss", f"{ev['train_plain_loss']:.3f}")
            m[1].metric("residual · train loss", f"{ev['train_residual_loss']:.3f}")
            m[2].metric("plain · test accuracy", f"{ev['test_plain_acc']:.1%}")
            m[3].metric("residual · test accuracy", f"{ev['test_residual_acc']:.1%}")

    train_panel(
        "cnn.deg",
        lambda: recipe.trainer(**settings),
        signature=repr(sorted(settings.items())),
        render=render,
    )
