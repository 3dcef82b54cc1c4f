"""The self-supervised figures (viz/ssl.py): what each one draws is what its arrays say."""

from __future__ import annotations

import numpy as np
import pytest

from viz.images import decode_rgb_image
from viz.ssl import (
    collapse_figure,
    embedding_figure,
    mae_curves,
    pairs_figure,
    probe_figure,
    reconstruction_figure,
    row_loss_figure,
    similarity_figure,
    softmax_row,
    ssl_curves,
    temperature_figure,
    view_names,
)


def _batch(n: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(2 * n, 8))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    return z @ z.T, np.r_[np.arange(n, 2 * n), np.arange(n)]


def test_view_names_pair_each_image_with_its_twin():
    assert view_names(3) == ["1", "2", "3", "1′", "2′", "3′"]


def test_similarity_matrix_leaves_the_diagonal_out_and_rings_each_rows_positive():
    sim, pos = _batch(4)
    fig = similarity_figure(sim, pos)
    z = np.array(fig.data[0].z, dtype=float)
    assert np.isnan(np.diag(z)).all() and np.allclose(z[~np.eye(8, dtype=bool)], sim[~np.eye(8, dtype=bool)])
    ring = fig.data[1]
    names = view_names(4)
    assert list(ring.y) == names and list(ring.x) == [names[j] for j in pos]  # row 1 -> 1′, row 1′ -> 1


def test_softmax_row_leaves_the_anchor_out_and_sharpens_as_tau_falls():
    sim, _ = _batch(4)
    entropies = []
    for tau in (2.0, 0.5, 0.1, 0.02):
        p = softmax_row(sim[0], 0, tau)
        assert p[0] == 0 and p.sum() == pytest.approx(1.0)
        entropies.append(-(p[p > 0] * np.log(p[p > 0])).sum())
    assert all(a > b for a, b in zip(entropies, entropies[1:], strict=False)), entropies
    assert np.argmax(softmax_row(sim[0], 0, 0.02)) == np.argmax(np.where(np.arange(8) == 0, -9, sim[0]))


def test_temperature_figure_draws_one_softmax_per_tau_and_the_positive_against_tau():
    sim, pos = _batch(4)
    fig = temperature_figure(sim[2], 2, int(pos[2]), (0.1, 0.5, 1.0))
    lines = [t for t in fig.data if t.name and t.name.startswith("τ = ")]
    assert [t.name for t in lines] == ["τ = 0.1", "τ = 0.5", "τ = 1"]
    assert all(len(t.y) == 7 and sum(t.y) == pytest.approx(1.0) for t in lines)  # 2N − 1 candidates
    p_pos = next(t for t in fig.data if t.name == "p(positive)")
    loss = next(t for t in fig.data if t.name.startswith("row loss"))
    p, ok = np.array(p_pos.y), np.array(p_pos.y) > 1e-12  # at the smallest τ the probability underflows
    assert ok.sum() > 30 and np.allclose(np.array(loss.y)[ok], -np.log(p[ok]))


def test_row_loss_bars_mark_the_chosen_row_and_title_the_mean():
    loss = np.array([0.5, 1.0, 1.5, 2.0])
    fig = row_loss_figure(loss, chosen=2)
    assert list(fig.data[0].y) == list(loss)
    assert fig.data[0].marker.color[2] != fig.data[0].marker.color[0]
    assert "1.250" in fig.layout.title.text


def test_pairs_figure_is_one_png_of_the_images_and_both_views_named_by_column():
    rng = np.random.default_rng(0)
    x = rng.random((5, 3, 8, 8)).astype(np.float32)
    v1, v2 = 1 - x, x[:, :, ::-1]
    fig = pairs_figure(x, v1, v2, names=list("abcde"))
    canvas = decode_rgb_image(fig.data[0])
    assert canvas.shape == (2 + 3 * (96 + 2), 2 + 5 * (96 + 2), 3)  # 3 rows of 5 tiles drawn 12× larger
    tile = canvas[2 + 98 : 2 + 98 + 96 : 12, 2 : 2 + 96 : 12]  # row "view 1", first column, a pixel per block
    assert np.abs(tile.astype(int) - np.round(v1[0].transpose(1, 2, 0) * 255)).max() <= 1
    assert list(fig.layout.yaxis.ticktext) == ["image", "view 1", "view 2"]
    assert [a.text for a in fig.layout.annotations] == list("abcde")


def test_grey_images_and_reconstructions_are_drawn_as_grey_rows():
    x = np.linspace(0, 1, 2 * 16).reshape(2, 1, 4, 4)
    fig = reconstruction_figure(x, x * 0, x)
    canvas = decode_rgb_image(fig.data[0])
    assert (canvas[..., 0] == canvas[..., 1]).all() and (canvas[..., 1] == canvas[..., 2]).all()
    assert list(fig.layout.yaxis.ticktext) == ["image", "masked input", "reconstruction"]


def test_embedding_figure_draws_one_trace_per_class_present():
    rng = np.random.default_rng(0)
    labels = np.array([0, 0, 2, 2, 2])
    fig = embedding_figure(rng.normal(size=(5, 2)), labels, ["a", "b", "c"], title="t")
    assert [t.name for t in fig.data] == ["a", "c"] and [len(t.x) for t in fig.data] == [2, 3]


def test_training_curves_show_loss_alignment_uniformity_spread_and_the_probes():
    hist = [dict(step=i, loss=2 - i / 50, alignment=1.0, uniformity=-2.0, spread=0.1) for i in range(1, 51)]
    hist[-1].update(probe_acc=0.9, knn_acc=0.8)
    fig = ssl_curves(hist)
    names = {t.name for t in fig.data}
    assert {"loss", "alignment", "uniformity (right axis)", "spread", "linear probe", "k-NN"} <= names
    probe = next(t for t in fig.data if t.name == "linear probe")
    assert list(probe.y) == [0.9] and list(probe.x) == [50]
    # one step axis for all four panels from 0, the lone evaluation included (not Plotly's 49-51)
    axes = [fig.layout[a] for a in ("xaxis", "xaxis2", "xaxis3", "xaxis4")]
    assert all(ax.range[0] == 0 and ax.range[1] >= 50 for ax in axes)
    assert len(ssl_curves([]).data) == 0  # nothing recorded yet: an empty chart, no error


def test_probe_bars_put_the_best_on_top_and_chance_as_a_line():
    fig = probe_figure(
        {"raw pixels": 0.36, "this encoder, linear probe": 0.91, "untrained encoder": 0.5}, 0.2
    )
    assert list(fig.data[0].y)[-1] == "this encoder, linear probe"  # horizontal bars: the last is on top
    assert list(fig.data[0].x) == sorted(fig.data[0].x)
    assert fig.layout.shapes[0].x0 == 0.2


def test_collapse_figure_draws_one_spread_line_per_run():
    normal = [dict(step=i, spread=0.15) for i in range(20)]
    fallen = [dict(step=i, spread=0.15 * 0.7**i) for i in range(20)]
    fig = collapse_figure({"BYOL": normal, "without the stop-gradient": fallen})
    assert [t.name for t in fig.data] == ["BYOL", "without the stop-gradient"]
    assert fig.data[1].y[-1] < fig.data[0].y[-1] / 2


def test_mae_curves_set_the_reconstruction_error_against_the_mean_patch():
    hist = [dict(step=i, loss=0.3 - i / 1000) for i in range(1, 101)]
    hist[49].update(recon_mse=0.05, mean_patch_mse=0.09, probe_acc=0.6, knn_acc=0.5)
    hist[99].update(recon_mse=0.03, mean_patch_mse=0.09, probe_acc=0.7, knn_acc=0.6)
    fig = mae_curves(hist)
    by = {t.name: t for t in fig.data if t.name}
    assert list(by["reconstruction"].y) == [0.05, 0.03] and list(by["the mean patch"].y) == [0.09, 0.09]
    assert list(by["linear probe"].x) == [50, 100]
