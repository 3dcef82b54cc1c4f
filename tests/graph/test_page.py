"""The Graph neural networks page under AppTest: every tab draws, the message-passing explainer follows
the chosen node and layer, and its messages come from the node's real neighbours in the karate club."""

from __future__ import annotations

import json

import networkx as nx

from tests.apptest import open_page, poll, progress


def test_page_draws_every_tab_with_formulas_and_charts():
    at = open_page("pages/graph.py")
    labels = {t.label for t in at.tabs}
    assert {"Idea", "Message passing", "Architectures", "Graph", "Summary"} <= labels
    assert len(at.latex) >= 6
    assert at.selectbox(key="gnn.arch").value.name == "gcn"
    assert len(at.get("plotly_chart")) >= 4  # receptive field, messages, output, layer graph


def _values(a) -> list:
    """A Plotly JSON array: a list, or a typed array ({"dtype", "bdata"} in base64) as plotly.py writes
    numpy arrays."""
    if isinstance(a, dict) and "bdata" in a:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(a["bdata"]), dtype=np.dtype(a["dtype"])).tolist()
    return list(a or [])


def _chart(at, key: str) -> dict:
    return next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if c.proto.id.endswith(key) or key in c.proto.id
    )


def test_messages_come_from_the_nodes_neighbours_and_the_field_grows_by_layer():
    at = open_page("pages/graph.py")
    at.number_input(key="gnn.mp.node").set_value(33).run()
    at.slider(key="gnn.mp.k").set_value(1).run()
    assert not at.exception
    g = nx.karate_club_graph()
    rows = _chart(at, "gnn.mp.msg")["data"][0]["y"]
    assert {r for r in rows if r.startswith("from ")} == {f"from {u}" for u in g.neighbors(33)}
    assert rows[-1].startswith("update") and "aggregate" in rows and "itself" in rows
    heard = []
    for k in (1, 2, 3):
        at.slider(key="gnn.mp.k").set_value(k).run()
        cap = next(c.value for c in at.caption if c.value.startswith(f"After {k} layer"))
        heard.append(int(cap.split("heard from ")[1].split(" ")[0]))
    assert heard[0] == g.degree(33) and heard[0] < heard[1] <= heard[2] <= 33


def test_nodes_tab_trains_the_karate_gcn_and_recolours_the_graph():
    """The untrained network's predictions are drawn before training; after Train runs to the end the
    graph is coloured by the trained predictions and its title states the held-out accuracy."""
    at = open_page("pages/graph.py")
    before = _chart(at, "gnn.n.view.graph")
    assert any(t.get("name", "").startswith("predicted ") for t in before["data"])
    at.button(key="gnn.n.train.play").click().run()
    at = poll(at, lambda a: any(t.startswith("**done**") for t in progress(a)))
    after = _chart(at, "gnn.n.view.graph")
    title = after["layout"]["title"]["text"]
    assert "right on the unlabelled ones" in title and int(title.split("· ")[1].split("%")[0]) >= 80, title
    squares = [
        s for t in after["data"] if "marker" in t for s in (t["marker"].get("symbol") or []) if s == "square"
    ]
    assert len(squares) == 4  # two labelled members per faction
    emb = _chart(at, "gnn.n.view.emb")
    assert sum(len(_values(t["x"])) for t in emb["data"]) == 34


def test_gat_draws_attention_as_edge_widths():
    at = open_page("pages/graph.py")
    at.selectbox(key="gnn.n.recipe").set_value("gat_bashapes").run()
    assert not at.exception
    fig = _chart(at, "gnn.n.view.graph")
    widths = {t["line"]["width"] for t in fig["data"] if t.get("mode") == "lines"}
    assert len(widths) >= 2, widths  # attention weights drawn in several widths


def test_depth_and_explanations_tabs():
    at = open_page("pages/graph.py")
    assert any("Run the experiment" in i.value for i in at.info)
    at.radio(key="gnn.d.depths").set_value("1, 2, 4, 8, 16").run()
    at.button(key="gnn.d.run").click().run()
    assert not at.exception
    fig = _chart(at, "gnn.d.fig")
    spread = {t["name"]: _values(t["y"]) for t in fig["data"] if t.get("xaxis") == "x2"}
    assert spread["plain"][-1] < 0.1 * spread["plain"][1]  # 16 layers against 2: the states collapse
    assert spread["residual"][-1] > 0.1 * spread["residual"][1]
    x = _chart(at, "gnn.x.fig")
    assert any(t.get("name") == "the motif (truth)" for t in x["data"])
    assert any("most important edges lie inside node" in m.value for m in at.markdown)


def test_an_uploaded_edge_list_runs_the_explainer_and_a_bad_one_gets_a_sentence():
    at = open_page("pages/graph.py")
    at.radio(key="gnn.mp.src").set_value("My edge list (CSV)").run()
    assert any("Upload an edge list" in i.value for i in at.info)
    up = next(u for u in at.get("file_uploader") if u.proto.id.endswith("gnn.mp.up"))
    up.set_value(("path.csv", b"source,target\n0,1\n1,2\n2,3\n3,4\n", "text/csv"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Your graph: 5 nodes, 4 edges" in m.value for m in at.markdown)
    at.slider(key="gnn.mp.k").set_value(2).run()
    cap = next(c.value for c in at.caption if c.value.startswith("After 2 layer"))
    assert "heard from 2 of the other 4 nodes" in cap  # node 0 on a path: nodes 1 and 2
    up = next(u for u in at.get("file_uploader") if u.proto.id.endswith("gnn.mp.up"))
    up.set_value(("bad.csv", b"0,1\n1,x\n", "text/csv"))
    at.run()
    assert not at.exception
    assert any("cannot be used" in e.value for e in at.error), [e.value for e in at.error]
