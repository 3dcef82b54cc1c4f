"""Page latency: every page rendered with AppTest cold (a new process), warm (a second run in the same
session), and the rerun after changing one hyperparameter (the first slider or number box)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_COLD = """
import sys, time, json
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({page!r}, default_timeout=300)
at.run()
print(json.dumps({{"cold_s": time.perf_counter() - t0, "exceptions": len(at.exception)}}))
"""


def _cold(page: str) -> dict:
    code = _COLD.format(root=str(ROOT), page=str(ROOT / page))
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**__import__("os").environ, "ARCHATLAS_DEVICE": "cpu"},
    )
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": (r.stderr or r.stdout)[-300:]}


def _warm(page: str) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / page), default_timeout=300)
    at.run()
    t0 = time.perf_counter()
    at.run()
    warm = time.perf_counter() - t0
    out = {"warm_s": round(warm, 3)}
    widget = next((w for w in list(at.slider) + list(at.number_input) if not w.disabled), None)
    if widget is not None:
        value = widget.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = getattr(widget, "min", None), getattr(widget, "max", None)
            step = getattr(widget, "step", 1) or 1
            new = value + step if hi is None or value + step <= hi else value - step
            if lo is None or new >= lo:
                t0 = time.perf_counter()
                widget.set_value(type(value)(new)).run()
                out["rerun_after_change_s"] = round(time.perf_counter() - t0, 3)
                out["changed"] = widget.label
    out["exceptions"] = len(at.exception)
    return out


def run(quick: bool = False) -> list[dict]:
    from ui.nav import existing_pages

    rows = []
    pages = [p.path for p in existing_pages()]
    for page in pages[:1] if quick else pages:
        row = {"page": page, **_cold(page)}
        if "cold_s" in row:
            row["cold_s"] = round(row["cold_s"], 3)
        row.update(_warm(page))
        rows.append(row)
    return rows
