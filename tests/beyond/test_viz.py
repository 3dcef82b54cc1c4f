"""The beyond-attention figures (viz/beyond.py): what each one draws is what its arrays say."""

from __future__ import annotations

import numpy as np

from viz.beyond import (
    addressing_figure,
    bit_errors_figure,
    copy_figure,
    decay_figure,
    imbalance_figure,
    kernel_figure,
    load_figure,
    memory_weights_figure,
    moe_curves,
    params_figure,
    router_figure,
    selection_figure,
    token_rows_figure,
    two_ways_figure,
)


def test_load_bars_give_each_layer_its_shares_and_mark_the_fair_share():
    load = np.array([[0.5, 0.25, 0.125, 0.125], [0.25, 0.25, 0.25, 0.25]])
    fig = load_figure(load)
    assert [t.name for t in fig.data] == ["MoE layer 1", "MoE layer 2"]
    assert np.allclose(fig.data[0].y, load[0]) and list(fig.data[0].x) == [f"expert {i}" for i in range(4)]
    lines = sorted(s.y0 for s in fig.layout.shapes)
    assert np.allclose(lines, [0.25, 0.5])  # 1/E and 2/E
    assert fig.layout.yaxis.range[1] >= 0.5


def test_imbalance_is_the_largest_share_times_e_per_layer_and_other_runs_show_their_worst_layer():
    hist = [
        (10, [[0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]]),
        (20, [[0.4, 0.2, 0.2, 0.2], [0.3, 0.3, 0.2, 0.2]]),
    ]
    fig = imbalance_figure(hist, {"α = 0": hist})
    layer1, layer2, other = fig.data
    assert (
        list(layer1.x) == [10, 20] and np.allclose(layer1.y, [2.8, 1.6]) and np.allclose(layer2.y, [1.0, 1.2])
    )
    assert other.name == "α = 0" and np.allclose(other.y, [2.8, 1.6]) and other.line.dash == "dash"
    assert len(imbalance_figure([]).data) == 0


def test_router_heatmap_has_experts_down_characters_across_and_rings_the_chosen_ones():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    fig = router_figure(probs, "a ", np.array([[0], [2]]))
    heat, ring = fig.data
    assert np.allclose(np.array(heat.z), probs.T)
    assert list(ring.x) == ["0:a", "1:␣"] and list(ring.y) == ["expert 0", "expert 2"]


def test_params_bars_are_in_billions():
    fig = params_figure({"Mixtral 8×7B": (46_702_792_704, 12_879_925_248)})
    assert np.isclose(fig.data[0].x[0], 46.702792704) and np.isclose(fig.data[1].x[0], 12.879925248)


def test_kernel_and_two_ways_figures_plot_the_given_values_and_their_difference():
    k = np.random.default_rng(0).normal(size=(6, 32))
    fig = kernel_figure(k, channels=3)
    assert len(fig.data) == 3 and np.allclose(fig.data[2].y, k[2])
    a = np.linspace(0, 1, 10)
    fig = two_ways_figure(a, a + 1e-7, ("convolution", "recurrence"))
    assert [t.name for t in fig.data] == ["convolution", "recurrence", "difference"]
    assert np.allclose(fig.data[2].y, -1e-7)


def test_token_rows_mark_right_answers_green_and_wrong_ones_red_only_at_answer_positions():
    ex = dict(
        inputs=[3, 0, 4, 0, 9, 9],
        targets=[0, 0, 0, 0, 3, 4],
        predicted=[1, 1, 1, 1, 3, 5],
        answer_mask=[False, False, False, False, True, True],
    )
    fig = token_rows_figure(ex)
    tokens, verdict = np.array(fig.data[0].z, dtype=float), np.array(fig.data[1].z, dtype=float)
    assert np.allclose(tokens[0], ex["inputs"])
    assert np.isnan(tokens[1, :4]).all() and np.allclose(tokens[1, 4:], [3, 4])
    assert np.isnan(verdict[2, :4]).all() and list(verdict[2, 4:]) == [1.0, 0.0]


def test_selection_figure_shows_mean_delta_and_delta_b_and_c_per_token():
    rng = np.random.default_rng(1)
    internals = dict(delta=rng.random((12, 8)), B=rng.normal(size=(12, 4)), C=rng.normal(size=(12, 4)))
    fig = selection_figure(internals, list(range(12)))
    assert np.allclose(fig.data[0].y, internals["delta"].mean(1))
    assert np.allclose(np.array(fig.data[1].z), internals["delta"].T)
    assert np.allclose(np.array(fig.data[2].z), internals["B"].T) and np.allclose(
        np.array(fig.data[3].z), internals["C"].T
    )


def test_decays_are_sorted_within_each_layer_and_memory_weights_sum_to_one():
    d = np.array([[0.9, 0.1, 0.5], [0.3, 0.2, 0.99]])
    fig = decay_figure(d)
    assert np.allclose(np.array(fig.data[0].z), np.sort(d, axis=1))
    fig = memory_weights_figure([0.5, 0.9], bonus=0.0, length=200)
    for t in fig.data:
        assert np.isclose(np.sum(t.y), 1.0)
    half = fig.data[0].y
    assert np.isclose(half[2] / half[1], 0.5) and np.isclose(half[0], half[1])  # e^u = 1 = e^0


def test_copy_addressing_and_bit_error_figures():
    rng = np.random.default_rng(2)
    ex = dict(length=4, inputs=rng.random((10, 6)), targets=rng.random((10, 4)), outputs=rng.random((10, 4)))
    fig = copy_figure(ex)
    assert len(fig.data) == 3 and np.allclose(np.array(fig.data[0].z), ex["inputs"].T)
    out = np.array(fig.data[2].z, dtype=float)  # the output, blank before the recall phase (t < 4 + 2)
    assert np.isnan(out[:, :6]).all() and np.allclose(out[:, 6:], ex["outputs"][6:].T)
    read, write = rng.random((10, 2, 16)), rng.random((10, 16))
    fig = addressing_figure(read, write)
    assert np.allclose(np.array(fig.data[0].z), write.T) and np.allclose(
        np.array(fig.data[1].z), read.sum(1).T
    )
    fig = bit_errors_figure({"NTM": {2: 0.0, 8: 1.0, 12: 3.0}, "LSTM": {"2": 0.5, "8": 4.0}}, train_max=8)
    assert list(fig.data[0].x) == [2, 8, 12] and list(fig.data[1].y) == [0.5, 4.0]
    assert fig.layout.shapes[0].x0 == 8.5 and fig.layout.shapes[0].x1 == 12.5


def test_moe_curves_show_the_loss_and_the_balance_per_layer():
    history = [{"step": s, "lm_loss": 3.0 - 0.01 * s, "aux_loss": 2.2} for s in range(1, 41)]
    history[19].update(val_loss=2.9, max_share=3.0)
    history[39].update(val_loss=2.7, max_share=1.5)
    fig = moe_curves(history, layers=2)
    by_name = {t.name: t for t in fig.data}
    assert np.allclose(by_name["held-out loss"].y, [2.9, 2.7]) and list(by_name["held-out loss"].x) == [
        20,
        40,
    ]
    assert np.allclose(by_name["balancing loss per layer"].y, 1.1)  # 2.2 over two layers
    assert np.allclose(by_name["busiest expert's share × E"].y, [3.0, 1.5])
