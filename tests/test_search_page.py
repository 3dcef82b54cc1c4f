"""The Architecture search page renders every tab; both searches run as queued jobs and the Pareto chart
appears; a DARTS search draws its α curves and the derived cell; a zero budget and a bad tournament are
sentences, not tracebacks."""

from __future__ import annotations

import time

from tests.apptest import chart, errors, on_tab, open_page

PAGE = "pages/search.py"


def test_page_renders_every_tab():
    at = open_page(PAGE)
    assert chart(at, "search.scaling") is not None
    assert not errors(at)
    # before any run each lab shows something real: the whole space by cost; DARTS (V2)'s published cell
    for tab, button, view in (
        ("Evolution", "search.evo.go", "search.evo.space"),
        ("DARTS", "search.darts.go", "search.darts.published"),
    ):
        at = on_tab(PAGE, "search.tab", tab)
        assert not errors(at) and not at.exception
        assert at.button(key=button) is not None
        fig = chart(at, view)
        assert fig is not None, view
    space = chart(on_tab(PAGE, "search.tab", "Evolution"), "search.evo.space")
    assert sum(len(t["x"]) for t in space["data"]) == 128  # every architecture of the space


def _until(at, key: str, timeout: float = 120):
    deadline = time.time() + timeout
    while chart(at, key) is None and time.time() < deadline:
        time.sleep(0.5)
        at.run()
    return chart(at, key)


def test_zero_budget_and_bad_tournament_are_sentences():
    at = on_tab(PAGE, "search.tab", "Evolution", search__evo__budget=0)
    assert any("budget" in e for e in errors(at))
    at = on_tab(PAGE, "search.tab", "Evolution", search__evo__pop=3, search__evo__s=5)
    assert any("sample size" in e for e in errors(at))


def test_one_generation_draws_the_pareto_front():
    at = on_tab(PAGE, "search.tab", "Evolution", search__evo__budget=2, search__evo__steps=10)
    at.button(key="search.evo.go").click().run()
    fig = _until(at, "search.evo.pareto")
    assert fig is not None and not errors(at)
    assert {d["name"] for d in fig["data"]} >= {"random", "evolution"}


def test_a_darts_search_draws_alpha_and_the_derived_cell():
    at = on_tab(PAGE, "search.tab", "DARTS", search__darts__steps=10)
    at.button(key="search.darts.go").click().run()
    alpha = _until(at, "search.darts.alpha")
    assert alpha is not None and not errors(at)
    assert _until(at, "search.darts.graph") is not None
    assert any(" / " in c.value for c in at.code), "the genotype string is shown"
