"""Panels every family page reuses: choose an architecture, its graph, its summary, a layer's details."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

import archs
from archs.collapse import collapse_repeats, repeat_runs
from archs.introspect import capture, trace_graph
from archs.spec import ArchSpec, to_device
from ui import state
from viz.images import heatmap, histogram
from viz.model_graph import graph_figure, graph_stats
from viz.summary import human, model_summary


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
    return spec, preset


@st.cache_resource(show_spinner="Tracing the graph…", max_entries=32)
def _traced(name: str, cfg: Any):
    """The full layer graph of a fresh model (built on the meta device: shapes only, no memory).
    Cached for everyone: graphs are immutable and depend only on the architecture and config."""
    spec = archs.get_arch(name)
    model = archs.build_from_config(spec, cfg, "meta")
    return trace_graph(model, to_device(spec.example_input(cfg), "meta"))


@st.cache_data(show_spinner="Counting parameters and mult-adds…", max_entries=32)
def _summary(name: str, cfg: Any, depth: int) -> dict:
    spec = archs.get_arch(name)
    model = archs.build_from_config(spec, cfg, "meta")
    return model_summary(model, to_device(spec.example_input(cfg), "meta"), depth=depth)


def graph_panel(
    spec: ArchSpec,
    cfg: Any,
    key: str,
    model: torch.nn.Module | None = None,
    inputs: Any = None,
    input_label: str = "a random example input",
) -> None:
    """The layer graph with depth and ×N controls; clicking a node shows its weights and activation
    (from ``model`` if given — e.g. the one being trained — else from a freshly initialised one) for
    ``inputs`` (default: the architecture's random example input)."""
    full = _traced(spec.name, cfg)
    paths = [d["path"] for _, d in full.nodes(data=True) if d.get("path")]
    max_depth = max((p.count(".") + 1 for p in paths), default=1)
    c1, c2 = st.columns([2, 1])
    with c1:
        opts = ["every layer"] + [f"depth {d}" for d in range(max_depth - 1, 0, -1)]
        view = st.radio(
            "Detail",
            opts,
            index=opts.index(default_view(spec.name, cfg, opts)),
            horizontal=True,
            key=f"{key}.depth",
            help="Depth k merges everything inside modules of k path components into one node.",
        )
    G = full if view == "every layer" else trace_cached_depth(spec.name, cfg, int(view.split()[1]))
    runs = repeat_runs(G)
    with c2:
        expanded = st.multiselect(
            "Expand repeated blocks",
            [r[0] for r in runs],
            key=f"{key}.expand",
            format_func=lambda n: f"{G.nodes[n]['path']} …",
            disabled=not runs,
            help="Runs of identical blocks are drawn as one node ×N; pick one to see every block.",
        )
    H = collapse_repeats(G, expanded)
    sel_key = f"{key}.selected"
    # the figure must not depend on the selection: Streamlit resets a chart's selection state when
    # its figure changes, which would swallow the click that changed it
    fig = graph_figure(H)
    s = graph_stats(H)
    st.caption(
        f"{s['nodes']} nodes · {s['edges']} edges · {s['skips']} skip connections · traced with "
        f"{'torch.fx' if H.graph.get('method') == 'fx' else 'the executed path (fx could not trace)'}"
        f" · click a node to inspect it"
    )
    event = st.plotly_chart(
        fig,
        on_select="rerun",
        selection_mode="points",
        key=f"{key}.chart",
        config={"scrollZoom": True, "displaylogo": False},
    )
    inspectable = [n for n, d in H.nodes(data=True) if d.get("path")]
    clicked = clicked_node(event, list(H.nodes), len(fig.data) - 1)
    if clicked in inspectable and clicked != st.session_state.get(f"{key}.last_click"):
        st.session_state[f"{key}.last_click"] = clicked
        st.session_state[sel_key] = clicked
    if not inspectable:
        return
    if st.session_state.get(sel_key) not in inspectable:
        st.session_state[sel_key] = inspectable[0]
    node = st.selectbox(
        "Inspect layer",
        inspectable,
        key=sel_key,
        format_func=lambda n: f"{H.nodes[n]['path']} · {H.nodes[n]['type']}",
    )
    layer_details(spec, cfg, H.nodes[node], model, inputs, input_label)


@st.cache_data(max_entries=64, show_spinner=False)
def default_view(name: str, cfg: Any, opts: list[str], max_nodes: int = 60) -> str:
    """The most detailed view whose graph, repeated blocks collapsed, has at most ``max_nodes`` nodes."""
    for view in opts:  # "every layer", then depth max-1 … 1: most detailed first
        G = (
            _traced(name, cfg)
            if view == "every layer"
            else trace_cached_depth(name, cfg, int(view.split()[1]))
        )
        if collapse_repeats(G).number_of_nodes() <= max_nodes:
            return view
    return opts[-1] if len(opts) > 1 else opts[0]


def clicked_node(event: Any, nodes: list[str], node_curve: int) -> str | None:
    """The node id of the point clicked in the graph figure, from Streamlit's selection state."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError, AttributeError):
        return None
    for p in points:
        cd = p.get("customdata")
        if isinstance(cd, (list, tuple)):
            cd = cd[0] if cd else None
        if isinstance(cd, str) and cd in nodes:
            return cd
        if p.get("curve_number") == node_curve and isinstance(p.get("point_index"), int):
            idx = p["point_index"]
            if 0 <= idx < len(nodes):
                return nodes[idx]
    return None


@st.cache_resource(max_entries=64, show_spinner=False)
def trace_cached_depth(name: str, cfg: Any, depth: int):
    from archs.collapse import collapse_depth

    return collapse_depth(_traced(name, cfg), depth)


def _fresh_model(name: str, cfg: Any, seed: int) -> torch.nn.Module:
    """An untrained model for inspection, built per call: hooks on a shared model would race."""
    torch.manual_seed(seed)
    model = archs.build_from_config(archs.get_arch(name), cfg, "cpu")
    return model.eval()


def layer_details(
    spec: ArchSpec,
    cfg: Any,
    d: dict,
    model: torch.nn.Module | None,
    inputs: Any = None,
    input_label: str = "a random example input",
) -> None:
    """One layer's weights (histogram) and its activation for ``inputs``. A freshly initialised model's
    views depend only on the architecture, config and layer: they are kept for this session's reruns."""
    if model is None and inputs is None:
        version = (spec.name, cfg, d["path"])
        view = state.memo("panels.layer", version, lambda: _layer_view(spec, cfg, d, None, None, input_label))
    else:
        view = _layer_view(spec, cfg, d, model, inputs, input_label)
    if "info" in view:
        st.info(view["info"])
        return
    if "path" not in view:
        return
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(view["title"])
        if "weights" in view:
            st.plotly_chart(view["weights"], key=f"hist.{d['path']}")
        else:
            st.caption("This layer has no weights: it transforms its input with a fixed rule.")
    with c2:
        if "act" in view:
            st.plotly_chart(view["act"], key=f"act.{d['path']}")
        elif "act_error" in view:
            st.caption(f"No activation to show for this configuration ({view['act_error']}).")


def _layer_view(
    spec: ArchSpec, cfg: Any, d: dict, model: torch.nn.Module | None, inputs: Any, input_label: str
) -> dict:
    """The figures and texts of ``layer_details`` (no streamlit calls)."""
    try:
        big = archs.count_params(archs.build_from_config(spec, cfg, "meta")) > 50_000_000
    except Exception:
        big = True
    if model is None and big:
        return {
            "info": "This model is too large to materialise for inspection here; its graph and summary come "
            "from the meta device (shapes only). Choose the tiny preset to see weights and activations."
        }
    live = model is not None
    model = model if live else _fresh_model(spec.name, cfg, 0)
    module = dict(model.named_modules()).get(d["path"])
    if module is None:
        return {}
    view: dict = {
        "path": d["path"],
        "title": f"**{d['path']}** · `{d['type']}` · {d.get('params', 0):,} parameters"
        + (" · weights of the model being trained" if live else " · freshly initialised weights"),
    }
    weights = [p.detach().float().cpu().numpy().ravel() for p in module.parameters()]
    if weights:
        w = np.concatenate(weights)
        view["weights"] = histogram(w, f"weights of {d['path']} (mean {w.mean():.3g}, std {w.std():.3g})")
    device = next((q.device for q in model.parameters()), torch.device("cpu"))
    x = to_device(inputs if inputs is not None else spec.example_input(cfg), device)
    try:
        act = capture(model, x, [d["path"]]).get(d["path"])
    except Exception as e:  # an input that does not fit this config must not break the page
        view["act_error"] = type(e).__name__
        return view
    if act is not None:
        a = act.float().cpu().numpy()
        title = f"its output for {input_label}, shape {'×'.join(map(str, a.shape))}"
        if a.ndim == 2:
            view["act"] = heatmap(a, title=title, xlabel="unit", ylabel="example")
        else:
            view["act"] = histogram(a, title)
    return view


def summary_panel(spec: ArchSpec, cfg: Any, key: str) -> None:
    """Per-layer output shape, parameters and mult-adds (torchinfo's numbers, our rendering)."""
    depth = st.slider(
        "Depth", 1, 6, 2, key=f"{key}.sdepth", help="How many levels of nested modules to list."
    )
    s = _summary(spec.name, cfg, depth)
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
