"""Graph speed: time to trace, lay out and build the Plotly figure of the largest registered model
(canonical presets, built on ``meta``), and the same model through torchview if it is installed.

    python -m bench.graph_speed [--name NAME] [--repeats 3]

Prints both times and their ratio (torchview / ArchAtlas: above 1 means ArchAtlas is faster).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import archs  # noqa: E402
from archs.collapse import collapse_repeats
from archs.introspect import trace_graph
from archs.spec import to_device  # noqa: E402
from viz.model_graph import graph_figure  # noqa: E402


def largest_arch() -> str:
    best, size = "", -1
    for s in archs.list_archs():
        preset = "canonical" if "canonical" in s.presets else "tiny"
        n = archs.count_params(archs.build_model(s.name, preset, device="meta"))
        if n > size:
            best, size = s.name, n
    return best


def atlas_time(name: str) -> tuple[float, int]:
    spec = archs.get_arch(name)
    cfg = spec.make_config("canonical" if "canonical" in spec.presets else "tiny")
    t0 = time.perf_counter()
    model = archs.build_from_config(spec, cfg, "meta")
    G = trace_graph(model, to_device(spec.example_input(cfg), "meta"))
    graph_figure(collapse_repeats(G))
    return time.perf_counter() - t0, G.number_of_nodes()


def torchview_time(name: str) -> float | None:
    try:
        from torchview import draw_graph
    except ImportError:
        return None
    spec = archs.get_arch(name)
    cfg = spec.make_config("canonical" if "canonical" in spec.presets else "tiny")
    t0 = time.perf_counter()
    model = archs.build_from_config(spec, cfg, "meta")
    draw_graph(model, input_data=to_device(spec.example_input(cfg), "meta"), device="meta", depth=99)
    return time.perf_counter() - t0


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--name", default=None)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    name = args.name or largest_arch()
    atlas_time(name)  # warm-up (imports, fx caches)
    ours, nodes = [], 0
    for _ in range(args.repeats):
        t, nodes = atlas_time(name)
        ours.append(t)
    tv = [torchview_time(name) for _ in range(args.repeats)]
    out = {"arch": name, "nodes": nodes, "atlas_s": round(statistics.median(ours), 4)}
    print(f"{name}: {nodes} graph nodes")
    print(f"  ArchAtlas trace + layout + figure : {out['atlas_s'] * 1000:8.1f} ms")
    if tv[0] is None:
        print("  torchview                         : not installed (pip install torchview to compare)")
    else:
        out["torchview_s"] = round(statistics.median(tv), 4)
        out["ratio"] = round(out["torchview_s"] / out["atlas_s"], 2)
        print(f"  torchview draw_graph              : {out['torchview_s'] * 1000:8.1f} ms")
        print(f"  ratio torchview / ArchAtlas       : {out['ratio']:.2f}×")
    return out


if __name__ == "__main__":
    main()
