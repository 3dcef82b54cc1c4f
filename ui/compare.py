"""The Compare page's panels: choose 2–4 models of any family and preset, then their costs, latency,
graphs and layer tables side by side, a training race on one recipe, and the map of every canonical
model. Counting happens on ``meta`` (cached for everyone); latency is measured on request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

import archs
from archs.catalog import canonical_costs, cost_row
from archs.latency import Latency, LatencyRefused, forward_latency
from archs.spec import ArchSpec
from training.recipes import Recipe, list_recipes
from ui import state
from ui.charts import plotly_chart
from ui.graph_panel import graph_at
from ui.jobs import job_group_view, launch_group
from ui.nav import page_by_path, page_link
from ui.panels import summary_of
from viz.compare import cost_bars, landscape_figure
from viz.curves import ema, training_curves
from viz.model_graph import graph_figure, graph_stats
from viz.summary import human

MAX_MODELS = 4
DEFAULTS = (  # a classic efficiency pair that one recipe trains, then a transformer of each kind
    ("resnet50", "canonical"),
    ("mobilenet_v2", "canonical"),
    ("vit_b_16", "canonical"),
    ("gpt2_small", "canonical"),
)
STEPS = (50, 100, 200, 300, 600, 1000)


@dataclass(frozen=True)
class Pick:
    spec: ArchSpec
    preset: str
    label: str

    @property
    def cfg(self) -> Any:
        return self.spec.make_config(self.preset)


def arch_label(spec: ArchSpec) -> str:
    """How the model pickers (and so the links) name an architecture: its title, with the family where
    two families share a title."""
    twice = sum(s.title == spec.title for s in archs.list_archs()) > 1
    return f"{spec.title} · {spec.family}" if twice else spec.title


def compare_link(spec: ArchSpec, preset: str) -> None:
    """A link to the Compare page with this model as its first."""
    page = page_by_path("pages/compare.py")
    if page is not None:
        page_link(
            page,
            "Compare it with other models",
            {"cmp.1.arch": arch_label(spec), f"cmp.1.{spec.name}.preset": preset},
            help="Opens the Compare page with this architecture and preset as model 1.",
        )


def pick_models(key: str = "cmp") -> list[Pick]:
    """How many models (2–4), then for each an architecture of any family and one of its presets."""
    specs = archs.list_archs()
    names = [s.name for s in specs]
    n = (
        st.segmented_control(
            "Models", [2, 3, 4], default=2, key=f"{key}.n", help="How many models to put side by side."
        )
        or 2
    )
    cols = st.columns(n)
    picks: list[Pick] = []
    for i in range(n):
        default_name, default_preset = DEFAULTS[i]
        with cols[i]:
            spec = st.selectbox(
                f"Model {i + 1}",
                specs,
                index=names.index(default_name),
                format_func=arch_label,  # what a link carries: keep it short
                key=f"{key}.{i + 1}.arch",
            )
            presets = list(spec.presets)
            preset = st.selectbox(
                "Preset",
                presets,
                index=presets.index(default_preset) if default_preset in presets else 0,
                key=f"{key}.{i + 1}.{spec.name}.preset",
                help="canonical is the published model, exactly; tiny trains in seconds on a CPU.",
            )
            st.caption(f"{archs.FAMILIES[spec.family][0]} · {spec.year}")
        picks.append(Pick(spec, preset, f"{spec.title} ({preset})"))
    counts = {lab: sum(p.label == lab for p in picks) for lab in {p.label for p in picks}}
    seen: dict[str, int] = {}
    for i, p in enumerate(picks):  # the same model twice: number the labels apart
        if counts[p.label] > 1:
            seen[p.label] = seen.get(p.label, 0) + 1
            picks[i] = Pick(p.spec, p.preset, f"{p.label} #{seen[p.label]}")
    return picks


# ---------------------------------------------------------------------------------- costs and latency


@st.cache_data(show_spinner="Counting…", max_entries=64)
def _row(name: str, preset: str) -> dict:
    return cost_row(name, preset)


def _lat_text(v: Latency | str | None, per_batch: bool) -> str:
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    return f"{v.median_s * 1000:,.1f} ms" + (f" · {v.throughput:,.0f} ex/s" if per_batch else "")


def cost_table(picks: list[Pick], key: str = "cmp") -> None:
    """Parameters, mult-adds, memory and measured latency of each model, as a table and as bars."""
    device = state.device()
    measured = st.session_state.setdefault(f"{key}.latency", {})
    rows, bars = [], []
    for p in picks:
        s = summary_of(p.spec.name, p.cfg, 1)["totals"]
        r = _row(p.spec.name, p.preset)
        lat = measured.get((p.spec.name, p.preset, device), {})
        published = p.spec.published_params if p.preset == "canonical" else None
        rows.append(
            {
                "model": p.label,
                "family": archs.FAMILIES[p.spec.family][0],
                "input (one example)": r["input"],
                "parameters": f"{s['params']:,} ({human(s['params'])})",
                "mult-adds / example": f"{s['mult_adds']:,} ({human(s['mult_adds'])})",
                "weights (MB)": round(s["param_mb"], 2),
                "activations / example (MB)": round(s["activation_mb"] / max(s["batch"], 1), 3),
                # each model's example batch (2 or 4): one row for all, the batch beside the value
                "training memory (MB)": f"{s['train_mb_estimate']:,.1f} (batch {s['batch']})",
                "published size": "—"
                if published is None
                else ("✓ " if published == s["params"] else "✗ ") + f"{published:,}",
                "published score": f"{r['score']:g} % {r['benchmark']}" if r["score"] else "—",
                "latency, batch 1": _lat_text(lat.get(1), False),
                "latency, batch 32": _lat_text(lat.get(32), True),
            }
        )
        bars.append({**r, "label": p.label, "train_mb": s["train_mb_estimate"]})
    df = pd.DataFrame(rows).set_index("model").T  # models as columns: reads like a spec sheet
    st.dataframe(df.astype(str), width="stretch", height=38 + 35 * len(df))  # every row, no scrolling
    plotly_chart(cost_bars(bars), key=f"{key}.bars")
    st.caption(
        "Mult-adds per example at each model's own input (a language model's depend on its sequence "
        "length). Training memory: weights, gradients and two Adam moments, plus a batch's activations "
        "kept for backpropagation."
    )
    latency_button(picks, device, measured, key)


def latency_button(picks: list[Pick], device: str, measured: dict, key: str) -> None:
    if st.button(
        f"Measure forward latency on {device.upper()}",
        key=f"{key}.measure",
        icon=":material/timer:",
        help="Builds each model with random weights and times its forward pass (inference mode, median "
        "of repeated runs after a warm-up) for a batch of 1 and of 32. Giants are counted, not run; a "
        "batch that would take too long here is skipped.",
    ):
        for p in picks:
            s = summary_of(p.spec.name, p.cfg, 1)["totals"]
            per_example = int(s["activation_mb"] * 2**20 / max(s["batch"], 1))
            with st.spinner(f"Timing {p.label}…"):
                try:
                    out = forward_latency(p.spec, p.cfg, (1, 32), device, per_example)
                except LatencyRefused as e:
                    out = {1: str(e), 32: "not run"}
                except RuntimeError as e:  # a device error: say it, keep the page
                    out = {1: f"failed: {str(e).splitlines()[0][:160]}", 32: "not run"}
            measured[(p.spec.name, p.preset, device)] = out
        st.rerun()
    if measured:
        threads = {v.threads for d in measured.values() for v in d.values() if isinstance(v, Latency)}
        st.caption(
            f"Measured on this server's {device.upper()}"
            + (f" with {', '.join(map(str, sorted(threads)))} thread(s)" if threads else "")
            + ", shared with every session: repeat on a quiet server before you quote a number."
        )


# ---------------------------------------------------------------------------------- graphs and layers

DETAILS = ("auto", "depth 1", "depth 2", "depth 3", "every layer")


def graphs(picks: list[Pick], key: str = "cmp") -> None:
    """Each model's layer graph at the same level of detail, two per row."""
    detail = (
        st.segmented_control(
            "Detail",
            DETAILS,
            default="depth 2",
            key=f"{key}.detail",
            help="The same rule for every model: depth k draws every module of k path components as one "
            "node; auto opens blocks while a graph keeps a readable size.",
        )
        or "depth 2"
    )
    for start in range(0, len(picks), 2):
        cols = st.columns(2)
        for col, p in zip(cols, picks[start : start + 2], strict=False):
            with col:
                st.markdown(f"**{p.label}**")
                H, full = graph_at(p.spec.name, p.cfg, detail)
                s = graph_stats(H)
                st.caption(
                    f"{s['nodes']} nodes · {s['edges']} edges · {s['skips']} skip connections "
                    f"(of {full.number_of_nodes()} in the full graph)"
                )
                plotly_chart(graph_figure(H), key=f"{key}.graph.{start // 2}.{p.spec.name}", width="stretch")


def layer_tables(picks: list[Pick], key: str = "cmp") -> None:
    """Each model's modules to a chosen depth: output shape, parameters and mult-adds per example."""
    depth = st.slider(
        "Depth", 1, 4, 1, key=f"{key}.ldepth", help="How many levels of nested modules to list."
    )
    for start in range(0, len(picks), 2):
        cols = st.columns(2)
        for col, p in zip(cols, picks[start : start + 2], strict=False):
            s = summary_of(p.spec.name, p.cfg, depth)
            df = pd.DataFrame(s["rows"])
            with col:
                st.markdown(f"**{p.label}** · {human(s['totals']['params'])} parameters")
                if df.empty:
                    st.caption("No modules at this depth.")
                    continue
                df = df[["layer", "output_shape", "params", "mult_adds"]]
                df.columns = ["layer", "output", "parameters", "mult-adds"]
                st.dataframe(
                    df,
                    hide_index=True,
                    width="stretch",
                    height=min(600, 38 + 35 * len(df)),
                    column_config={
                        "parameters": st.column_config.NumberColumn(format="compact"),
                        "mult-adds": st.column_config.NumberColumn(format="compact"),
                    },
                )


# ---------------------------------------------------------------------------------- training race


def recipes_for(picks: list[Pick]) -> list[tuple[Recipe, list[Pick]]]:
    """Recipes that train at least one of the models, those that train the most first."""
    found = []
    for r in list_recipes():
        covered = [p for p in picks if p.spec.name in r.compatible]
        if covered:
            found.append((r, covered))
    return sorted(found, key=lambda rc: -len(rc[1]))


def train_race(picks: list[Pick], key: str = "cmp") -> None:
    """Train every model a chosen recipe accepts, on the same data and seed, queued on the job runner;
    the curves overlaid and a final table once all have finished."""
    options = recipes_for(picks)
    if not options:
        st.info("No recipe trains these models yet.")
        return
    by_name = {r.name: (r, c) for r, c in options}
    c1, c2 = st.columns([3, 1])
    name = c1.selectbox(
        "Recipe",
        list(by_name),
        key=f"{key}.recipe",
        format_func=lambda n: f"{by_name[n][0].title} — trains {len(by_name[n][1])} of {len(picks)}",
        help="A ready experiment: data, task and training settings. Every model runs it with the same "
        "data, seed and number of steps.",
    )
    steps = c2.select_slider("Steps per model", STEPS, 200, key=f"{key}.steps")
    recipe, covered = by_name[name]
    left = [p.label for p in picks if p not in covered]
    st.caption(
        f"{recipe.summary} Each model trains its **{recipe.preset}** preset, shaped to the recipe's data "
        "(a canonical giant would not train here in a lesson)."
        + (f" Not trained by this recipe: {', '.join(left)}." if left else "")
    )
    seed, device = state.seed(), state.device()
    sig = (name, tuple(p.spec.name for p in covered), steps, seed, device)
    if st.button("Train all", key=f"{key}.train", type="primary", icon=":material/play_arrow:"):
        launch_group(
            f"{key}.run",
            {
                f"{p.spec.title}": (
                    lambda a=p.spec.name: recipe.trainer(arch=a, num_steps=steps, seed=seed, device=device)
                )
                for p in covered
            },
            sig,
        )
    job_group_view(
        f"{key}.run",
        sig,
        lambda jobs: race_results(jobs, key),
        "The recipe, models, steps or seed changed since this race: press Train all to run it again.",
        live_results=True,  # the curves grow while the models train
    )


def race_results(jobs: dict, key: str) -> None:
    """The overlaid curves of every model that has trained a step (redrawn while they train) and, once
    every model has finished, the final table."""
    snaps = {lab: j.snapshot() for lab, j in jobs.items()}
    done = {lab: s for lab, s in snaps.items() if s["history"]}
    if not done:
        return
    plotly_chart(training_curves({lab: s["history"] for lab, s in done.items()}), key=f"{key}.curves")
    if not all(j.trainer.finished for j in jobs.values()):
        return
    rows = []
    for lab, s in done.items():
        losses = [r["loss"] for r in s["history"] if "loss" in r]
        ev = s["last_eval"]
        rows.append(
            {
                "model": lab,
                "state": s["state"],
                "steps": s["step"],
                "parameters": archs.count_params(jobs[lab].trainer.model),
                "train loss (smoothed)": float(ema(losses)[-1]) if losses else None,
                **{
                    k.replace("_", " "): v
                    for k, v in ev.items()
                    if k.startswith("test_") or k.startswith("val_")
                },
                "training time (s)": round(s["train_seconds"], 1),
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


# ---------------------------------------------------------------------------------- the map


@st.cache_data(show_spinner="Counting every canonical model (once per server)…")
def _canonical_rows() -> list[dict]:
    return canonical_costs()


def landscape(picks: list[Pick], key: str = "cmp") -> None:
    """Every canonical model of the atlas, parameters against mult-adds, the compared ones ringed; and
    the table with each published score the registry cites."""
    rows = _canonical_rows()
    highlight = [p.spec.name for p in picks if p.preset == "canonical"]
    plotly_chart(landscape_figure(rows, highlight), key=f"{key}.map")
    st.caption(
        f"{len(rows)} published models, counted on the meta device. Diamonds carry a published score "
        "(hover for it and its source); ringed: the canonical models compared above."
    )
    df = pd.DataFrame(rows)
    df = df[
        [
            "title",
            "family_title",
            "year",
            "params",
            "mult_adds",
            "input",
            "score",
            "benchmark",
            "score_source",
        ]
    ]
    df = df.assign(score=df["score"].astype(float))  # a blank, not "None", where no score is cited
    df.columns = [
        "model",
        "family",
        "year",
        "parameters",
        "mult-adds / example",
        "input",
        "score (%)",
        "benchmark",
        "source",
    ]
    st.dataframe(
        df.sort_values("parameters"),
        hide_index=True,
        width="stretch",
        column_config={
            "year": st.column_config.NumberColumn(format="%d"),
            "parameters": st.column_config.NumberColumn(format="compact"),
            "mult-adds / example": st.column_config.NumberColumn(format="compact"),
        },
    )
