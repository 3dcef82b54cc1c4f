"""The Compression page's labs, all on one base model (LeNet-5 on 28×28 digits, training.compression):
magnitude pruning with fine-tuning (``prune_digits``), torchao int8 quantization and quantization-aware
training (``quantize_digits``), knowledge distillation (``distill_digits``) and a summary table. The logic
is in training.compression, the figures in viz.compression; recipes are reached by name."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import torch

from training import compression as cmp
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz import compression as vc

KEY = "cmp"
LEVELS = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)


def idea_tab() -> None:
    st.markdown(
        "A trained network holds more than it needs. Compression keeps its accuracy in fewer bytes or "
        "fewer operations, four ways, each tried here on one **base model**: LeNet-5 (6 and 16 filters, "
        "120 and 84 units, 61,706 weights) trained on 28×28 digits."
    )
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            "**Pruning** (Han et al., 2015) sets the smallest weights to zero: a mask $m$ keeps weight "
            "$w_i$ if $|w_i|$ is above a threshold. *Global* pruning uses one threshold for the whole "
            "network, *layer-wise* one per layer; *structured* pruning removes whole filters by their "
            "norm, which shrinks the computation, not only the count. Fine-tuning with the mask held "
            "lets the surviving weights take over."
        )
        st.latex(r"\tilde w = m \odot w, \quad m_i = [\,|w_i| \ge \tau\,]")
        st.markdown(
            r"**Quantization** stores each weight row as 8-bit integers $q$ and one scale $s$ per row; "
            r"*dynamic* quantization also rounds the activations at run time, so the matrix product runs "
            r"in integers. **Quantization-aware training** rounds in the forward pass and lets the "
            r"gradient through unchanged (the straight-through estimator)."
        )
        st.latex(r"\begin{aligned} q &= \mathrm{round}(w / s), \quad s = \max_i |w_i| / 127 \\"
                 r" \hat w &= s\, q \end{aligned}")  # fmt: skip
    with c2:
        st.markdown(
            r"**Knowledge distillation** (Hinton et al., 2015) trains a small student on the teacher's "
            r"outputs softened by a temperature $T$: the small probabilities of the wrong digits say "
            r"which digits look alike. The soft term is weighted by $\alpha$ and multiplied by $T^2$, "
            r"since its gradients shrink as $1/T^2$:"
        )
        st.latex(r"p_i^{T} = \frac{\exp(z_i / T)}{\sum_j \exp(z_j / T)}")
        st.latex(
            r"\begin{aligned} L &= \alpha\, T^2\, \mathrm{KL}\big(p^{T}_{\mathrm{teacher}} \,\|\, "
            r"p^{T}_{\mathrm{student}}\big) \\ &\quad + (1 - \alpha)\, \mathrm{CE}(p_{\mathrm{student}}, y)"
            r" \end{aligned}"
        )
        st.markdown(
            "**Architecture search** finds small networks by design (the Architecture search page). "
            "The methods combine: prune, then quantize the survivors, or distil into a student that is "
            "then quantized."
        )


@st.cache_data(show_spinner="Pruning the base model at every level…")
def _curve(method: str) -> dict:
    return cmp.sparsity_curve(method, LEVELS)


@st.cache_data(show_spinner=False)
def _base_weights():
    return cmp.weight_values(cmp.base_model())


def prune_lab() -> None:
    key = child(KEY, "prune")
    st.markdown(
        "Choose how to prune and how much, then **Step** or **Train** to fine-tune the pruned model with "
        "its zeros held. The dotted line is the accuracy right after pruning at each level; each "
        "fine-tuning run is drawn from where it started (circle) to where it ended (star) and stays on "
        "the chart. The recipe's test: 90 % global sparsity and 200 steps of fine-tuning keep the test "
        "accuracy within 2 points of the base model (measured: 91.4 % right after pruning, 97.5 % after "
        "fine-tuning, the base's own 97.5 %)."
    )
    c = st.columns(2)
    labels = {k: v.split(":")[0] for k, v in cmp.PRUNE_METHODS.items()}
    method = c[0].selectbox("Method", list(labels), format_func=labels.get, key=child(key, "method"))
    sparsity = c[1].number_input(
        "Sparsity (share of weights, or channels, removed)", 0.0, 0.99, 0.9, 0.05, key=child(key, "s"),
        help="Unstructured: the share of all weights set to zero. Structured: the share of filters / units "
        "removed from every layer but the output layer. Must be at least 0 and below 1.",
    )  # fmt: skip
    st.caption(cmp.PRUNE_METHODS[method])
    if st.button("Clear the runs", key=child(key, "clear"), icon=":material/delete_sweep:"):
        st.session_state.pop(child(key, "runs"), None)
    runs: dict = st.session_state.setdefault(child(key, "runs"), {})
    s = dict(method=method, sparsity=float(sparsity), seed=state.seed(), device=state.device())
    cmp.check_sparsity(s["sparsity"])
    name = f"{labels[method]} {sparsity:.0%}"
    train_key = child(key, "train")
    recipe = get_recipe("prune_digits")

    def render(snap: dict, _data) -> None:
        evals = [r for r in snap["history"] if "test_acc" in r]
        if len(evals) > 1:
            runs[name] = (evals[-1]["sparsity"], evals[0]["test_acc"], evals[-1]["test_acc"])
        plotly_chart(
            vc.sparsity_figure({labels[method]: _curve(method)}, runs), key=child(train_key, "view", "acc")
        )
        if "weights" in snap:
            plotly_chart(
                vc.weight_hist_figure(_base_weights(), snap["weights"]), key=child(train_key, "view", "hist")
            )
        if evals:
            e = evals[-1]
            st.markdown(
                f"Sparsity **{e['sparsity']:.1%}**; test accuracy **{e['test_acc']:.1%}** (pruned, before "
                f"fine-tuning: {evals[0]['test_acc']:.1%}; base model: {cmp.accuracy(cmp.base_model()):.1%})."
            )

    train_panel(
        train_key,
        lambda: recipe.trainer(**s),
        signature=("prune_digits", repr(sorted(s.items()))),
        probes=lambda _d: {"weights": cmp.weight_values},
        render=render,
        step_sizes=(50, 100, 200),  # a step of 50 ends on an evaluation (every 50 steps)
        untrained=True,
        curve_figure=lambda _h: None,
        before="**Pruned, not fine-tuned yet**: the views below show the trained base model after pruning",
    )


@st.cache_data(show_spinner="Quantizing with torchao and timing each model on this CPU…")
def _report() -> list[dict]:
    torch.set_num_threads(1)
    return cmp.quant_report()


def quant_lab() -> None:
    key = child(KEY, "quant")
    st.markdown(
        "torchao converts the fully connected layers' weights to int8 (one scale per row); its int8 "
        "tensors have no convolution kernel, so the two small convolutions stay fp32 and count as such. "
        "Latency: the median of 30 forward passes of 64 digits on this CPU, one thread."
    )
    rows = _report()
    table = pd.DataFrame(
        [
            {
                "method": r["method"], "kB": r["bytes"] / 1e3, "size vs fp32": f"{r['size_ratio']:.1%}",
                "test accuracy": f"{r['acc']:.2%}", "ms / 64 digits": round(r["latency_ms"], 2),
                "speed vs fp32": f"{rows[0]['latency_ms'] / r['latency_ms']:.2f}×",
            }
            for r in rows
        ]
    )  # fmt: skip
    st.dataframe(table, hide_index=True, key=child(key, "table"))
    plotly_chart(vc.layer_error_figure({r["method"]: r["sqnr"] for r in rows[1:]}), key=child(key, "sqnr"))
    st.caption(
        "Each layer's output against the fp32 model's on 128 test digits; the error adds up layer after "
        "layer. On a model this small, torchao's int8 path is not faster than fp32 on a CPU: the two "
        "convolutions take most of the time, and the int8 product pays for its conversions."
    )
    other = st.selectbox(
        "Try another mode", ["—", *cmp.QUANT_MODES], key=child(key, "mode"),
        format_func=lambda m: cmp.QUANT_MODES.get(m, m),
    )  # fmt: skip
    if other != "—":
        q = cmp.quantize(cmp.base_model(), other)  # a mode this CPU lacks raises a ConfigError sentence
        st.success(
            f"{cmp.QUANT_MODES[other]}: {cmp.model_bytes(q) / 1e3:.1f} kB, "
            f"test accuracy {cmp.accuracy(q):.2%}."
        )
    qat_panel(key)


def qat_panel(key: str) -> None:
    st.subheader("Quantization-aware training")
    st.markdown(
        "At 8 bits rounding costs nothing here; at 2 bits it does. Choose the bits: step 0 is "
        "post-training rounding alone, then fine-tuning with rounded weights in every forward pass "
        "(straight-through gradients) wins the accuracy back (2 bits, measured: 70.2 % after rounding, "
        "97.8 % after 200 steps)."
    )
    bits = st.select_slider("Weight bits", [2, 3, 4, 6, 8], 2, key=child(key, "bits"))
    s = dict(bits=bits, seed=state.seed(), device=state.device())
    recipe = get_recipe("quantize_digits")
    train_panel(
        child(key, "qat"),
        lambda: recipe.trainer(**s),
        signature=("quantize_digits", repr(sorted(s.items()))),
        step_sizes=(10, 50, 200),
    )


def distill_lab() -> None:
    key = child(KEY, "kd")
    st.markdown(
        "The student is a LeNet-5 with 4 and 8 filters and 32 units (7,674 weights, an eighth of the "
        "teacher's). Train it once alone ($\\alpha = 0$), then distilled: every run stays on the chart. "
        "The recipe's test: with $T = 8$ and $\\alpha = 0.9$ the distilled student beats the same student "
        "trained alone on the same budget (seed 0: 96.4 % against 94.2 %)."
    )
    c = st.columns(2)
    temp = c[0].select_slider("Temperature T", [1.0, 2.0, 4.0, 8.0, 16.0], 8.0, key=child(key, "t"))
    alpha = c[1].slider("Weight α of the teacher's soft targets", 0.0, 1.0, 0.9, 0.1, key=child(key, "a"))
    x = torch.as_tensor(cmp.base_data().x_test[:1])
    with torch.no_grad():
        logits = cmp.base_model()(x)[0]
    plotly_chart(vc.soft_targets_figure(cmp.soft_targets(logits, (1.0, temp))), key=child(key, "soft"))
    st.caption(
        f"The teacher's output for one test digit (a {int(cmp.base_data().y_test[0])}) "
        f"at T = 1 and T = {temp:g}."
    )
    if st.button("Clear the runs", key=child(key, "clear"), icon=":material/delete_sweep:"):
        st.session_state.pop(child(key, "runs"), None)
    runs: dict = st.session_state.setdefault(child(key, "runs"), {})
    name = "student alone" if alpha == 0 else f"distilled, T = {temp:g}, α = {alpha:g}"
    s = dict(temperature=temp, alpha=alpha, seed=state.seed(), device=state.device())
    recipe = get_recipe("distill_digits")

    def render(snap: dict, _data) -> None:
        if snap["history"]:
            runs[name] = snap["history"]
        plotly_chart(vc.accuracy_runs_figure(runs or {name: []}), key=child(key, "train", "view", "acc"))

    train_panel(
        child(key, "train"),
        lambda: recipe.trainer(**s),
        signature=("distill_digits", repr(sorted(s.items()))),
        render=render,
        step_sizes=(50, 100, 300),
    )


@st.cache_data(show_spinner="Pruning, quantizing and distilling (about 30 s on one thread)…")
def _summary(seed: int) -> list[dict]:
    torch.set_num_threads(1)
    return cmp.summary(seed=seed)


def summary_tab() -> None:
    key = child(KEY, "sum")
    st.markdown(
        "Every method on the same test digits. Pruned weights are still stored as dense tensors by "
        "torch.nn.utils.prune, so their size and speed change only once the zeros are stored sparse (the "
        "*sparse kB* column: 6 bytes per nonzero) or, for whole channels, removed from the layers."
    )
    if not st.toggle(
        "Run the comparison", key=child(key, "run"), help="Trains the pruned and distilled models."
    ):
        return
    rows = _summary(state.seed())
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "method": r["method"], "kB": round(r["bytes"] / 1e3, 1),
                    "sparse kB": None if r["sparse_bytes"] is None else round(r["sparse_bytes"] / 1e3, 1),
                    "size vs fp32": f"{r['size_vs_fp32']:.1%}", "test accuracy": f"{r['acc']:.2%}",
                    "ms / 64 digits": round(r["latency_ms"], 2),
                    "speed vs fp32": f"{r['speed_vs_fp32']:.2f}×",
                }
                for r in rows
            ]
        ),
        hide_index=True,
        key=child(key, "table"),
    )  # fmt: skip
    plotly_chart(vc.summary_figure(rows), key=child(key, "chart"))
