"""The audio benchmark runs in quick mode and measures every row."""

from bench import audio_bench


def test_audio_bench_quick():
    rows = audio_bench.main(["--quick"])
    assert [r["name"] for r in rows][:2] == ["log-mel 80 (Whisper)", "log-mel 40 (kws)"]
    assert all(r["audio_s_per_s"] > 0 for r in rows)
    assert {r.get("params") for r in rows if r["name"].startswith("kws_cnn")} == {9_564, 110_307}
