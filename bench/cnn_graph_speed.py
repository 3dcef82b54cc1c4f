"""CNN graph speed: build (on meta), trace, lay out and draw the canonical graphs of ResNet-152 and
EfficientNet-B7, beside torchview's draw_graph of the same model in the same run.

    python -m bench.cnn_graph_speed [--names resnet152 efficientnet_b7] [--repeats 3]

Prints each median time and the ratio torchview / ArchAtlas (above 1: ArchAtlas is faster). Both
build the model on the meta device; ours = build + torch.fx trace + ×N collapse + Plotly figure,
torchview's = build + its own trace + its graphviz graph object (not rendered to an image).
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


def atlas_time(name: str) -> tuple[float, float, float, int]:
    """(build, trace, draw) seconds and the number of traced nodes."""
    spec = archs.get_arch(name)
    cfg = spec.make_config("canonical")
    t0 = time.perf_counter()
    model = archs.build_from_config(spec, cfg, "meta")
    t1 = time.perf_counter()
    G = trace_graph(model, to_device(spec.example_input(cfg), "meta"))
    t2 = time.perf_counter()
    graph_figure(collapse_repeats(G))
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, G.number_of_nodes()


def torchview_time(name: str) -> float | None:
    try:
        from torchview import draw_graph
    except ImportError:
        return None
    spec = archs.get_arch(name)
    cfg = spec.make_config("canonical")
    t0 = time.perf_counter()
    model = archs.build_from_config(spec, cfg, "meta")
    draw_graph(model, input_data=to_device(spec.example_input(cfg), "meta")[:1], device="meta", depth=99)
    return time.perf_counter() - t0


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--names", nargs="+", default=["resnet152", "efficientnet_b7"])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    results = []
    for name in args.names:
        atlas_time(name)  # warm-up: imports, fx caches
        runs = [atlas_time(name) for _ in range(args.repeats)]
        build, trace, draw = (statistics.median(r[i] for r in runs) for i in range(3))
        ours = statistics.median(sum(r[:3]) for r in runs)
        tv = [torchview_time(name) for _ in range(args.repeats)]
        out = {"arch": name, "nodes": runs[0][3], "atlas_s": round(ours, 3)}
        print(f"{name} (canonical, {runs[0][3]} traced nodes)")
        print(
            f"  ArchAtlas build {build * 1e3:7.1f} ms + trace {trace * 1e3:7.1f} ms "
            f"+ draw {draw * 1e3:7.1f} ms"
            f" = {ours * 1e3:8.1f} ms"
        )
        if tv[0] is None:
            print("  torchview: not installed")
        else:
            out["torchview_s"] = round(statistics.median(tv), 3)
            out["ratio"] = round(out["torchview_s"] / ours, 2)
            print(f"  torchview draw_graph                              = {out['torchview_s'] * 1e3:8.1f} ms")
            print(f"  ratio torchview / ArchAtlas: {out['ratio']:.2f}×")
        results.append(out)
    return results


if __name__ == "__main__":
    main()
