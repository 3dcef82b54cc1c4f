"""The Architecture search page renders every tab; one search generation of each strategy runs as a queued
job and the Pareto chart appears; a zero budget and a bad tournament are sentences, not tracebacks."""

from __future__ import annotations

import time

from tests.apptest import chart, errors, on_tab, open_page

PAGE = "pages/search.py"


def test_page_renders_every_tab():
    at = open_page(PAGE)
    assert chart(at, "search.scaling") is not None
    assert not errors(at)


def test_zero_budget_and_bad_tournament_are_sentences():
    at = on_tab(PAGE, "search.tab", "Evolution", search__evo__budget=0)
    assert any("budget" in e for e in errors(at))
    at = on_tab(PAGE, "search.tab", "Evolution", search__evo__pop=3, search__evo__s=5)
    assert any("sample size" in e for e in errors(at))


def test_one_generation_draws_the_pareto_front():
    at = on_tab(PAGE, "search.tab", "Evolution", search__evo__budget=2, search__evo__steps=10)
    at.button(key="search.evo.go").click().run()
    deadline = time.time() + 120
    while chart(at, "search.evo.pareto") is None and time.time() < deadline:
        time.sleep(0.5)
        at.run()
    fig = chart(at, "search.evo.pareto")
    assert fig is not None and not errors(at)
    assert {d["name"] for d in fig["data"]} >= {"random", "evolution"}
