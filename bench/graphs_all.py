"""Graph speed for every canonical preset (on ``meta``), largest first: trace + the default level of
detail (``archs.detail.auto_opened``, what the graph panel draws first) + layout + figure, against
torchview's ``draw_graph`` graph building on the same model when torchview is installed. ``nodes`` is
the traced graph's size, ``shown`` the default view's."""

from __future__ import annotations

import gc
import signal
import statistics
import time

import archs
from archs.detail import auto_opened, view
from archs.introspect import trace_graph
from archs.spec import to_device
from viz.model_graph import graph_figure


def _ours(spec, cfg) -> tuple[float, int, str, int]:
    t0 = time.perf_counter()
    model = archs.build_from_config(spec, cfg, "meta")
    G = trace_graph(model, to_device(spec.example_input(cfg), "meta"))
    H = view(G, auto_opened(G))
    graph_figure(H)
    return time.perf_counter() - t0, G.number_of_nodes(), G.graph.get("method", ""), H.number_of_nodes()


class _Timeout(Exception):
    pass


def _torchview(spec, cfg, limit: float) -> float | str:
    try:
        from torchview import draw_graph
    except ImportError:
        return "not installed"

    def alarm(*_):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    t0 = time.perf_counter()
    try:
        model = archs.build_from_config(spec, cfg, "meta")
        draw_graph(model, input_data=to_device(spec.example_input(cfg), "meta"), device="meta", depth=99)
        return time.perf_counter() - t0
    except _Timeout:
        return f"> {limit:.0f} s"
    except Exception as e:
        return f"failed: {type(e).__name__}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(
    quick: bool = False, limit: float = 30.0, rounds: int = 3, names: list[str] | None = None
) -> list[dict]:
    """Each model is drawn ``rounds`` times by both tools, alternating, after a garbage collection
    (a collection landing inside one run was the largest source of noise); the medians are reported.
    ``names``: only these architectures."""
    specs = [s for s in archs.list_archs() if "canonical" in s.presets and (not names or s.name in names)]
    sized = sorted(((s.published_params or 0, s) for s in specs), key=lambda t: -t[0])
    if quick:
        sized, rounds = sized[-2:], 1  # the two smallest: CI only checks that the benchmark runs
    if sized:  # warm-up: first-call imports and caches are not part of drawing a graph
        _ours(sized[-1][1], sized[-1][1].make_config("canonical"))
        _torchview(sized[-1][1], sized[-1][1].make_config("canonical"), limit)
    rows = []
    for n, spec in sized:
        cfg = spec.make_config("canonical")
        ours, theirs = [], []
        try:
            for _ in range(rounds):
                gc.collect()
                t, nodes, method, shown = _ours(spec, cfg)
                ours.append(t)
                gc.collect()
                theirs.append(_torchview(spec, cfg, 5.0 if quick else limit))
        except Exception as e:
            rows.append({"arch": spec.name, "params": n, "error": f"{type(e).__name__}: {e}"[:200]})
            continue
        t = statistics.median(ours)
        row = {"arch": spec.name, "params": n, "nodes": nodes, "shown": shown, "method": method}
        row["atlas_s"] = round(t, 4)
        if all(isinstance(v, float) for v in theirs):
            tv = statistics.median(theirs)
            row["torchview_s"] = round(tv, 4)
            row["speedup"] = round(tv / t, 2)
        else:
            row["torchview"] = next(v for v in theirs if not isinstance(v, float))
        rows.append(row)
    return rows


if __name__ == "__main__":  # python -m bench.graphs_all [name ...]
    import sys

    for r in run(names=sys.argv[1:] or None):
        print(r)
