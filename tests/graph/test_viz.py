"""The graph family's figures: edges as few traces, wrong predictions ringed, hop distances, attention and
explanation masks as widths, the share of an explanation's top edges inside the truth."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from viz import graph as vg


def _karate():
    g = nx.karate_club_graph()
    e = np.array(list(g.edges())).T
    ei = np.concatenate([e, e[::-1]], 1)  # both directions, as torch-geometric stores them
    labels = np.array([0 if g.nodes[i]["club"] == "Mr. Hi" else 1 for i in g.nodes])
    return g, ei, labels


def test_layout_is_seeded_bounded_and_places_isolated_nodes():
    _, ei, _ = _karate()
    a, b = vg.layout(34, ei), vg.layout(34, ei)
    assert a.shape == (34, 2) and np.allclose(a, b) and np.abs(a).max() <= 1 + 1e-9
    iso = vg.layout(40, ei, seed=1)  # nodes 34..39 have no edges: a spring layout still places them
    assert iso.shape == (40, 2) and np.isfinite(iso).all()


def test_edges_are_one_trace_of_nan_separated_segments_each_undirected_edge_once():
    g, ei, labels = _karate()
    pos = vg.layout(34, ei)
    fig = vg.graph_figure(pos, ei, labels, ["Mr. Hi", "Officer"])
    edges = [t for t in fig.data if t.mode == "lines"]
    assert len(edges) == 1
    assert np.isnan(np.asarray(edges[0].x, float)).sum() == g.number_of_edges() == 78
    nodes = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(t.x) for t in nodes) == 34
    assert {int(i) for t in nodes for i in np.asarray(t.customdata)[:, 0]} == set(range(34))


def test_wrong_predictions_are_ringed_and_training_nodes_square():
    _, ei, labels = _karate()
    pred = labels.copy()
    pred[[3, 7]] = 1 - pred[[3, 7]]
    train = np.zeros(34, bool)
    train[[0, 33]] = True
    fig = vg.graph_figure(vg.layout(34, ei), ei, labels, ["a", "b"], predicted=pred, train_mask=train)
    ringed, squares = set(), set()
    for t in fig.data:
        if t.mode != "markers":
            continue
        ids = np.asarray(t.customdata)[:, 0]
        ringed |= {int(i) for i, c in zip(ids, t.marker.line.color, strict=True) if c == "black"}
        squares |= {int(i) for i, s in zip(ids, t.marker.symbol, strict=True) if s == "square"}
    assert ringed == {3, 7} and squares == {0, 33}


def test_edge_weights_take_the_larger_direction_and_make_width_classes():
    ei = np.array([[0, 1, 1, 2, 2, 2], [1, 0, 2, 1, 2, 0]])  # 0-1 both ways, 1-2 both ways, a self-loop, 2->0
    pairs, w = vg.edge_weights(ei, np.array([0.1, 0.9, 0.2, 0.4, 1.0, 0.3]))
    assert pairs.tolist() == [[0, 1], [0, 2], [1, 2]] and np.allclose(w, [0.9, 0.3, 0.4])
    fig = vg.graph_figure(
        np.random.default_rng(0).normal(size=(3, 2)), ei, np.zeros(3, int), ["x"], edge_weight=np.arange(6.0)
    )
    widths = sorted({t.line.width for t in fig.data if t.mode == "lines"})
    assert len(widths) >= 2  # edges of different weights are drawn in different widths
    with pytest.raises(ValueError, match="weights for"):
        vg.edge_weights(ei, np.ones(5))


def test_hops_and_receptive_field_on_a_path():
    ei = np.array([[0, 1, 2, 3], [1, 2, 3, 4]])  # a path 0-1-2-3-4 (one direction is enough)
    assert vg.hops(5, ei, 0).tolist() == [0, 1, 2, 3, 4]
    assert vg.hops(6, ei, 2).tolist() == [2, 1, 0, 1, 2, -1]
    with pytest.raises(ValueError, match="does not exist"):
        vg.hops(5, ei, 7)
    fig = vg.receptive_field_figure(np.c_[np.arange(5.0), np.zeros(5)], ei, 0, k=2)
    names = [t.name for t in fig.data]
    assert "the node" in names and "1 hop (layer 1)" in names and "2 hops (layer 2)" in names
    beyond = next(t for t in fig.data if t.name.startswith("beyond"))
    assert sorted(np.asarray(beyond.customdata).tolist()) == [3, 4]
    thick = next(t for t in fig.data if t.name == "edges that carry messages")
    assert np.isnan(np.asarray(thick.x, float)).sum() == 2  # 0-1 and 1-2 carry messages in two layers


def test_message_heatmap_rows_in_order_and_centred():
    rows = {"from 1": np.array([1.0, -2.0]), "from 2": np.array([0.5, 0.5]), "sum": np.array([1.5, -1.5])}
    fig = vg.message_figure(rows)
    hm = fig.data[0]
    assert list(hm.y) == list(rows) and np.asarray(hm.z).shape == (3, 2)
    assert hm.zmin == -2.0 and hm.zmax == 2.0


def test_pca2_and_embedding_figure():
    rng = np.random.default_rng(0)
    h = np.c_[rng.normal(size=50) * 10, rng.normal(size=50), rng.normal(size=50) * 0.1]
    xy = vg.pca2(h)
    assert xy.shape == (50, 2) and xy[:, 0].var() > xy[:, 1].var()
    assert vg.pca2(np.ones((5, 1))).shape == (5, 2)
    labels = (h[:, 0] > 0).astype(int)
    fig = vg.embedding_figure(xy, labels, ["neg", "pos"], predicted=1 - labels)
    assert sum(len(t.x) for t in fig.data) == 50
    assert all(c == "black" for t in fig.data for c in t.marker.line.color)


def test_oversmoothing_figure_has_both_panels_per_variant():
    runs = {
        "plain": {"acc": [0.9, 0.5], "spread": [1.0, 0.01]},
        "residual": {"acc": [0.9, 0.88], "spread": [1.0, 0.8]},
    }
    fig = vg.oversmoothing_figure([2, 16], runs)
    assert len(fig.data) == 4 and fig.layout.yaxis2.type == "log"


def test_explanation_top_edges_and_share_inside_the_truth():
    # a house (nodes 0-4) on a path 4-5-6-7: the mask favours the house's edges
    house = np.array([[0, 1], [1, 2], [2, 3], [3, 0], [0, 4], [1, 4]])
    path = np.array([[4, 5], [5, 6], [6, 7]])
    e = np.concatenate([house, path]).T
    ei = np.concatenate([e, e[::-1]], 1)
    mask = np.r_[np.ones(6), np.full(3, 0.1), np.ones(6), np.full(3, 0.1)]
    assert vg.top_edges_inside(ei, mask, house, top_k=6) == 1.0
    assert vg.top_edges_inside(ei, mask, house, top_k=9) == pytest.approx(6 / 9)
    fig = vg.explanation_figure(
        np.random.default_rng(1).normal(size=(8, 2)), ei, mask, 0, truth_edges=house, top_k=6
    )
    top = next(t for t in fig.data if t.name.startswith("top"))
    assert np.isnan(np.asarray(top.x, float)).sum() == 6
    assert any(t.name == "the motif (truth)" for t in fig.data)
