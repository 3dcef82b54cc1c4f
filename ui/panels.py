"""Panels every family page reuses: choose an architecture, its summary; its graph and a layer's details
live in ``ui.graph_panel`` (re-exported here)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

import archs
from archs.spec import ArchSpec, ConfigError, to_device
from ui.graph_panel import graph_panel, layer_details
from viz.summary import human, model_summary

__all__ = ["arch_picker", "graph_panel", "layer_details", "summary_of", "summary_panel"]


def guarded(lab, lead: str = "") -> None:
    """Run a lab; a setting it refuses (ConfigError, or a ValueError raised on bad input) is a sentence in
    the page, after ``lead`` in bold where given, never a traceback."""
    try:
        lab()
    except (ConfigError, ValueError) as e:
        st.error(f"**{lead}** {e}" if lead else str(e), icon=":material/block:")


def arch_picker(family: str, key: str, default: str | None = None) -> tuple[ArchSpec, str]:
    """A select box over the family's architectures and one over the chosen one's presets."""
    specs = archs.list_archs(family)
    names = [s.name for s in specs]
    c1, c2 = st.columns([3, 1])
    with c1:
        spec = st.selectbox(
            "Architecture",
            specs,
            format_func=lambda s: f"{s.title} ({s.year})",
            key=f"{key}.arch",
            index=names.index(default) if default in names else 0,
        )
    with c2:
        preset = st.selectbox(
            "Preset",
            list(spec.presets),
            key=f"{key}.{spec.name}.preset",
            help="tiny trains in seconds on a CPU; canonical is the published model, exactly.",
        )
    paper = spec.paper
    link = f" [{'arXiv ' + paper.arxiv if paper.arxiv else 'paper'}]({paper.link})" if paper.link else ""
    st.caption(f"{spec.summary} — {paper.cite()}{link}")
    from ui.compare import compare_link  # (ui.compare uses this module's summaries)

    compare_link(spec, preset)
    return spec, preset


@st.cache_data(show_spinner="Counting parameters and mult-adds…", max_entries=32)
def summary_of(name: str, cfg: Any, depth: int) -> dict:
    """torchinfo's rows to ``depth`` and the totals (parameters, mult-adds, memory) of a config, counted
    on ``meta`` and cached for everyone."""
    spec = archs.get_arch(name)
    model = archs.build_from_config(spec, cfg, "meta")
    return model_summary(model, to_device(spec.example_input(cfg), "meta"), depth=depth)


def summary_panel(spec: ArchSpec, cfg: Any, key: str) -> None:
    """Per-layer output shape, parameters and mult-adds (torchinfo's numbers, our rendering)."""
    depth = st.slider(
        "Depth", 1, 6, 2, key=f"{key}.sdepth", help="How many levels of nested modules to list."
    )
    s = summary_of(spec.name, cfg, depth)
    t = s["totals"]
    c = st.columns(4)
    c[0].metric(
        "Parameters", human(t["params"]), help=f"{t['params']:,} in all, {t['trainable']:,} trainable"
    )
    c[1].metric("Mult-adds per example", human(t["mult_adds"]), help=f"{t['mult_adds']:,}")
    c[2].metric("Weights in memory", f"{t['param_mb']:.2f} MB", help="float32, 4 bytes per parameter")
    c[3].metric(
        "Training memory (est.)",
        f"{t['train_mb_estimate']:.1f} MB",
        help=f"weights, gradients and two Adam moments, plus the activations of a batch of {t['batch']} "
        f"({t['activation_mb']:.2f} MB) kept for backpropagation",
    )
    df = pd.DataFrame(s["rows"])
    if not df.empty:
        df = df[["layer", "output_shape", "params", "mult_adds", "trainable"]]
        df.columns = [
            "layer",
            f"output shape (batch {t['batch']})",
            "parameters",
            "mult-adds / example",
            "trainable",
        ]
        st.dataframe(
            df,
            hide_index=True,
            width="stretch",
            column_config={
                "parameters": st.column_config.NumberColumn(format="localized"),
                "mult-adds / example": st.column_config.NumberColumn(format="localized"),
                "trainable": st.column_config.NumberColumn(format="localized"),
            },
        )
    if spec.published_params and cfg == spec.make_config("canonical"):
        ok = t["params"] == spec.published_params
        (st.success if ok else st.warning)(
            f"Published size: {spec.published_params:,} parameters "
            f"({spec.published_source}) — {'matches exactly' if ok else 'MISMATCH'}."
        )
    export_panel(spec, cfg, key)


def export_panel(spec: ArchSpec, cfg: Any, key: str) -> None:
    """The architecture as files other tools open: its config as JSON, the model as ONNX (Netron draws
    it, onnxruntime runs it). ONNX is made on request (seconds for a big model) and kept for this
    config; a model that cannot be exported says why."""
    from archs.export import ExportError, config_json, onnx_export

    st.markdown("**Export** this architecture with these hyperparameters")
    c = st.columns(2)
    c[0].download_button(
        "Config (JSON)",
        config_json(spec, cfg),
        file_name=f"{spec.name}.json",
        mime="application/json",
        key=f"{key}.json",
        icon=":material/data_object:",
        help="The architecture's name and every hyperparameter: the form's values.",
    )
    slot = f"{key}.onnx"
    made = st.session_state.get(slot)
    if made is not None and made[0] == (spec.name, cfg):
        if isinstance(made[1], bytes):
            c[1].download_button(
                f"Download ONNX ({len(made[1]) / 2**20:.1f} MB)",
                made[1],
                file_name=f"{spec.name}.onnx",
                mime="application/octet-stream",
                key=f"{key}.onnx_dl",
                icon=":material/download:",
                help="Random weights (the seed's); the Train tab's panel saves trained weights as "
                ".safetensors. Open the file in Netron to see the graph.",
            )
        else:
            c[1].warning(made[1], icon=":material/block:")
    elif c[1].button(
        "Export as ONNX",
        key=f"{key}.onnx_btn",
        icon=":material/schema:",
        help="Trace the model on its example input and write an ONNX file (opset 17).",
    ):
        try:
            with st.spinner("Exporting to ONNX…"):
                st.session_state[slot] = ((spec.name, cfg), onnx_export(spec, cfg))
        except ExportError as e:
            st.session_state[slot] = ((spec.name, cfg), str(e))
        st.rerun()
