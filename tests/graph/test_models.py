"""The graph family's models: every architecture at node and graph level, the canonical sizes, the
hand-written GCN layer against torch_geometric's GCNConv, symmetry under renumbering the nodes, and GAT's
attention weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_geometric.nn import GCNConv

import archs
from archs.graph.common import GraphReadout, example_graph
from archs.graph.plain_gcn import PlainGCNLayer, messages_at, normalized_adjacency

NAMES = ["gcn", "graphsage", "gat", "gin", "mpnn"]
READOUTS = ["none", "sum", "mean", "max"]


def _run(name: str, preset: str = "tiny", **overrides):
    spec = archs.get_arch(name)
    cfg = spec.make_config(preset, **overrides)
    torch.manual_seed(0)
    model = archs.build_from_config(spec, cfg).eval()
    return model, cfg, spec.example_input(cfg)


@pytest.mark.parametrize("readout", READOUTS)
@pytest.mark.parametrize("name", NAMES)
def test_every_architecture_runs_at_node_and_graph_level(name, readout):
    model, cfg, x = _run(name, readout=readout, num_nodes=10)
    out = model(*x)
    rows = 2 if readout != "none" else 10  # two graphs of 5 nodes, or one output per node
    assert out.shape == (rows, cfg.num_classes) and torch.isfinite(out).all()
    model.train()
    model(*x).pow(2).mean().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("name", NAMES)
def test_one_graph_without_ptr_is_one_graph(name):
    model, cfg, x = _run(name, readout="sum")
    together = model(*x[:-1])  # no ptr: the two example graphs read as one
    assert together.shape == (1, cfg.num_classes)


# Published sizes, each with its source (arithmetic in the architecture's module docstring):
PUBLISHED = {
    "gcn": 23_063,  # Kipf & Welling 2017, Cora 1433 -> 16 -> 7: 1433·16 + 16 + 16·7 + 7
    "gat": 92_373,  # Veličković et al. 2018, Cora 8 heads × 8, 1 output head of 7; PyG GATConv count
    "graphsage": 400_775,  # Hamilton et al., graphsage-simple run_cora 1433 -> 128 -> 128 -> 7, mean aggr
    "gin": 31_192,  # Xu et al. 2019, powerful-gnns defaults (5 layers with input, 64 hidden) on MUTAG
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_canonical_presets_have_the_published_sizes(name):
    spec = archs.get_arch(name)
    assert spec.published_params == PUBLISHED[name]
    model = archs.build_model(name, "canonical", device="meta")
    assert archs.count_params(model) == PUBLISHED[name]


def test_gcn_canonical_is_the_papers_cora_model():
    m = archs.build_model("gcn", "canonical", device="meta")
    assert [(c.in_channels, c.out_channels) for c in m.convs] == [(1433, 16), (16, 7)]
    g = archs.build_model("gat", "canonical", device="meta")
    assert [(c.heads, c.out_channels) for c in g.convs] == [(8, 8), (1, 7)] and g.convs[0].dropout == 0.6


def _random_graph(gen: torch.Generator, n: int, e: int, loops: bool) -> torch.Tensor:
    """(2, E) random directed edges among the first n - 2 nodes: the last two are isolated."""
    edge_index = torch.randint(0, n - 2, (2, e), generator=gen)
    if not loops:
        edge_index = edge_index[:, edge_index[0] != edge_index[1]]
    return edge_index


@pytest.mark.parametrize("seed", range(8))
def test_the_hand_written_gcn_layer_equals_gcnconv(seed):
    gen = torch.Generator().manual_seed(seed)
    n = int(torch.randint(3, 20, (1,), generator=gen))
    edge_index = _random_graph(gen, n, int(torch.randint(0, 3 * n, (1,), generator=gen)), loops=seed % 2 == 1)
    x = torch.randn(n, 5, generator=gen)
    plain, conv = PlainGCNLayer(5, 3), GCNConv(5, 3)
    with torch.no_grad():
        plain.bias.normal_(generator=gen)
        conv.lin.weight.copy_(plain.weight.T)  # PyG's Linear keeps (out, in)
        conv.bias.copy_(plain.bias)
    torch.testing.assert_close(plain(x, edge_index), conv(x, edge_index), rtol=1e-5, atol=1e-5)


def test_an_isolated_node_keeps_only_its_own_transformed_features():
    A = normalized_adjacency(torch.tensor([[0], [1]]), 3)  # one edge 0 -> 1; node 2 alone
    assert A[2].tolist() == [0.0, 0.0, 1.0]
    # node 1 hears node 0 (in-degree 1 with its loop) and itself (in-degree 2): 1/sqrt(2·1), 1/sqrt(2·2)
    torch.testing.assert_close(A[1], torch.tensor([2**-0.5, 0.5, 0.0]))


@pytest.mark.parametrize("loops", [False, True])
def test_the_atlas_gcn_adds_self_loops_as_gcnconv_does(loops):
    """The model adds self-loops once (meta-friendly: weights and a concatenation), its layers none; each
    layer is still PyG's default GCNConv, i.e. the hand-written layer, self-loops in the data or not."""
    model, cfg, (x, edge_index) = _run("gcn", num_layers=1)
    if loops:
        edge_index = torch.cat([edge_index, torch.tensor([[0, 3, 3], [0, 3, 3]])], dim=1)
    plain = PlainGCNLayer(cfg.in_features, cfg.num_classes)
    with torch.no_grad():
        plain.weight.copy_(model.convs[0].lin.weight.T)
        plain.bias.copy_(model.convs[0].bias)
    torch.testing.assert_close(model(x, edge_index), plain(x, edge_index), rtol=1e-5, atol=1e-5)


def _permuted(x: tuple, perm: torch.Tensor) -> tuple:
    """The same graph(s) with node i of the new numbering being node perm[i] of the old one."""
    inv = torch.argsort(perm)  # old number -> new number
    return (x[0][perm], inv[x[1]], *x[2:])


def _perm_within(ptr: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """A random renumbering that keeps each graph's nodes in its own block (ptr stays valid)."""
    blocks = [a + torch.randperm(int(b - a), generator=gen) for a, b in zip(ptr[:-1], ptr[1:], strict=True)]
    return torch.cat(blocks)


@pytest.mark.parametrize("name", NAMES)
def test_node_outputs_follow_a_renumbering_of_the_nodes(name):
    model, cfg, x = _run(name, readout="none", num_nodes=15)
    perm = torch.randperm(cfg.num_nodes, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(model(*_permuted(x, perm)), model(*x)[perm], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("readout", ["sum", "mean", "max"])
@pytest.mark.parametrize("name", NAMES)
def test_graph_outputs_ignore_a_renumbering_of_the_nodes(name, readout):
    model, cfg, x = _run(name, readout=readout, num_nodes=16)
    perm = _perm_within(x[-1], torch.Generator().manual_seed(2))
    with torch.no_grad():
        torch.testing.assert_close(model(*_permuted(x, perm)), model(*x), rtol=1e-4, atol=1e-5)


def test_readouts_pool_each_graph_and_an_empty_graph_to_zeros():
    h = torch.tensor([[1.0, -2.0], [3.0, 0.0], [5.0, 4.0]])
    ptr = torch.tensor([0, 2, 2, 3])  # graphs {0, 1}, {} and {2}
    assert GraphReadout("sum")(h, ptr).tolist() == [[4.0, -2.0], [0.0, 0.0], [5.0, 4.0]]
    assert GraphReadout("mean")(h, ptr).tolist() == [[2.0, -1.0], [0.0, 0.0], [5.0, 4.0]]
    assert GraphReadout("max")(h, ptr).tolist() == [[3.0, 0.0], [0.0, 0.0], [5.0, 4.0]]


def test_gat_attention_sums_to_one_over_each_nodes_incoming_edges():
    model, cfg, x = _run("gat", num_nodes=20)
    out, attention = model(*x, return_attention=True)
    assert out.shape == (20, cfg.num_classes) and len(attention) == cfg.num_layers
    for (edges, alpha), heads in zip(attention, [cfg.num_heads] * (cfg.num_layers - 1) + [1], strict=True):
        assert alpha.shape == (edges.shape[1], heads) and (alpha >= 0).all()
        totals = torch.zeros(20, heads).index_add(0, edges[1], alpha)  # (N, heads): Σ_j α_ij per target i
        torch.testing.assert_close(totals, torch.ones(20, heads))


def test_example_graphs_are_undirected_without_self_loops_and_seeded():
    cfg = archs.get_arch("gcn").make_config("tiny", num_nodes=30, readout="mean")
    x, edge_index, ptr = example_graph(cfg)
    assert ptr.tolist() == [0, 15, 30] and x.shape == (30, cfg.in_features)
    assert (edge_index[0] != edge_index[1]).all()
    pairs = set(map(tuple, edge_index.T.tolist()))
    assert all((b, a) in pairs for a, b in pairs)  # every edge both ways
    assert all((a < 15) == (b < 15) for a, b in pairs)  # no edge between the two graphs
    torch.testing.assert_close(example_graph(cfg)[1], edge_index)


def test_messages_at_a_node_add_up_to_the_layer_output():
    """The explainer's term-by-term messages sum to what the plain GCN layer computes at each node."""

    torch.manual_seed(0)
    ei = torch.tensor([[0, 1, 1, 2, 3, 2], [1, 0, 2, 1, 2, 3]])  # a path 0-1-2-3 both ways, node 4 isolated
    layer, h = PlainGCNLayer(3, 5), torch.randn(5, 3)
    out = layer(h, ei)
    for v in range(5):
        m = messages_at(layer, h, ei, v)
        assert torch.allclose(m["output"], out[v], atol=1e-6)
        assert "itself" in m
    assert set(messages_at(layer, h, ei, 1)) == {"itself", "from 0", "from 2", "aggregate", "output"}
    assert set(messages_at(layer, h, ei, 4)) == {"itself", "aggregate", "output"}
    with pytest.raises(ValueError, match="does not exist"):
        messages_at(layer, h, ei, 5)


def test_the_compare_sheet_describes_a_graph_input_as_a_graph():
    from archs.catalog import cost_row

    row = cost_row("gcn", "canonical")
    assert row["input"].startswith("graph: 2,708 nodes × 1,433 features, ") and "tokens" not in row["input"]
    assert row["params"] == 23_063
    assert cost_row("gin", "canonical")["input"].endswith("in 2 graphs")


@pytest.mark.parametrize(
    "name,preset", [("gcn", "tiny"), ("gin", "canonical"), ("mpnn", "tiny"), ("gat", "graph_level")]
)
def test_a_latency_batch_of_graphs_is_copies_of_the_example_graph(name, preset):
    """Compare's latency batches a graph network's input as copies of its example graph side by side
    (edge ids offset, edge features copied, ptr extended): each copy's output equals the example's."""
    from archs.latency import batched, forward_latency

    spec = archs.get_arch(name)
    cfg = spec.make_config(preset)
    example = spec.example_input(cfg)
    model = archs.build_from_config(spec, cfg, "cpu").eval()
    with torch.no_grad():
        one, three = model(*example), model(*batched(example, 3))
    k = one.shape[0]
    assert three.shape[0] == 3 * k
    for i in range(3):
        assert torch.allclose(three[i * k : (i + 1) * k], one, atol=1e-5)
    got = forward_latency(spec, cfg, batches=(1, 4), budget_s=0.05)
    assert all(r.median_s > 0 for r in got.values()), got


def test_an_untrained_gcn_already_separates_the_karate_factions_better_than_random_points():
    """The explainer's claim: structure alone, through random weights, pulls the factions apart (median
    over ten seeds of the 2-D output's linear separability, against ten random 2-D point sets)."""
    from archs.graph.plain_gcn import untrained_stack
    from data.graphs import karate
    from training.graph.probes import linear_separability

    g = karate().graph
    ei, y = g.edge_index.numpy(), g.y.numpy()
    gcn = [
        linear_separability(untrained_stack((34, 8, 8, 2), ei, seed=s)[1][-1].numpy(), y) for s in range(10)
    ]
    noise = [linear_separability(np.random.default_rng(s).normal(size=(34, 2)), y) for s in range(10)]
    assert np.median(gcn) >= np.median(noise) + 0.15
    layers, hs = untrained_stack((34, 8, 8, 2), ei, seed=0)
    assert [tuple(h.shape) for h in hs] == [(34, 34), (34, 8), (34, 8), (34, 2)] and len(layers) == 3
