"""Architecture search's claims: regularised evolution finds an architecture better than the median random
sample at the same budget (same seed, same first samples); aging retires the oldest model; the Pareto front
keeps exactly the undominated points; a zero budget or a bad tournament is a sentence; the figures draw."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from archs.spec import ConfigError
from training import nas
from training.recipes import get_recipe
from viz import search as vs

torch.set_num_threads(1)
BUDGET = 12
# one worker runs the module, so the two searches (about 50 s) are made once, not once per worker
pytestmark = pytest.mark.xdist_group("nas")


@pytest.fixture(scope="module")
def runs():
    return {s: nas.run_search(s, BUDGET, seed=0) for s in ("random", "evolution")}


def test_evolution_beats_the_median_random_sample(runs):
    rand = np.array([s["val_acc"] for s in runs["random"]])
    evo = np.array([s["val_acc"] for s in runs["evolution"]])
    assert len(rand) == len(evo) == BUDGET
    # stated claim, with a margin: the best evolved model beats the median random sample by >= 10 points
    assert evo.max() >= np.median(rand) + 0.10, (evo.round(2), rand.round(2))
    # and the children (after the first P random samples) are better on average than random samples
    kids = evo[6:]
    assert kids.mean() > np.median(rand), (kids.round(2), np.median(rand))
    assert {s["origin"] for s in runs["evolution"][6:]} == {"mutation"}


def test_samples_carry_size_and_cost(runs):
    s = runs["random"][0]
    assert s["params"] > 0 and s["madds"] > s["params"] / 10 and 0 <= s["test_acc"] <= 1
    m = nas.build(tuple(s["genome"]))
    assert sum(p.numel() for p in m.parameters()) == s["params"]


def test_mutation_changes_exactly_one_gene_and_stays_in_the_space():
    rng = random.Random(0)
    for _ in range(50):
        g = nas.random_genome(rng)
        c = nas.mutate(g, rng)
        assert sum(a != b for a, b in zip(g, c, strict=True)) == 1
        assert all(v in choices for v, choices in zip(c, nas.SPACE.values(), strict=True))


def test_pareto_front_keeps_the_undominated_points():
    acc = np.array([0.5, 0.9, 0.8, 0.95, 0.7])
    cost = np.array([10, 100, 50, 400, 60])  # 0.7 @ 60 is beaten by 0.8 @ 50
    assert nas.pareto_front(acc, cost).tolist() == [0, 2, 1, 3]


def test_bad_searches_are_sentences():
    r = get_recipe("nas_evolution_digits")
    with pytest.raises(ConfigError, match="budget"):
        r.trainer(num_steps=0)
    with pytest.raises(ConfigError, match="sample size"):
        r.trainer(population=4, sample_size=5)


def test_search_figures(runs):
    fig = vs.pareto_figure(runs, "madds")
    assert len(fig.data) == 4 and fig.layout.xaxis.type == "log"
    assert len(vs.best_so_far_figure(runs).data) == 4
    assert len(vs.scaling_figure().data) == 4
