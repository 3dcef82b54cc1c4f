"""Graph data: the karate club's factions and split, BA-shapes' houses and their edges, the SBM, the
generated graph sets, and the checks on node ids, edge indices and uploaded edge lists."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from data.graphs import (
    BA_SHAPES_CLASSES,
    GRAPH_KINDS,
    GraphRejected,
    ba_shapes,
    check_edge_index,
    check_node,
    graph_set,
    karate,
    motif_edges,
    parse_edge_list,
    sbm,
)


def _undirected_without_loops(edge_index: torch.Tensor) -> bool:
    pairs = set(map(tuple, edge_index.T.tolist()))
    return all((t, s) in pairs for s, t in pairs) and all(s != t for s, t in pairs)


def test_karate_has_its_two_factions_and_k_labelled_members_each():
    d = karate(k=2, seed=0)
    g = d.graph
    assert g.num_nodes == 34 and g.edge_index.shape[1] == 2 * 78 and _undirected_without_loops(g.edge_index)
    assert torch.equal(g.x, torch.eye(34)) and d.in_features == 34 and d.num_classes == 2
    assert np.bincount(g.y.numpy()).tolist() == [17, 17]
    assert int(g.y[0]) == 0 and int(g.y[33]) == 1  # Mr. Hi (node 0) and the Officer (node 33) lead them
    assert np.bincount(d.y_train).tolist() == [2, 2]
    assert sorted([*d.x_train, *d.x_test]) == list(range(34))
    assert np.array_equal(d.y_test, g.y.numpy()[d.x_test])
    assert not np.array_equal(karate(k=2, seed=1).x_train, d.x_train)  # the seed picks the labelled nodes
    assert np.array_equal(karate(k=2, seed=0).x_train, d.x_train)
    with pytest.raises(ValueError, match="per faction"):
        karate(k=0)


def test_ba_shapes_houses_labels_and_motif_edges():
    d = ba_shapes(num_base=60, num_motifs=10, seed=0)
    g = d.graph
    assert g.num_nodes == 60 + 5 * 10 and d.num_classes == 4 and d.class_names == BA_SHAPES_CLASSES
    assert _undirected_without_loops(g.edge_index)
    counts = np.bincount(g.y.numpy(), minlength=4)
    assert counts.tolist() == [60, 10, 20, 20]  # base; per house one top, two middle, two bottom
    assert (g.motif[:60] == -1).all() and g.motif[60:].tolist() == np.repeat(np.arange(10), 5).tolist()
    assert int(g.motif_edge.sum()) == 10 * 12  # 6 undirected edges per house, both directions
    for node in (60, 64, 109):
        inside = motif_edges(g, node)
        assert int(inside.sum()) == 12 and bool((inside <= g.motif_edge).all())
        ends = g.edge_index[:, inside].unique()
        assert (g.motif[ends] == g.motif[node]).all()
    for node in range(60, 65):  # roles follow the house's shape: top has 2 house neighbours, middle 3
        h = motif_edges(g, node)
        deg_in_house = int((g.edge_index[0, h] == node).sum())
        assert deg_in_house == {"top": 2, "middle": 3, "bottom": 2}[BA_SHAPES_CLASSES[int(g.y[node])]]
    assert g.x.shape == (110, 11) and torch.equal(g.x.sum(1), torch.ones(110))  # one-hot degree
    assert len(d.x_test) > 0 and set(d.x_train).isdisjoint(d.x_test)
    with pytest.raises(GraphRejected, match="base graph"):
        motif_edges(g, 0)
    np_before, torch_before = np.random.get_state()[1].copy(), torch.get_rng_state()
    again = ba_shapes(num_base=60, num_motifs=10, seed=0).graph
    assert torch.equal(again.edge_index, g.edge_index)  # seeded
    assert np.array_equal(np.random.get_state()[1], np_before)  # and the global RNGs are left alone
    assert torch.equal(torch.get_rng_state(), torch_before)


def test_sbm_blocks_are_denser_inside():
    d = sbm(seed=0)
    src, dst = d.graph.edge_index
    y = d.graph.y
    assert (y[src] == y[dst]).float().mean() > 0.7 and _undirected_without_loops(d.graph.edge_index)
    assert d.num_classes == 4 and d.in_features == 8


def test_graph_set_kinds_sizes_and_split():
    d = graph_set(per_kind=10, seed=0)
    assert len(d.graphs) == 40 and d.class_names == GRAPH_KINDS and d.in_features == 1
    assert sorted([*d.x_train, *d.x_test]) == list(range(40))
    assert np.bincount(d.y_test).tolist() == [2, 2, 2, 2] or len(d.x_test) == 10
    for g in d.graphs:
        assert _undirected_without_loops(g.edge_index) and 4 <= g.num_nodes <= 20
        kind = GRAPH_KINDS[int(g.y)]
        n, e = g.num_nodes, g.edge_index.shape[1] // 2
        assert e == {"cycle": n, "star": n - 1, "tree": n - 1}.get(kind, e)
        deg = torch.bincount(g.edge_index[0], minlength=n)
        if kind == "star":
            assert int(deg.max()) == n - 1
        if kind == "grid":
            assert int(deg.max()) <= 4 and e > n - 1
    with pytest.raises(ValueError, match="kind"):
        graph_set(kinds=("cycle", "blob"))


def test_a_node_that_does_not_exist_is_refused_with_a_sentence():
    g = karate().graph
    assert check_node(g, 33) == 33
    for bad in (34, -1, 2.5, "seven"):
        with pytest.raises(GraphRejected, match="node|Node"):
            check_node(g, bad)


def test_bad_edge_indices_are_refused_with_a_sentence():
    check_edge_index(torch.tensor([[0, 1], [1, 0]]), 2)
    with pytest.raises(GraphRejected, match="does not exist"):
        check_edge_index(torch.tensor([[0, 5], [1, 0]]), 3)
    with pytest.raises(GraphRejected, match="itself"):
        check_edge_index(torch.tensor([[0, 1], [0, 0]]), 3)
    check_edge_index(torch.tensor([[0, 1], [0, 0]]), 3, allow_self_loops=True)
    with pytest.raises(GraphRejected, match="shape"):
        check_edge_index(torch.tensor([0, 1, 2]), 3)


def test_edge_list_csv_parses_and_refuses_bad_files():
    ei, n = parse_edge_list("source,target\n0,1\n1,2\n\n# a comment\n2,0\n")
    assert n == 3 and ei.shape == (2, 6) and _undirected_without_loops(ei)
    ei, n = parse_edge_list(b"0,1\n", num_nodes=5)
    assert n == 5 and ei.tolist() == [[0, 1], [1, 0]]
    cases = {
        "0,1\n1,2,3\n": "Row 2 has 3 values",
        "0,1\n1,x\n": "Row 2 .* not two whole-number",
        "0,1\n-1,2\n": "negative",
        "0,1\n2,2\n": "itself",
        "0,1\n1,9\n": "the graph has 5 nodes",
        "": "no edges",
        "a,b\n": "no edges",
    }
    for text, message in cases.items():
        with pytest.raises(GraphRejected, match=message):
            parse_edge_list(text, num_nodes=5)
    ei, _ = parse_edge_list("0,1\n2,2\n", allow_self_loops=True)
    assert [2, 2] in ei.T.tolist()
    with pytest.raises(GraphRejected, match="kB"):
        parse_edge_list("0,1\n" * 1000, max_bytes=1000)
    with pytest.raises(GraphRejected, match="more than 10 edges"):
        parse_edge_list("".join(f"{i},{i + 1}\n" for i in range(20)), max_edges=10)
    with pytest.raises(GraphRejected, match="up to 100 nodes"):
        parse_edge_list("0,1\n0,100\n", max_nodes=100)
    with pytest.raises(GraphRejected, match="not text"):
        parse_edge_list(b"\xff\xfe\x00garbage")
