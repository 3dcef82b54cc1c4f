"""The layer graph as a reader sees it: a readable default level of detail for the giants (×N blocks, at
most ``MAX_NODES`` nodes), legible labels with output shapes that never overlap, a search that finds and
opens any layer, and blocks drawn once for N identical copies."""

import networkx as nx
import pytest

import archs
from archs.detail import (
    MAX_NODES,
    all_opened,
    auto_opened,
    depth_opened,
    find_layers,
    node_for,
    opened_for,
    view,
)
from archs.introspect import trace_graph
from archs.spec import to_device
from viz.labels import Box, anchored_box, text_size
from viz.model_graph import FONT_PX, PLOT_WIDTH, ROW_PX, graph_figure


def _graph(name: str, preset: str = "canonical") -> nx.DiGraph:
    spec = archs.get_arch(name)
    cfg = spec.make_config(preset)
    model = archs.build_from_config(spec, cfg, "meta")
    return trace_graph(model, to_device(spec.example_input(cfg), "meta"))


@pytest.fixture(scope="module")
def giants():
    return {n: _graph(n) for n in ("resnet152", "efficientnet_b7", "gpt2_small")}


def label_boxes(fig, width: int = PLOT_WIDTH) -> list[tuple[str, Box, Box | None]]:
    """(name, label box, marker box) in pixels, for a plot ``width`` pixels wide (or the figure's own
    width): x from the axis range, y from the rows and the figure's height, label sizes estimated from
    font size and characters. The "×N" notes of blocks drawn once are labels too (without markers)."""
    t = fig.data[-1]
    m = fig.layout.margin
    pw = fig.layout.width - m.l - m.r if fig.layout.width else width
    ph = fig.layout.height - m.t - m.b
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range

    def px(x, y):
        return (x - x0) / (x1 - x0) * pw, (y - y0) / (y1 - y0) * ph

    out = []
    for n, x, y, text, s in zip(t.customdata, t.x, t.y, t.text, t.marker.size, strict=True):
        (cx, cy), (w, h) = px(x, y), text_size(text, t.textfont.size)
        label = Box(cx + s / 2 + 1, cy - h / 2, cx + s / 2 + 1 + w, cy + h / 2)
        out.append((n, label, Box(cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2)))
    for a in fig.layout.annotations:
        (ax, ay), (w, h) = px(a.x, a.y), text_size(a.text, a.font.size)
        out.append((f"note {a.text}", anchored_box(ax, ay, w, h, a.xanchor, a.yanchor), None))
    return out


def assert_no_overlaps(fig, width: int = PLOT_WIDTH) -> None:
    boxes = label_boxes(fig, width)
    for i, (a, la, ma) in enumerate(boxes):
        for b, lb, mb in boxes[i + 1 :]:
            assert not la.overlaps(lb), f"labels of {a} and {b} overlap"
            assert not (mb and la.overlaps(mb)) and not (ma and lb.overlaps(ma)), f"a label covers {a} or {b}"


def assert_bands_apart(fig) -> None:
    """The shaded bands of two different blocks drawn once never overlap (a block's own bands touch)."""
    bands = [(s.name, Box(s.x0, s.y0 + 0.01, s.x1, s.y1 - 0.01)) for s in fig.layout.shapes]
    for i, (a, ba) in enumerate(bands):
        for b, bb in bands[i + 1 :]:
            assert a == b or not ba.overlaps(bb), f"the bands of {a} and {b} overlap"


# ------------------------------------------------------------------------ default level of detail


@pytest.mark.parametrize("name", ["resnet152", "efficientnet_b7", "gpt2_small"])
def test_giants_default_to_a_readable_view_with_repeats_folded(giants, name):
    G = giants[name]
    H = view(G, auto_opened(G))
    assert 20 <= H.number_of_nodes() <= MAX_NODES < G.number_of_nodes()
    folded = sum(d.get("repeat", 0) for _, d in H.nodes(data=True)) + sum(
        g["repeat"] for g in H.graph["groups"]
    )
    assert folded >= 10  # ResNet-152's 46 bottlenecks after the first of each stage, GPT-2's 12 blocks
    assert nx.is_directed_acyclic_graph(H) and nx.is_weakly_connected(H)


def test_resnet152_shows_a_bottleneck_in_detail_and_the_rest_as_runs(giants):
    H = view(giants["resnet152"], auto_opened(giants["resnet152"]))
    paths = {d.get("path") for _, d in H.nodes(data=True)}
    assert {"layer1.0.conv1", "layer1.0.conv3", "layer1.0.downsample.0", "layer4.0.conv2"} <= paths
    runs = {d["path"]: d["repeat"] for _, d in H.nodes(data=True) if d.get("repeat")}
    assert runs["layer3.1"] == 35


def test_gpt2_is_one_block_in_detail_drawn_for_twelve(giants):
    G = giants["gpt2_small"]
    H = view(G, auto_opened(G))
    (group,) = H.graph["groups"]
    assert group["repeat"] == 12 and group["last"].endswith(".11")
    inside = [H.nodes[n] for n in group["nodes"]]
    assert any(d["type"] == "Linear" for d in inside) and len(inside) >= 8
    fig = graph_figure(H)
    (note,) = fig.layout.annotations
    assert note.text == "<b>×12</b> identical blocks"
    assert "decoder.blocks.0 … decoder.blocks.11" in note.hovertext
    ys = dict(zip(fig.data[-1].customdata, fig.data[-1].y, strict=True))
    rows = {ys[n] for n in group["nodes"]}
    assert len(fig.layout.shapes) == len(rows) >= 8  # a band behind each row of the block
    assert {s.name for s in fig.layout.shapes} == {group["id"]}
    unfolded = view(G, auto_opened(G), unfold=[group["id"]])
    assert not unfolded.graph["groups"]
    assert any(d.get("repeat") == 11 for _, d in unfolded.nodes(data=True))


def test_depth_views_are_the_depth_collapse():
    from archs.collapse import collapse_depth, repeat_runs

    G = _graph("resnet18", "tiny")
    for k in (1, 2, 3):
        H = collapse_depth(G, k)
        runs = [r[0] for r in repeat_runs(H)]
        assert sorted(view(G, depth_opened(G, k), unfold=runs).nodes) == sorted(H.nodes)
    assert sorted(view(G, all_opened(G)).nodes) == sorted(G.nodes)


# ------------------------------------------------------------------------------------------ labels


def test_labels_stay_legible_and_carry_shapes(giants):
    """The font does not shrink with the node count; a larger graph gets a taller figure; each node
    says its output shape, as Netron does."""
    G = giants["resnet152"]
    small, every = graph_figure(view(G, auto_opened(G))), graph_figure(G)
    for fig in (small, every):
        t = fig.data[-1]
        assert t.textfont.size == FONT_PX >= 12 and t.mode == "markers+text"
        rows = 1 - min(t.y)
        assert (fig.layout.height - 30) / (rows + 0.2) >= ROW_PX - 1  # pixels per row, never packed
    assert every.layout.height > 3 * small.layout.height
    texts = dict(zip(small.data[-1].customdata, small.data[-1].text, strict=True))
    assert "2×256×56×56" in texts["layer1_0_conv3"] and "Conv2d" in texts["layer1_0_conv3"]


@pytest.mark.parametrize("name", ["transformer", "t5_small"])
def test_no_two_labels_overlap_in_transformer_graphs(name):
    G = _graph(name, "tiny")
    max_depth = max(d["path"].count(".") + 1 for _, d in G.nodes(data=True) if d.get("path"))
    views = [auto_opened(G), all_opened(G)] + [depth_opened(G, k) for k in range(1, max_depth)]
    for opened in views:
        fig = graph_figure(view(G, opened))
        assert_no_overlaps(fig)
        assert_bands_apart(fig)
    assert view(G, auto_opened(G)).graph["groups"]  # blocks drawn once are part of what is checked


@pytest.mark.parametrize("name", ["bert_base", "gpt2_small", "t5_small"])
def test_no_two_labels_overlap_in_the_family_comparison_columns(name):
    from ui.transformer.panels import COLUMN_PX, _small_graph

    fig = graph_figure(_small_graph(name, 2), width=COLUMN_PX, labels="name")
    assert fig.layout.width is None  # fits its column
    assert_no_overlaps(fig, COLUMN_PX)


# ------------------------------------------------------------------------------------------ search


def test_search_finds_a_layer_and_opens_the_run_that_hides_it(giants):
    G = giants["resnet152"]
    auto = auto_opened(G)
    assert "layer3.17.conv2" in find_layers(G, "layer3.17.CONV")
    assert find_layers(G, "downsample")[0] == "layer1.0.downsample"
    assert find_layers(G, "no such layer") == []
    before = view(G, auto)
    assert node_for(before, "layer3.17.conv2") == "repeat:block:layer3.1"  # hidden in the ×35 run
    H = view(G, auto | opened_for("layer3.17.conv2"))
    n = node_for(H, "layer3.17.conv2")
    assert H.nodes[n]["path"] == "layer3.17.conv2" and H.nodes[n]["type"] == "Conv2d"
    runs = sorted(d["repeat"] for _, d in H.nodes(data=True) if d.get("repeat"))
    assert 16 in runs and 35 not in runs  # layer3.1–16 before the opened block
    (group,) = [g for g in H.graph["groups"] if g["path"] == "layer3.17"]  # drawn once for 17–35
    assert group["repeat"] == 19 and group["last"] == "layer3.35" and n in group["nodes"]


def test_two_runs_in_a_row_fold_into_two_linked_nodes():
    """The Transformer's decoder blocks all read the encoder's last block: folding the encoder run first
    must not bring its removed member back as a bare node when the decoder run is folded."""
    from archs.collapse import collapse_repeats

    G = nx.DiGraph()
    for i in range(4):
        G.add_node(
            f"e{i}", kind="block", type="Enc", params=5, shape=(1,), scope="enc", order=i, path=f"enc.{i}"
        )
        G.add_node(
            f"d{i}",
            kind="block",
            type="Dec",
            params=7,
            shape=(1,),
            scope="dec",
            order=10 + i,
            path=f"dec.{i}",
        )
        G.add_edge("e3", f"d{i}")
    G.add_edges_from([("e0", "e1"), ("e1", "e2"), ("e2", "e3"), ("d0", "d1"), ("d1", "d2"), ("d2", "d3")])
    H = collapse_repeats(G)
    assert all("kind" in d for _, d in H.nodes(data=True))
    assert sorted(H.nodes) == ["repeat:d0", "repeat:e0"] and list(H.edges) == [("repeat:e0", "repeat:d0")]


@pytest.mark.parametrize(
    "spec", [s for s in archs.list_archs() if "canonical" in s.presets], ids=lambda s: s.name
)
def test_every_canonical_graph_has_a_readable_default_view(spec):
    G = _graph(spec.name)
    H = view(G, auto_opened(G))
    assert H.number_of_nodes() <= MAX_NODES
    assert all("kind" in d and "order" in d for _, d in H.nodes(data=True))
    assert nx.is_directed_acyclic_graph(H) and nx.is_weakly_connected(H)
    fig = graph_figure(H)
    assert fig.data[-1].mode == "markers+text" and fig.layout.width is None  # fits an 800 px plot
    assert_no_overlaps(fig)
    assert_bands_apart(fig)
