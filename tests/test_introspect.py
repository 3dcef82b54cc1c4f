"""Graph tracing (fx and the executed-path fallback), collapsing, and activation capture."""

import copy

import networkx as nx
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import archs
from archs.collapse import collapse_depth, collapse_repeats, repeat_runs
from archs.introspect import capture, trace_graph
from archs.meta_shapes import _shape_forward


def _mlp(**kw):
    spec = archs.get_arch("mlp")
    cfg = spec.make_config("tiny", **kw)
    return archs.build_from_config(spec, cfg), spec.example_input(cfg)


def test_fx_graph_shows_skip_connection_adds():
    m, x = _mlp(hidden_dims=(8, 8, 8), residual=True)
    G = trace_graph(m, x)
    assert G.graph["method"] == "fx"
    adds = [n for n, d in G.nodes(data=True) if d["kind"] == "add"]
    assert len(adds) == 2
    for a in adds:  # an add joins the block's branch and its skip
        assert G.in_degree(a) == 2
    assert nx.is_directed_acyclic_graph(G)
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    assert {"input", "output", "module"} <= kinds
    head = next(d for _, d in G.nodes(data=True) if d.get("path") == "head")
    assert head["shape"] == (4, 10) and head["params"] == 8 * 10 + 10
    assert not any(d["type"] == "Identity" for _, d in G.nodes(data=True))


def test_depth_collapse_and_repeats():
    m, x = _mlp(hidden_dims=(8, 8, 8, 8), residual=True)
    G = trace_graph(m, x, depth=2)
    blocks = [d for _, d in G.nodes(data=True) if d["kind"] == "block"]
    assert [b["path"] for b in blocks] == ["layers.0", "layers.1", "layers.2", "layers.3"]
    assert sum(b["params"] for b in blocks) == sum(p.numel() for p in m.layers.parameters())
    runs = repeat_runs(G)
    assert len(runs) == 1 and len(runs[0]) == 3  # layers.1..3 are identical; layers.0 differs
    H = collapse_repeats(G)
    rep = [d for _, d in H.nodes(data=True) if d.get("repeat")]
    assert len(rep) == 1 and rep[0]["repeat"] == 3 and "×3" in rep[0]["label"]
    assert nx.is_weakly_connected(H)
    assert collapse_repeats(G, expanded=[runs[0][0]]).number_of_nodes() == G.number_of_nodes()
    G1 = collapse_depth(trace_graph(m, x), 1)
    assert any(d["path"] == "layers" for _, d in G1.nodes(data=True))


class DataDependent(nn.Module):
    """A forward pass that branches on tensor values: torch.fx cannot trace it."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 4)

    def forward(self, x):
        h = self.a(x)
        for _ in range(3):
            if h.sum() > 0:
                h = self.b(h) + h
            else:
                h = torch.tanh(h)
        return h


class TinyRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(3, 5, batch_first=True)
        self.cell = nn.GRUCell(5, 5)
        self.out = nn.Linear(5, 2)

    def forward(self, x):
        seq, _ = self.rnn(x)
        h = seq[:, 0]
        for t in range(seq.shape[1]):
            h = self.cell(seq[:, t], h)
        return self.out(h)


def test_executed_path_fallback_for_data_dependent_control_flow():
    torch.manual_seed(0)
    m = DataDependent()
    G = trace_graph(m, torch.randn(2, 4))
    assert G.graph["method"] == "executed" and "fx_error" in G.graph
    assert nx.is_directed_acyclic_graph(G) and nx.is_weakly_connected(G)
    paths = [d["path"] for _, d in G.nodes(data=True) if d["kind"] == "module"]
    assert paths[0] == "a"
    out = [n for n, d in G.nodes(data=True) if d["kind"] == "output"]
    assert len(out) == 1 and G.in_degree(out[0]) == 1


def test_executed_path_for_recurrent_networks():
    G = trace_graph(TinyRNN(), torch.randn(2, 6, 3), method="executed")
    cells = [d for _, d in G.nodes(data=True) if d["type"] == "GRUCell"]
    assert len(cells) == 6  # unrolled: one node per time step
    assert any(d["type"] == "LSTM" for _, d in G.nodes(data=True))
    assert nx.has_path(
        G,
        next(n for n, d in G.nodes(data=True) if d["kind"] == "input"),
        next(n for n, d in G.nodes(data=True) if d["kind"] == "output"),
    )


def test_both_tracers_agree_on_a_traceable_model():
    m, x = _mlp(hidden_dims=(6, 6), residual=True)
    a = trace_graph(m, x, method="fx")
    b = trace_graph(m, x, method="executed")
    key = lambda G: sorted((d["kind"], d["type"], d.get("path", "")) for _, d in G.nodes(data=True))  # noqa: E731
    assert key(a) == key(b)
    assert a.number_of_edges() == b.number_of_edges()


def test_trace_on_meta_device():
    spec = archs.get_arch("mlp")
    cfg = spec.make_config("canonical")
    m = archs.build_from_config(spec, cfg, "meta")
    G = trace_graph(m, spec.example_input(cfg).to("meta"))
    assert sum(d["params"] for _, d in G.nodes(data=True)) == spec.published_params


def test_capture_returns_named_activations():
    m, x = _mlp(hidden_dims=(6, 3))
    acts = capture(m, x, ["layers.0", "layers.1.act", "head"])
    assert (
        acts["layers.0"].shape == (4, 6)
        and acts["layers.1.act"].shape == (4, 3)
        and acts["head"].shape == (4, 10)
    )
    assert torch.allclose(acts["head"], m(x))
    with pytest.raises(KeyError, match="layers"):
        capture(m, x, ["layers.9"])


class SharedCellLoop(nn.Module):
    """One block called at every step: collapsing by depth must not create a cycle."""

    def __init__(self):
        super().__init__()
        self.block = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        h = x
        for _ in range(3):
            h = self.block(h) + x
        return self.out(h)


def test_repeated_calls_of_one_module_stay_acyclic_and_count_weights_once():
    m = SharedCellLoop()
    G = trace_graph(m, torch.randn(2, 4), depth=1)
    assert nx.is_directed_acyclic_graph(G)
    blocks = [d for _, d in G.nodes(data=True) if d.get("path") == "block"]
    assert len(blocks) == 3 and {b["params"] for b in blocks} == {20}
    H = collapse_repeats(G)
    assert nx.is_directed_acyclic_graph(H)
    rep = [d for _, d in H.nodes(data=True) if d.get("path") == "block"]
    assert all(d["params"] == 20 for d in rep)


@pytest.mark.parametrize(
    "name",
    ["resnet18", "mobilenet_v2", "gpt", "bert_base", "vit_b_16", "transformer", "lstm"]
    + ["googlenet", "alexnet", "densenet121", "efficientnet_b0", "text_cnn", "tcn", "dcgan", "ddpm_unet"],
)
def test_meta_shortcuts_draw_the_same_graph_as_a_real_run(name):
    """On meta, layers with a simple shape rule (norms, activations, Linear, Embedding, attention) answer
    with an empty tensor of the right shape instead of running: the graph must be the one a real CPU
    run gives, node for node, with the same shapes."""
    spec = archs.get_arch(name)
    cfg = spec.make_config("tiny")
    torch.manual_seed(0)
    model = archs.build_from_config(spec, cfg, "cpu")
    x = spec.example_input(cfg)
    real = trace_graph(model, x)
    meta = trace_graph(model.to("meta"), archs.spec.to_device(x, "meta"))
    assert real.graph["method"] == meta.graph["method"]
    assert sorted(real.edges) == sorted(meta.edges)
    for n, d in real.nodes(data=True):
        assert meta.nodes[n]["shape"] == d["shape"], n
        assert meta.nodes[n]["type"] == d["type"] and meta.nodes[n]["params"] == d["params"]
    assert not any("forward" in vars(m) for m in model.modules())  # the patches are undone


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["conv1", "conv2", "conv3", "max1", "max2", "avg1", "avg2"]),
    size=st.lists(st.integers(1, 12), min_size=3, max_size=3),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    d=st.integers(1, 3),
    p=st.integers(0, 2),
    pad_mode=st.sampled_from(["int", "valid", "same"]),
    ceil=st.booleans(),
    batched=st.booleans(),
)
def test_conv_and_pool_shape_rules_agree_with_pytorch(kind, size, k, s, d, p, pad_mode, ceil, batched):
    """On meta, convolutions and 1-D/2-D pools answer with their output shape by formula: it must be
    PyTorch's shape whenever PyTorch computes one, and PyTorch's own error whenever it refuses."""
    nd = int(kind[-1])
    if kind.startswith("conv"):
        pad = p if pad_mode == "int" or (pad_mode == "same" and s > 1) else pad_mode
        m = getattr(nn, f"Conv{nd}d")(3, 4, k, stride=s, padding=pad, dilation=d)
    elif kind.startswith("max"):
        m = getattr(nn, f"MaxPool{nd}d")(k, stride=s, padding=min(p, k // 2), dilation=d, ceil_mode=ceil)
    else:
        m = getattr(nn, f"AvgPool{nd}d")(k, stride=s, padding=min(p, k // 2), ceil_mode=ceil)
    x = torch.zeros(*([2] if batched else []), 3, *size[:nd])
    try:
        expected = m(x).shape
    except RuntimeError:
        expected = None
    rule = _shape_forward(m.to("meta"))
    assert rule is not None
    if expected is None:
        with pytest.raises(RuntimeError):
            rule(x.to("meta"))
    else:
        assert rule(x.to("meta")).shape == expected


@settings(max_examples=120, deadline=None)
@given(
    kind=st.sampled_from(["rnn", "lstm", "gru", "ours_lstm", "ours_gru"]),
    batch=st.integers(1, 3),
    T=st.integers(1, 6),
    width=st.integers(1, 5),
    hidden=st.integers(1, 5),
    layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    proj=st.booleans(),
)
def test_recurrent_shape_rules_agree_with_pytorch(
    kind, batch, T, width, hidden, layers, bidirectional, batch_first, proj
):
    """torch.nn.RNN/LSTM/GRU (projections, time-first too) and our Recurrent answer on meta with the
    shapes a real run produces; a wrong input width still raises PyTorch's own error."""
    from archs.blocks.recurrent import Recurrent
    from archs.meta_shapes import shape_only

    if kind.startswith("ours"):
        m = Recurrent(kind[5:], width, hidden, layers, bidirectional).eval()
        x = torch.randn(batch, T, width)
    else:
        cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
        extra = {"proj_size": max(1, hidden - 1)} if proj and kind == "lstm" and hidden > 1 else {}
        m = cls(width, hidden, layers, batch_first=batch_first, bidirectional=bidirectional, **extra).eval()
        x = torch.randn(batch, T, width) if batch_first else torch.randn(T, batch, width)
    with torch.no_grad():
        real = m(x)
        meta = copy.deepcopy(m).to("meta")
        with shape_only(meta, leaves_only=False):
            ruled = meta(x.to("meta"))
            with pytest.raises(RuntimeError):
                meta(torch.empty(batch, T, width + 1, device="meta"))
    shapes = lambda out: [tuple(t.shape) for t in _flat(out)]
    assert shapes(ruled) == shapes(real)


def _flat(out):
    if isinstance(out, torch.Tensor):
        return [out]
    return [t for o in out if o is not None for t in _flat(o)]


def test_norm_and_linear_rules_never_hide_a_wrong_width():
    from archs.meta_shapes import shape_only

    cases = [
        (torch.nn.Linear(4, 3), (2, 5)),
        (torch.nn.BatchNorm2d(4), (2, 3, 5, 5)),
        (torch.nn.LayerNorm(4), (2, 3)),
        (torch.nn.GroupNorm(2, 4), (2, 6, 5)),
    ]
    for layer, bad in cases:
        model = torch.nn.Sequential(layer).to("meta")
        with shape_only(model), pytest.raises(RuntimeError):
            model(torch.empty(bad, device="meta"))


def test_capture_copies_outputs_before_an_in_place_relu_overwrites_them():
    """ResNet's BatchNorm is followed by ReLU(inplace=True): the captured BatchNorm output must be the
    normalised tensor (with negative values), not the rectified one the ReLU leaves in its memory."""
    from data import digits

    torch.manual_seed(0)
    model = archs.build_model("resnet18", in_channels=1, num_classes=10, image_size=28).eval()
    x = torch.as_tensor(digits(size=28).x_test[:4])  # real digits, (4, 1, 28, 28)
    acts = capture(model, x, ["layer1.0.bn1", "layer1.0.relu"])
    bn = acts["layer1.0.bn1"]
    assert bn.shape[:2] == (4, 8) and (bn < 0).float().mean() > 0.2
    with torch.no_grad():  # the same BatchNorm run by hand
        direct = model.layer1[0].bn1(model.layer1[0].conv1(model.stem(x)))
    assert torch.allclose(bn, direct, atol=1e-5)
