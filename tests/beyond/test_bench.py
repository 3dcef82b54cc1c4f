"""bench/beyond_bench.py runs (quick sizes): each measure times both computations of its model."""

from bench.beyond_bench import measure


def test_the_beyond_bench_times_both_forms_of_each_model():
    ratios = measure(quick=True)
    assert set(ratios) == {"moe", "s4", "rwkv"} and all(r > 0 for r in ratios.values())
