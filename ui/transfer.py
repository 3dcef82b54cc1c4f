"""The Transfer learning page's labs: the strategies side by side with one budget (curves, trainable
parameters, accuracy against labels per class), LoRA's rank and scale, and the source models' first-layer
filters. The experiments are in training.transfer, the layers in archs.blocks.peft, the figures in
viz.transfer."""

from __future__ import annotations

import streamlit as st

from training import transfer as tr
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz import transfer as vt

KEY = "transfer"
RECIPE = "transfer_digits"
LABELS = (1, 5, 20, 0)


def idea_tab() -> None:
    st.markdown(
        "A network trained on a large **source** task has learned features (edges, strokes, parts) that "
        "another **target** task can reuse. With few target labels, starting from those weights can beat "
        "starting from random ones. The strategies differ in what they let change:"
    )
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            "- **From scratch**: random weights, everything trained.\n"
            "- **Feature extraction**: the pre-trained body frozen, a new head trained on its features.\n"
            "- **Fine-tune all**: every weight trained, the pre-trained ones at a low learning rate.\n"
            "- **Gradual unfreezing** (ULMFiT, Howard & Ruder 2018): the head first, then one more layer "
            "every few steps from the top; layer $l$ below the head learns at a lower rate:"
        )
        st.latex(r"\eta_{l} = \eta / 2.6^{\,l}")
    with c2:
        st.markdown(
            "**Adapters** (Houlsby et al. 2019): a small bottleneck after each frozen layer, started near "
            "the identity:"
        )
        st.latex(r"h \leftarrow h + U\, f(D\, h)")
        st.markdown(
            "**LoRA** (Hu et al. 2021): each frozen weight $W$ gets a low-rank update of rank $r$; $B$ "
            "starts at zero, so training starts from the pre-trained network, and the update folds into "
            "$W$ afterwards:"
        )
        st.latex(
            r"\begin{aligned} h &= W x + \tfrac{\alpha}{r} B A x \\ B &\in \mathbb{R}^{d \times r},"
            r"\ A \in \mathbb{R}^{r \times k} \end{aligned}"
        )


def _source(key: str) -> str:
    return st.radio(
        "Source → target",
        list(tr.SOURCES),
        format_func=tr.SOURCES.get,
        horizontal=True,
        key=child(key, "src"),
    )


@st.cache_data(show_spinner="Training every strategy with the same budget…")
def _compare(source: str, per_class: int, num_steps: int, seed: int) -> dict:
    return tr.compare(source, per_class, seed=seed, num_steps=num_steps)


@st.cache_data(show_spinner="Training every strategy at 1, 5, 20 and all labels per class…")
def _sweep(source: str, num_steps: int, seed: int) -> dict:
    return tr.label_sweep(source, LABELS, seed=seed, num_steps=num_steps)


def strategies_lab() -> None:
    key = child(KEY, "cmp")
    st.markdown(
        "A small residual CNN (a 3×3 stem, three blocks with BatchNorm and shortcuts, global average "
        "pooling, a linear head; 74,677 weights) pre-trained on the source task by the atlas's own recipe, "
        "then adapted to the target with each strategy: the same steps, batch and base learning rate, "
        "judged on the same held-out digits. The source sees variety, as a large pre-training set would: "
        "each digit 0-4 moved, turned and zoomed at random, and at four quarter turns, the class being "
        "(digit, turn): 20 classes. The target's digits 5-9 are placed at random in their 8×8 frame, so 25 "
        "labelled images are too few to learn from scratch what a digit looks like wherever it is. Frozen "
        "layers keep their BatchNorm in eval mode (the source's statistics); LoRA and adapters also train "
        "BatchNorm's scale and shift (LoRA at 0.3× the rate, with α = 0.25: both chosen on the validation "
        "digits). With 5 labels per class (mean of seeds 0-2): from scratch 57.2 %, "
        "feature extraction 64.6 % (+7.4 points), fine-tune all 81.8 % (+24.6), gradual unfreezing "
        "82.5 %, adapters 78.8 %, LoRA of rank 1 80.1 % with 3.5 % of the weights (1.7 points under "
        "fine-tune all; at α = 4 its updates overshot, and it ended 7.5 points under)."
    )
    c = st.columns(3)
    with c[0]:
        source = _source(key)
    per_class = c[1].select_slider("Labels per class", [1, 2, 5, 10, 20, 50], 5, key=child(key, "n"))
    steps = c[2].select_slider("Steps (budget)", [50, 100, 150, 300], 150, key=child(key, "steps"))
    r = _compare(source, per_class, steps, state.seed())
    names = {tr.STRATEGIES[s]: v for s, v in r.items()}
    plotly_chart(vt.strategy_curves({k: v["history"] for k, v in names.items()}), key=child(key, "curves"))
    total = next(iter(names.values()))["total"]
    plotly_chart(
        vt.trainable_figure({k: v["trainable"] for k, v in names.items()}, total), key=child(key, "params")
    )
    st.markdown(" · ".join(f"{k}: **{v['test_acc']:.1%}**" for k, v in names.items()))
    if st.toggle("Accuracy against labels per class (24 runs, about a minute)", key=child(key, "sweep")):
        sw = _sweep(source, steps, state.seed())
        plotly_chart(
            vt.labels_figure({tr.STRATEGIES[s]: a for s, a in sw.items()}, LABELS), key=child(key, "labels")
        )
    live_lab()


def live_lab() -> None:
    key = child(KEY, "live")
    st.subheader("Train one strategy live")
    c = st.columns(2)
    strategy = c[0].selectbox(
        "Strategy", list(tr.STRATEGIES), format_func=tr.STRATEGIES.get, key=child(key, "s")
    )
    per_class = c[1].select_slider("Labels per class", [1, 5, 20, 50], 5, key=child(key, "n"))
    runs: dict[str, list[dict]] = st.session_state.setdefault(child(key, "runs"), {})
    s = dict(strategy=strategy, per_class=per_class, seed=state.seed(), device=state.device())
    name = f"{tr.STRATEGIES[strategy]} · {per_class}/class"
    train_key = child(key, "train")

    def render(snap: dict, _data) -> None:
        if snap["history"]:
            runs[name] = snap["history"]
        plotly_chart(
            vt.strategy_curves({k: v for k, v in runs.items() if v} or {name: []}),
            key=child(train_key, "view", "curves"),
        )

    recipe = get_recipe(RECIPE)
    train_panel(
        train_key,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        render=render,
        step_sizes=(25, 75, 150),
        curve_figure=lambda _h: None,
    )


@st.cache_data(show_spinner="Fine-tuning with LoRA…")
def _lora(rank: int, alpha: float, source: str, seed: int) -> dict:
    t = tr.run("lora", source, 5, seed, rank=rank, alpha=alpha)
    return dict(updates=tr.lora_updates(t.model), acc=t.last_eval()["test_acc"], trainable=t.trainable)


def lora_lab() -> None:
    key = child(KEY, "lora")
    st.markdown(
        "LoRA freezes every pre-trained weight and learns $\\Delta W = \\frac{\\alpha}{r} B A$ beside it. "
        "The rank $r$ sets how many parameters train; the update's singular values show that it is "
        "indeed of rank $r$ at most."
    )
    c = st.columns(3)
    rank = c[0].slider("Rank r", 1, 16, 1, key=child(key, "r"))
    alpha = c[1].select_slider(
        "Scale α", [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0], tr.LORA_ALPHA, key=child(key, "a")
    )
    with c[2]:
        source = _source(key)
    ranks = list(range(1, 9))
    shares = [t / n for t, n in (tr.lora_share(r, source) for r in ranks)]
    plotly_chart(vt.lora_share_figure(ranks, shares), key=child(key, "share"))
    r = _lora(rank, alpha, source, state.seed())
    st.markdown(
        f"Rank {rank}: **{r['trainable']:,}** trainable parameters, test accuracy **{r['acc']:.1%}**."
    )
    plotly_chart(vt.singular_figure(r["updates"]), key=child(key, "sv"))
    layer = st.selectbox("Layer", list(r["updates"]), key=child(key, "layer"))
    plotly_chart(vt.delta_heatmap(r["updates"][layer]["delta"], f"ΔW of {layer}"), key=child(key, "heat"))


def sources_lab() -> None:
    key = child(KEY, "src")
    st.markdown(
        "The source models: the residual CNN trained on the digits 0-4 (moved, turned and zoomed at "
        "random, and at four quarter turns: 20 classes of digit and turn), or on six kinds of procedural "
        "shapes (moved at random). Their first-layer 3×3 filters have become edge and stroke detectors; "
        "the random ones are noise. "
        "Those early features are what transfers best (Yosinski et al. 2014): the later layers grow "
        "specific to the source's classes, so the target gets a new head."
    )
    source = _source(key)
    plotly_chart(vt.filters_figure(tr.first_filters(source, state.seed())), key=child(key, "filters"))
