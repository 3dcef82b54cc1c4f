"""The Reinforcement learning page under AppTest: every tab draws; the GridWorld learns the optimal
policy; the agent lab trains and its curve and slice follow; the watched episode is drawn frame by frame;
a learning rate that diverges ends the run with a sentence."""

from __future__ import annotations

import json
import re

from tests.apptest import app_test, errors, open_page, poll, progress


def _chart(at, key: str) -> dict | None:
    return next(
        (
            json.loads(c.proto.spec)
            for c in at.get("plotly_chart")
            if c.proto.id.endswith(key) or key in c.proto.id
        ),
        None,
    )


def test_page_draws_every_tab_with_formulas_the_untrained_views_and_an_episode():
    at = open_page("pages/rl.py", timeout=180)
    labels = {t.label for t in at.tabs}
    assert {"Idea", "GridWorld", "Agent", "Watch", "Compare", "Architectures", "Graph", "Summary"} <= labels
    assert len(at.latex) >= 8
    assert at.selectbox(key="rl.arch").value.name == "actor_critic"
    # untrained views: the GridWorld (learned and optimal), the agent's slice, the episode
    learned = _chart(at, "rl.g.train.view.learned")
    assert learned is not None and "cells optimal" in learned["layout"]["title"]["text"]
    assert _chart(at, "rl.g.train.view.optimal") is not None
    sl = _chart(at, "rl.a.train.view.slice")
    assert sl is not None and [t["type"] for t in sl["data"]] == ["heatmap", "heatmap"]
    ep = _chart(at, "rl.w.episode")
    assert ep is not None and any(t.get("name") == "P(push right)" for t in ep["data"])
    assert any("untrained" in m.value for m in at.markdown)


def test_gridworld_q_learning_finds_the_optimal_policy():
    at = app_test("pages/rl.py", timeout=180, every_tab=False)
    at.query_params["rl.tab"] = "GridWorld"
    at.run()
    at.button(key="rl.g.train.play").click().run()
    at = poll(at, lambda a: any(t.startswith("**done**") for t in progress(a)), timeout=120)
    title = _chart(at, "rl.g.train.view.learned")["layout"]["title"]["text"]
    agree, total = map(int, re.search(r"(\d+) of (\d+) cells optimal", title).groups())
    assert agree == total > 10, title
    curves = _chart(at, "rl.g.train.live.curves")
    assert any(t.get("name") == "return (smoothed)" for t in curves["data"])


def test_agent_steps_draw_the_return_curve_and_watch_follows_the_trained_network():
    at = app_test("pages/rl.py", timeout=180, every_tab=False)
    at.query_params["rl.tab"] = "Agent"
    at.run()
    at.button(key="rl.a.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    curves = _chart(at, "rl.a.train.live.curves")
    assert curves is not None and any(t.get("name") == "return (smoothed)" for t in curves["data"])
    assert any("solved: 475" in a.get("text", "") for a in curves["layout"]["annotations"])
    assert any("environment steps/s" in t for t in progress(at))
    at.query_params["rl.tab"] = "Watch"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("after 1 training steps" in m.value or "after 1 training step" in m.value for m in at.markdown)
    at.slider(key="rl.w.t").set_value(3).run()
    ep = _chart(at, "rl.w.episode")
    assert [s["x0"] for s in ep["layout"]["shapes"]] == [3, 3]
    assert len(at.get("image")) >= 1  # the rendered frame


def test_a_diverging_learning_rate_ends_the_run_with_a_sentence():
    at = app_test("pages/rl.py", timeout=180, every_tab=False)
    at.query_params["rl.tab"] = "Agent"
    at.session_state["rl.a.ppo_cartpole.lr"] = 10.0
    at.run()
    at.button(key="rl.a.train.play").click().run()
    at = poll(
        at,
        lambda a: any(t.startswith("**failed**") or t.startswith("**done**") for t in progress(a)),
        timeout=120,
    )
    assert any(t.startswith("**failed**") for t in progress(at)), progress(at)
    assert any("learning rate" in e for e in errors(at)), errors(at)


def test_compare_runs_the_chosen_algorithms_on_one_budget_and_draws_their_band():
    at = app_test("pages/rl.py", timeout=180, every_tab=False)
    at.query_params["rl.tab"] = "Compare"
    at.session_state["rl.c.algos"] = ["ppo", "reinforce"]
    at.session_state["rl.c.seeds"] = 1
    at.run()
    at.button(key="rl.c.train.play").click().run()
    at = poll(at, lambda a: any(t.startswith("**done**") for t in progress(a)), timeout=240)
    done = next(t for t in progress(at) if t.startswith("**done**"))
    assert "environment step" in done and "1,000,000,000" not in done, done
    fig = _chart(at, "rl.c.train.view.fig")
    names = {t.get("name") for t in fig["data"]}
    assert {"PPO (mean of 1 seed)", "REINFORCE (mean of 1 seed)"} <= names, names


def test_without_pygame_the_watch_tab_says_frames_are_unavailable_and_still_plots(monkeypatch):
    import ui.rl.watch

    monkeypatch.setattr(ui.rl.watch, "frames_available", lambda: False)
    at = app_test("pages/rl.py", timeout=180, every_tab=False)
    at.query_params["rl.tab"] = "Agent"
    at.run()
    at.query_params["rl.tab"] = "Watch"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Frames are unavailable" in i.value for i in at.info)
    assert not at.get("image") and _chart(at, "rl.w.episode") is not None


def test_pendulum_agent_shows_its_policy_over_angle_and_angular_velocity():
    at = app_test("pages/rl.py", timeout=180, every_tab=False)
    at.query_params["rl.tab"] = "Agent"
    at.session_state["rl.a.recipe"] = "ppo_pendulum"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    sl = _chart(at, "rl.a.train.view.slice")
    assert sl["layout"]["xaxis"]["title"]["text"] == "angle θ (0: upright)"
    assert sl["layout"]["annotations"][0]["text"] == "mean action"
