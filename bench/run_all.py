"""Every benchmark in one command: prints one table per benchmark and writes JSON.

    python -m bench.run_all            # the full suite (tens of minutes on a 2-core CPU)
    python -m bench.run_all --quick    # CI: a short run of each part, checking that it works

Results go to bench/results/<date>.json (or --out). Every figure is a ratio against a baseline measured
in the same run, or a plain measurement where no baseline exists; nothing here passes or fails on
wall-clock time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import browser_load, graphs_all, overhead_all, pages_latency  # noqa: E402
from training.device import device_info  # noqa: E402


def table(title: str, rows: list[dict]) -> str:
    if not rows:
        return f"\n{title}\n  (nothing measured)"
    cols = list(dict.fromkeys(k for r in rows for k in r))
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in cols}
    lines = [f"\n{title}", "  " + "  ".join(c.ljust(widths[c]) for c in cols)]
    lines += ["  " + "  ".join(str(r.get(c, "")).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(lines)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a short run of each part (CI)")
    ap.add_argument("--out", default=None, help="where to write the JSON results")
    ap.add_argument(
        "--skip", nargs="*", default=[], choices=["overhead", "graphs", "pages", "browser", "classroom"]
    )
    ap.add_argument("--classroom", nargs="*", type=int, default=None, help="session counts (default 10 30)")
    args = ap.parse_args(argv)
    info = device_info()
    results: dict = {"date": dt.date.today().isoformat(), "device": info.label, "quick": args.quick}
    parts = [
        (
            "overhead",
            "1. Training overhead per recipe (ratio = Trainer or Job / bare loop; target >= 0.95)",
            lambda: overhead_all.run(quick=args.quick),
        ),
        (
            "graphs",
            "2. Graph speed per canonical preset, largest first (speedup = torchview / ArchAtlas; "
            "target < 1 s and >= 3x)",
            lambda: graphs_all.run(quick=args.quick),
        ),
        (
            "pages",
            "3. Page latency under AppTest (target: warm rerun < 0.15 s)",
            lambda: pages_latency.run(quick=args.quick),
        ),
        (
            "browser",
            "4. Browser: first paint and first chart per page",
            lambda: browser_load.page_paint(quick=args.quick),
        ),
        (
            "classroom",
            "5. Classroom load: concurrent Playground runs of 500 steps",
            lambda: [
                browser_load.classroom(n) for n in (args.classroom or ([2] if args.quick else [10, 30]))
            ],
        ),
    ]
    for key, title, fn in parts:
        if key in args.skip:
            continue
        try:
            rows = fn()
        except Exception as e:  # a part that cannot run here (no chromium, say) is reported, not fatal
            rows = [{"error": f"{type(e).__name__}: {e}"[:300]}]
        results[key] = rows
        print(table(title, rows), flush=True)
    results["gpu"] = (
        "not measured: no CUDA device here"
        if info.kind != "cuda"
        else "see the overhead table: it ran on CUDA"
    )
    out = (
        Path(args.out)
        if args.out
        else Path(__file__).resolve().parent / "results" / f"{results['date']}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"\nresults written to {out}")
    return results


if __name__ == "__main__":
    main()
