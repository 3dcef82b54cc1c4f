"""The Graph neural networks page under AppTest: every tab draws, the message-passing explainer follows
the chosen node and layer, and its messages come from the node's real neighbours in the karate club."""

from __future__ import annotations

import json

import networkx as nx

from tests.apptest import open_page


def test_page_draws_every_tab_with_formulas_and_charts():
    at = open_page("pages/graph.py")
    labels = {t.label for t in at.tabs}
    assert {"Idea", "Message passing", "Architectures", "Graph", "Summary"} <= labels
    assert len(at.latex) >= 6
    assert at.selectbox(key="gnn.arch").value.name == "gcn"
    assert len(at.get("plotly_chart")) >= 4  # receptive field, messages, output, layer graph


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
