"""The Timeline: every registered architecture is a point at its paper's year in its family's band, and
picking one (a click or the picker) shows its paper and a link that opens it on its page."""

import archs
from tests.apptest import chart, open_page, plotly_values
from ui.timeline import timeline_rows
from viz.timeline import offsets, timeline_figure


def test_every_registered_architecture_is_a_point_at_its_year():
    rows = timeline_rows()
    fig = timeline_figure(rows, list(archs.FAMILIES))
    points = {n: x for t in fig.data for n, x in zip(t.customdata, t.x, strict=True)}
    assert points == {s.name: s.year for s in archs.list_archs()}
    assert [t.name for t in fig.data] == [archs.FAMILIES[f][0] for f in archs.FAMILIES]


def test_points_of_one_family_and_year_do_not_overlap():
    rows = [{"family": "cnn", "year": 2019}] * 8 + [{"family": "cnn", "year": 2015}]
    dy = offsets(rows)
    assert len(set(dy[:8])) == 8 and max(map(abs, dy)) <= 0.4 and dy[8] == 0.0


def test_the_page_draws_filters_and_links():
    at = open_page("pages/timeline.py")
    spec = chart(at, "tl.chart")
    n = sum(len(plotly_values(t["x"])) for t in spec["data"])
    assert n == len(archs.list_archs())
    at.multiselect(key="tl.fam").set_value(["detection"]).run()
    spec = chart(at, "tl.chart")
    assert [t["name"] for t in spec["data"]] == ["Detection & segmentation"]
    at.selectbox(key="tl.arch").set_value("yolov3").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "**YOLOv3 (Darknet-53)** (2018)" in text
    assert "(/detection?det.arch=YOLOv3+%28Darknet-53%29+%282018%29&det.tab=Architectures)" in text
    # the ring marks the chosen one
    spec = chart(at, "tl.chart")
    assert any(t["name"] == "selected" for t in spec["data"])
    # a family filter that drops the chosen architecture clears the choice instead of failing
    at.multiselect(key="tl.fam").set_value(["gan"]).run()
    assert not at.exception and at.selectbox(key="tl.arch").value is None
