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


if __name__ == "__main__":
    pytest.main([__file__])
