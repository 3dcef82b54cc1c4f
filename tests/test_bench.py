"""The benchmark suite runs (quick mode): every part produces rows without errors, and JSON."""

import json

import pytest

from bench import run_all


def test_quick_benchmarks_run(tmp_path):
    # The browser and classroom parts start their own server and Chromium sessions; in CI they would
    # compete with the browser suite on two cores, so CI checks the in-process parts only. They run with
    # `python -m bench.run_all --quick` on a quiet machine.
    skip = ["browser", "classroom"]
    out = tmp_path / "bench.json"
    res = run_all.main(["--quick", "--out", str(out), *(["--skip", *skip] if skip else [])])
    saved = json.loads(out.read_text())
    assert saved["quick"] is True and saved["date"]
    for part in ("overhead", "graphs", "pages", "browser", "classroom"):
        if part in skip:
            continue
        rows = res[part]
        assert rows, part
        assert not any("error" in r for r in rows), (part, rows)
    assert {r["recipe"] for r in res["overhead"]} == {"mlp_toy2d", "mlp_digits"}
    assert all(r["trainer_ratio"] > 0 for r in res["overhead"])
    assert all(r["atlas_s"] > 0 for r in res["graphs"])
    if "classroom" not in skip:
        assert res["classroom"][0]["finished"] == res["classroom"][0]["sessions"] == 2


def test_protocol_sessions_train_and_count_redraws():
    """The protocol-level classroom (bench/protocol_load.py) against a real server: two sessions press
    Train on the Playground and finish their 500 steps, and each redraw of their status line is
    counted (a run of 500 steps trains within about a tick, so counting only changed texts left the
    update interval empty), so the interval between updates has a value to report."""
    from bench import protocol_load

    row = protocol_load.measure(2, steps=500, timeout_s=300)
    assert row["errors"] == [] and row["finished"] == 2, row
    assert row["median_update_interval_s"] is not None and row["median_update_interval_s"] > 0, row


def test_graph_training_bench_measures_both_loops():
    from bench import graph_train

    row = graph_train.measure("gcn_karate", steps=20, repeats=1)
    assert row["atlas_steps_s"] > 0 and row["bare_pyg_steps_s"] > 0 and row["ratio"] > 0


if __name__ == "__main__":
    pytest.main([__file__])
