"""Every page renders under AppTest; the Feedforward page trains, reports bad input and divergence."""

import pytest

from tests.apptest import open_page
from ui.nav import existing_pages

PAGES = [p.path for p in existing_pages()]


def test_app_entry_renders_with_sidebar():
    at = open_page("app.py")
    assert at.sidebar.number_input(key="atlas.seed").value == 0
    assert at.sidebar.selectbox(key="atlas.device").value == "cpu"
    assert any("CPU" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders(path):
    at = open_page(path)
    assert at.title, f"{path} has no title"


def test_home_lists_and_filters_architectures():
    at = open_page("pages/home.py")
    df = at.dataframe[0].value
    assert len(df) >= 2 and "Multilayer perceptron (MLP)" in set(df["title"])
    assert df.loc[df["title"] == "Multilayer perceptron (MLP)", "canonical"].item() == "266,610"
    assert df.loc[df["title"] == "Perceptron", "canonical"].item() == "—"  # no published size: not "None"
    mlp = df.loc[df["title"] == "Multilayer perceptron (MLP)"]
    assert mlp["authors"].item() == "D. E. Rumelhart et al. (1986)"
    at.text_input(key="home.q").input("rosenblatt").run()
    df = at.dataframe[0].value
    assert list(df["title"]) == ["Perceptron"]
    # the family list counts what the search left
    links = " ".join(str(m.value) for m in at.markdown) + " ".join(str(p.proto) for p in at.get("page_link"))
    assert "1 of 2 architectures that match" in links and "0 of" in links, links[:500]
