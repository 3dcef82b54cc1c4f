"""Recurrent networks: RNN, LSTM, GRU, BiLSTM, seq2seq with attention, TCN and text CNN."""

import streamlit as st

from ui import state
from ui.boot import ensure_app
from ui.forms import config_form
from ui.jobs import job_board
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel
from ui.rnn.experiments import dates_experiment, memory_experiment, single_experiment
from ui.rnn.panels import idea, internals_panel, unrolled_panel

ensure_app()

st.title("Recurrent networks")
st.markdown(
    "Networks with a memory: they read a sequence one step at a time and carry a state from each step "
    "to the next, with the same weights at every step. Gates (LSTM, GRU) decide what to keep; attention "
    "lets a decoder look back at every input; convolutions (TCN, text CNN) read sequences without a loop."
)

lesson_bar("rnn")
spec, preset = arch_picker("rnn", key="rnn", default="lstm")
with st.expander("Hyperparameters (shared by the Graph, Summary and Internals tabs)", expanded=False):
    cfg = config_form(spec, key="rnn", preset=preset)

tab_idea, tab_graph, tab_summary, tab_int, tab_train = tabs(
    ["Idea", "Graph", "Summary", "Internals", "Train / Experiments"], key="rnn.tab"
)

if tab_idea.open:
    with tab_idea:
        idea()

if cfg is not None:
    if tab_graph.open:
        with tab_graph:
            unrolled_panel(spec, cfg)
            st.markdown(
                "**Layer graph** (traced by running the model: one node per cell call, i.e. per time step)."
            )
            graph_panel(spec, cfg, key="rnn.g")
    if tab_summary.open:
        with tab_summary:
            summary_panel(spec, cfg, key="rnn.s")
    if tab_int.open:
        with tab_int:
            # the model trained on the last tab, if it is this architecture
            job = job_board().get("rnn.t.train")
            internals_panel(
                spec,
                cfg,
                job if job is not None and job.trainer.name.endswith(":" + spec.name) else None,
                state.seed(),
            )
if tab_train.open:
    with tab_train:
        which = st.radio(
            "Experiment",
            ("Memory: RNN vs LSTM vs GRU", "Dates with attention", "Train the chosen architecture"),
            horizontal=True,
            key="rnn.exp",
        )
        if which.startswith("Memory"):
            memory_experiment()
        elif which.startswith("Dates"):
            dates_experiment()
        elif cfg is None:
            st.info("Fix the hyperparameters above first: the chosen architecture cannot be built as set.")
        else:
            single_experiment(spec, cfg)
