"""The Architecture search page's labs: random search against regularised evolution over a macro space
(two queued jobs, their Pareto fronts of accuracy against parameters and mult-adds drawn live), and DARTS
(a supernet's α over training, the derived cell as a graph, then that cell trained). The searches are in
training.nas and the CNN family's nas recipes (reached by name); the figures in viz.search."""

from __future__ import annotations

import streamlit as st

from archs.spec import ConfigError
from training import nas
from ui import state
from ui.charts import plotly_chart
from ui.jobs import group_jobs, job_group_view, launch_group
from ui.keys import child
from viz import search as vs

KEY = "search"
EVO, DARTS_SEARCH, DARTS_NET = "nas_evolution_digits", "darts_search_digits", "darts_digits"


def idea_tab() -> None:
    st.markdown(
        "Architecture search automates a choice people made by hand: which layers, how deep, how wide. "
        "It needs three things: a **search space** (a cell over a few operations, as in NASNet and DARTS, "
        "or a macro space of depth, width and kernel size), a **strategy** that proposes architectures, "
        "and an **estimate** of each one's quality (a short training run here)."
    )
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            "**Random search** samples the space uniformly: a strong baseline. **Regularised evolution** "
            "(Real et al., 2019, AmoebaNet) keeps a population of $P$ models, picks $S$ at random, mutates "
            "the best of them and adds the child, while the *oldest* model leaves. **Reinforcement "
            "learning** (Zoph & Le, 2017; NASNet, 2018) trains a controller RNN that writes architectures, "
            "rewarded by their accuracy. **DARTS** (Liu et al., 2019) relaxes the choice of operation on "
            "each edge to a softmax over all of them and learns the weights $\\alpha$ by gradient descent:"
        )
        st.latex(
            r"\bar o(x) = \sum_{o \in \mathcal{O}} \frac{e^{\alpha_o}}{\sum_{o'} e^{\alpha_{o'}}}\, o(x)"
        )
        st.latex(
            r"\begin{aligned} &\min_\alpha \; L_\mathrm{val}(w^*(\alpha), \alpha) \\"
            r" &\text{s.t. } w^*(\alpha) = \arg\min_w L_\mathrm{train}(w, \alpha) \end{aligned}"
        )
    with c2:
        st.markdown(
            "Search found cells, then people scaled them. **EfficientNet** (Tan & Le, 2019) searched a "
            "small base network B0 (MnasNet's search, optimising accuracy and FLOPs together), then "
            "scaled depth, width and resolution together with one coefficient $\\phi$:"
        )
        st.latex(
            r"\begin{aligned} d &= \alpha^\phi,\; w = \beta^\phi,\; r = \gamma^\phi \\"
            r" &\alpha \cdot \beta^2 \cdot \gamma^2 \approx 2 \end{aligned}"
        )
        st.markdown(
            "so each step of $\\phi$ about doubles the FLOPs ($\\alpha = 1.2$, $\\beta = 1.1$, "
            "$\\gamma = 1.15$ from a grid search on B0)."
        )
        plotly_chart(vs.scaling_figure(), key=child(KEY, "scaling"))


def _runs(jobs) -> dict[str, list[dict]]:
    return {lab: list(getattr(j.trainer, "samples", [])) for lab, j in jobs.items()}


def evolution_lab() -> None:
    key = child(KEY, "evo")
    st.markdown(
        f"The space: the CIFAR ResNet layout on 8×8 digits, with 1 or 2 residual blocks per stage and "
        f"each stage's width among 2, 4, 8, 16: {nas.space_size()} architectures. Each candidate trains "
        "for a few dozen steps and is scored on the validation split. Both strategies get the same budget "
        "and seed (so they share their first random samples); they run as two queued jobs."
    )
    c = st.columns(4)
    budget = c[0].number_input("Budget (architectures)", 0, 200, 16, key=child(key, "budget"))
    pop = c[1].slider("Population P", 2, 20, 6, key=child(key, "pop"))
    sample = c[2].slider("Tournament size S", 1, 20, 3, key=child(key, "s"))
    steps = c[3].select_slider("Steps per candidate", [10, 20, 30, 60, 100], 30, key=child(key, "steps"))
    cost = st.radio("Cost axis", ["params", "madds"], horizontal=True, key=child(key, "cost"),
                    format_func=vs.COST_TITLES.get)  # fmt: skip
    if budget < 1:
        raise ConfigError("The search budget must be at least one architecture: raise it above zero.")
    nas.SearchTask(population=pop, sample_size=sample, candidate_steps=steps)  # a sentence if it cannot run
    s = dict(
        num_steps=int(budget), population=pop, sample_size=sample, candidate_steps=steps, seed=state.seed()
    )
    sig = (EVO, repr(sorted(s.items())))
    recipe = _recipe(EVO)
    if st.button(
        "Run both searches", key=child(key, "go"), icon=":material/play_arrow:"
    ):
        launch_group(
            key,
            {st_: (lambda st_=st_: recipe.trainer(strategy=st_, **s)) for st_ in ("random", "evolution")},
            sig,
        )

    def results(jobs) -> None:
        runs = _runs(jobs)
        if not any(runs.values()):
            return
        plotly_chart(vs.pareto_figure(runs, cost), key=child(key, "pareto"))
        plotly_chart(vs.best_so_far_figure(runs), key=child(key, "best"))
        st.markdown(" · ".join(
            f"{k}: best **{max(x['val_acc'] for x in v):.1%}** "
            f"({max(v, key=lambda x: x['val_acc'])['label']})" for k, v in runs.items() if v
        ))  # fmt: skip

    job_group_view(key, sig, results, live_results=True)
    if not group_jobs(key):
        st.markdown(
            f"**The space before any search**: all {nas.space_size()} architectures by size and compute. A "
            "search trains only the few it picks; each then appears on the Pareto chart with its accuracy."
        )
        plotly_chart(vs.space_figure(_space()), key=child(key, "space"))


@st.cache_data(show_spinner=False)
def _space() -> list[dict]:
    return nas.space_costs()


@st.cache_resource(show_spinner=False)
def _published_cells() -> tuple:
    """DARTS (V2)'s (normal, reduce) cells, read from the registered `darts` network (its default)."""
    import archs

    return archs.build_model("darts", "tiny", device="meta").genotype


def darts_lab() -> None:
    key = child(KEY, "darts")
    st.markdown(
        "A supernet of 3 cells (the middle one a reduction cell) on 8×8 digits, each edge mixing the 8 "
        "primitives. Each step updates $\\alpha$ on a validation batch, then the weights on a training "
        "batch (first-order DARTS). The derived cell keeps, for each node, the two edges whose strongest "
        "operation (other than *none*) weighs most."
    )
    c = st.columns(3)
    steps = c[0].select_slider("Search steps", [10, 30, 60, 120, 300], 60, key=child(key, "steps"))
    nodes = c[1].slider("Nodes per cell", 1, 4, 4, key=child(key, "nodes"))
    arch_lr = c[2].select_slider("Learning rate of α", [1e-3, 3e-3, 1e-2, 3e-2], 3e-3, key=child(key, "alr"))
    cell = st.radio("Cell", ["normal", "reduce"], horizontal=True, key=child(key, "cell"))
    s = dict(num_steps=steps, nodes=nodes, arch_lr=arch_lr, seed=state.seed())
    sig = (DARTS_SEARCH, repr(sorted(s.items())))
    recipe = _recipe(DARTS_SEARCH)
    if st.button("Search", key=child(key, "go"), icon=":material/play_arrow:"):
        launch_group(key, {"DARTS": lambda: recipe.trainer(**s)}, sig)

    def results(jobs) -> None:
        t = jobs["DARTS"].trainer
        hist = list(getattr(t, "alpha_history", []))
        if not hist:
            return
        plotly_chart(vs.alpha_figure(hist, t.primitives, cell), key=child(key, "alpha"))
        plotly_chart(vs.alpha_heatmap(hist[-1][cell], t.primitives, nodes), key=child(key, "heat"))
        normal, reduce = t.genotype.split(" / ")
        pairs = [
            (p.split("@")[0], int(p.split("@")[1])) for p in (normal if cell == "normal" else reduce).split()
        ]
        plotly_chart(vs.cell_figure(pairs, f"derived {cell} cell"), key=child(key, "graph"))
        st.code(t.genotype, language=None)
        st.session_state[child(key, "genotype")] = t.genotype

    job_group_view(key, sig, results, live_results=True)
    if not group_jobs(key):
        st.markdown(
            f"**Before a search**: the {cell} cell DARTS found on CIFAR-10 (second-order search, "
            "the published *DARTS (V2)* genotype, the `darts` architecture on the Convolutional networks "
            "page). Your search on digits derives its own."
        )
        published = _published_cells()[0 if cell == "normal" else 1]
        plotly_chart(vs.cell_figure(published, f"DARTS (V2) {cell} cell"), key=child(key, "published"))
    geno = st.session_state.get(child(key, "genotype"))
    if geno and st.button("Train the derived cell's network", key=child(key, "train")):
        net = _recipe(DARTS_NET)
        launch_group(
            child(key, "net"), {"derived": lambda: net.trainer(genotype=geno, seed=state.seed())}, geno
        )
    if geno:
        job_group_view(child(key, "net"), geno, lambda jobs: None)


def _recipe(name: str):
    from training.recipes import get_recipe

    return get_recipe(name)
