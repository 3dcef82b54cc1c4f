"""The layer graph panel every family page reuses: the graph at a readable level of detail, a search box
that finds a layer by name, ×N blocks that expand, and a click (or a search result) that opens a
layer's details: each of its weight tensors and its output for an input."""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st
import torch

import archs
from archs.detail import (
    MAX_NODES,
    all_opened,
    auto_opened,
    depth_opened,
    draws,
    find_layers,
    node_for,
    opened_for,
    view,
)
from archs.introspect import capture, trace_graph
from archs.spec import ArchSpec, to_device
from ui import state
from ui.charts import plotly_chart
from viz.images import heatmap, histogram
from viz.layer_view import weights_figure
from viz.model_graph import graph_figure, graph_stats

AUTO = "auto"


@st.cache_resource(show_spinner="Tracing the graph…", max_entries=32)
def _traced(name: str, cfg: Any):
    """The full layer graph of a fresh model (built on the meta device: shapes only, no memory).
    Cached for everyone: graphs are immutable and depend only on the architecture and config."""
    spec = archs.get_arch(name)
    model = archs.build_from_config(spec, cfg, "meta")
    return trace_graph(model, to_device(spec.example_input(cfg), "meta"))


@st.cache_resource(max_entries=64, show_spinner=False)
def _opened(name: str, cfg: Any, detail: str) -> frozenset[str]:
    full = _traced(name, cfg)
    if detail == AUTO:
        return auto_opened(full)
    if detail == "every layer":
        return all_opened(full)
    return depth_opened(full, int(detail.split()[1]))


@st.cache_resource(max_entries=64, show_spinner=False)
def _view(name: str, cfg: Any, opened: frozenset[str], unfold: tuple[str, ...]):
    return view(_traced(name, cfg), opened, unfold)


def graph_at(name: str, cfg: Any, detail: str):
    """The layer graph of a config at a detail level (``auto``, ``every layer`` or ``depth k``) and the
    full traced graph it was drawn from; both cached for everyone."""
    return _view(name, cfg, _opened(name, cfg, detail), ()), _traced(name, cfg)


def _cfg_id(cfg: Any) -> str:
    return hashlib.blake2b(repr(cfg).encode(), digest_size=4).hexdigest()


def _unfoldable(G) -> dict[str, str]:
    """Runs (×N nodes, by their first node) and blocks drawn once for N copies, with their names."""
    out = {d["run"]: f"{d['path']} … ×{d['repeat']}" for _, d in G.nodes(data=True) if d.get("repeat")}
    for g in G.graph["groups"]:
        out[g["id"]] = f"{g['path']} … {g['last']} (drawn once, ×{g['repeat']})"
    return out


def graph_panel(
    spec: ArchSpec,
    cfg: Any,
    key: str,
    model: torch.nn.Module | None = None,
    inputs: Any = None,
    input_label: str = "a random example input",
) -> None:
    """The layer graph with detail, search and ×N controls; clicking a node (or choosing a search result)
    shows its weights and activation (from ``model`` if given — e.g. the one being trained — else from a
    freshly initialised one) for ``inputs`` (default: the architecture's random example input)."""
    full = _traced(spec.name, cfg)
    paths = [d["path"] for _, d in full.nodes(data=True) if d.get("path")]
    max_depth = max((p.count(".") + 1 for p in paths), default=1)
    c1, c2, c3 = st.columns([2, 1.2, 1.2])
    with c1:
        opts = [AUTO, "every layer"] + [f"depth {d}" for d in range(max_depth - 1, 0, -1)]
        detail = st.radio(
            "Detail",
            opts,
            horizontal=True,
            key=f"{key}.detail.{spec.name}.{_cfg_id(cfg)}",  # each model starts at its own auto detail
            help=f"**auto** opens blocks, input side first, while the graph keeps at most {MAX_NODES} nodes; "
            "identical blocks are drawn once, ×N. **depth k** draws every module of k path components "
            "as one node. **every layer** draws them all (very tall for large models).",
        )
    with c3:
        query = st.text_input(
            "Find a layer",
            key=f"{key}.find",
            placeholder="e.g. layer3.4.conv2, attn, BatchNorm",
            help="Part of a layer's name (its module path) or class. Matching nodes are ringed in orange; "
            "choose one below to open the blocks around it and inspect it.",
        )
    matches = find_layers(full, query) if query.strip() else []
    picked = None
    if query.strip():
        types = full.graph.get("modules", {})
        picked = c3.selectbox(
            f"{len(matches)} layer{'s' * (len(matches) != 1)} match",
            matches[:300],
            index=None,
            key=f"{key}.found.{spec.name}.{query.strip()}",
            placeholder="choose one to open it" if matches else "no layer has that name",
            format_func=lambda p: f"{p} · {types.get(p, ('?',))[0]}",
            disabled=not matches,
        )
    opened = _opened(spec.name, cfg, detail) | (opened_for(picked) if picked else set())
    folded = _unfoldable(_view(spec.name, cfg, frozenset(opened), ()))
    with c2:
        unfold = st.multiselect(
            "Expand repeated blocks",
            list(folded),
            key=f"{key}.expand.{spec.name}.{_cfg_id(cfg)}.{detail}.{picked}",
            format_func=lambda n: folded.get(n, n),
            disabled=not folded,
            help="Identical blocks in a row are drawn as one node ×N, or once in a box marked ×N; pick "
            "one to draw every copy.",
        )
    H = _view(spec.name, cfg, frozenset(opened), tuple(sorted(unfold)))
    ringed = {n for n, d in H.nodes(data=True) if any(draws(d, m) for m in matches[:300])}
    # the figure must not depend on the clicked node: Streamlit resets a chart's selection state when
    # its figure changes, which would swallow the click that changed it
    fig = graph_figure(H, highlight=ringed)
    s = graph_stats(H)
    notes = []
    if H.graph["groups"]:
        notes.append("a shaded block is drawn once for its N identical copies (×N)")
    if fig.data[-1].mode == "markers":
        notes.append("too tall to label legibly: hover over a node, search, or choose auto or a depth")
    st.caption(
        f"{s['nodes']} nodes · {s['edges']} edges · {s['skips']} skip connections · traced with "
        f"{'torch.fx' if H.graph.get('method') == 'fx' else 'the executed path (fx could not trace)'}"
        f" · click a node to inspect it" + "".join(f" · {n}" for n in notes)
    )
    event = plotly_chart(
        fig,
        on_select="rerun",
        selection_mode="points",
        key=f"{key}.chart",
        config={"scrollZoom": True, "displaylogo": False},
        width="content" if fig.layout.width else "stretch",
    )
    inspectable = [n for n, d in H.nodes(data=True) if d.get("path")]
    sel_key = f"{key}.selected"
    clicked = clicked_node(event, list(H.nodes), len(fig.data) - 1)
    if clicked in inspectable and clicked != st.session_state.get(f"{key}.last_click"):
        st.session_state[f"{key}.last_click"] = clicked
        st.session_state[sel_key] = clicked
    if picked and picked != st.session_state.get(f"{key}.last_pick"):
        st.session_state[f"{key}.last_pick"] = picked
        st.session_state[sel_key] = node_for(H, picked)
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
    """One layer's weights (a histogram per tensor) and its activation for ``inputs``. A freshly
    initialised model's views depend only on the architecture, config and layer: they are kept for this
    session's reruns."""
    if model is None and inputs is None:
        version = (spec.name, cfg, d["path"])
        view_ = state.memo("panels.layer", version, lambda: layer_view(spec, cfg, d, None, None, input_label))
    else:
        view_ = layer_view(spec, cfg, d, model, inputs, input_label)
    if "info" in view_:
        st.info(view_["info"])
        return
    if "path" not in view_:
        return
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(view_["title"])
        if "weights" in view_:
            plotly_chart(view_["weights"], key=f"hist.{d['path']}")
        else:
            st.caption("This layer has no weights: it transforms its input with a fixed rule.")
    with c2:
        if "act" in view_:
            plotly_chart(view_["act"], key=f"act.{d['path']}")
        elif "act_error" in view_:
            st.caption(f"No activation to show for this configuration ({view_['act_error']}).")


def layer_view(
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
    view_: dict = {
        "path": d["path"],
        "title": f"**{d['path']}** · `{d['type']}` · {d.get('params', 0):,} parameters"
        + (" · weights of the model being trained" if live else " · freshly initialised weights"),
    }
    weights = weights_figure(module)
    if weights is not None:
        view_["weights"] = weights
    device = next((q.device for q in model.parameters()), torch.device("cpu"))
    x = to_device(inputs if inputs is not None else spec.example_input(cfg), device)
    try:
        act = capture(model, x, [d["path"]]).get(d["path"])
    except Exception as e:  # an input that does not fit this config must not break the page
        view_["act_error"] = type(e).__name__
        return view_
    if act is not None:
        a = act.float().cpu().numpy()
        title = f"its output for {input_label}, shape {'×'.join(map(str, a.shape))}"
        if a.ndim == 2:
            view_["act"] = heatmap(a, title=title, xlabel="unit", ylabel="example")
        else:
            view_["act"] = histogram(a, title)
    return view_
