"""Time-series forecasting: data and preprocessing, the models, live training, comparison and sweeps."""

import streamlit as st
import torch

from training.recipes import get_recipe
from ui import state
from ui.boot import ensure_app
from ui.forecasting import panels as fp
from ui.forecasting.idea import idea
from ui.forms import config_form
from ui.jobs import job_group_view, launch_group
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Time-series forecasting")
st.markdown(
    "Predict the next values of a series from its recent past: recurrent, convolutional and attention "
    "models against the honest baselines, on synthetic series or your own CSV, scored on a held-out future."
)
lesson_bar("fc")
idea_tab, data_tab, explore, compare, sweep = tabs(
    ["Idea", "Data", "Architectures", "Compare", "Sweep"], key="fc.tab"
)
if idea_tab.open:
    with idea_tab:
        idea()
recipe = get_recipe(fp.RECIPE)
seed, device = state.seed(), state.device()
with data_tab:  # its settings make the data every tab uses: they run whichever tab is open
    data_kw, data = fp.data_controls("fc.d", seed)
    if data is not None and data_tab.open:
        fp.data_view(data)
if explore.open:
    with explore:
        spec, preset = arch_picker("forecasting", key="fc", default="forecast_lstm")
        linked = recipe.link(data) if data is not None else {}
        fp.sync_fixed("fc", spec.name, preset, linked)
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="fc", preset=preset, fixed=linked)
        graph, summary, inside, train = tabs(["Graph", "Summary", "Internals", "Train"], key="fc.view")
if explore.open and cfg is not None:  # the Architectures tab and its own tabs
    if graph.open:
        with graph:
            fits = data is not None and all(getattr(cfg, k) == v for k, v in linked.items())
            inputs = torch.from_numpy(data.x_test[:8]) if fits else None
            graph_panel(
                spec,
                cfg,
                key="fc.g",
                inputs=inputs,
                input_label="8 test windows" if fits else "random windows",
            )
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="fc.s")
    if inside.open:
        with inside:
            fp.internals_panel(spec, cfg, data, "fc.train")
if explore.open and train.open:
    with train:
        fp.train_tab(spec, cfg, data, data_kw, seed, device)
if compare.open:
    with compare:
        st.markdown(
            "Train several models on the same data (their tiny presets), queued on the server's job runner, "
            "then score them on the test span against persistence."
        )
        if data is not None:
            models = st.multiselect(
                "Models",
                fp.forecasters(),
                ["forecast_lstm", "forecast_gru", "forecast_linear_ar"],
                format_func=fp.title,
                key="fc.c.models",
            )
            n = st.select_slider("Steps per model", (50, 100, 300, 600, 1000, 2000), 300, key="fc.c.steps")
            sig = fp.data_signature(data_kw) + f"|{seed}"
            if st.button("Run comparison", key="fc.c.run", type="primary", disabled=not models):
                runs = {fp.title(m): fp.compare_trainer(m, data_kw, n, seed, device) for m in models}
                launch_group("fc.c", runs, sig)
            job_group_view(
                "fc.c",
                sig,
                lambda jobs: fp.forecast_view(data, fp.finished_predictions(jobs), "fc.c.view"),
                fp.STALE,
            )
if sweep.open:
    with sweep:
        st.markdown(
            "Vary one hyperparameter over 3 to 5 values, train one model per value (queued), "
            "and see the test error."
        )
        if data is not None:
            c = st.columns([2, 2, 3])
            s_arch = c[0].selectbox(
                "Model",
                fp.forecasters(),
                fp.forecasters().index("forecast_lstm"),
                format_func=fp.title,
                key="fc.w.arch",
            )
            options = fp.sweepable(s_arch)
            hp_name = c[1].selectbox("Hyperparameter", list(options), key="fc.w.hp")
            text = c[2].text_input(
                "Values (3 to 5, commas)", options[hp_name].default, key=f"fc.w.vals.{s_arch}.{hp_name}"
            )
            n = st.select_slider("Steps per run", (50, 100, 300, 600, 1000), 300, key="fc.w.steps")
            sig = fp.data_signature(data_kw) + f"|{seed}|{s_arch}|{hp_name}"
            try:
                values = fp.parse_values(text, options[hp_name], hp_name)
            except ValueError as e:
                st.error(fp.sentence(e), icon=":material/block:")
                values = []
            if st.button("Run sweep", key="fc.w.run", type="primary", disabled=not values):
                launch_group(
                    "fc.w",
                    {
                        f"{hp_name}={v}": fp.sweep_trainer(s_arch, data_kw, hp_name, v, n, seed, device)
                        for v in values
                    },
                    sig,
                )
            job_group_view("fc.w", sig, lambda jobs: fp.sweep_view(data, jobs, hp_name), fp.STALE)
