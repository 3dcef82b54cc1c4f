"""The Feedforward page: its widgets, the Playground training to completion, step and reset, bad
settings and a diverging run reported in the page, digits mode and the weights download."""

from __future__ import annotations

from tests.apptest import open_page, poll, progress


def test_feedforward_widgets_present():
    at = open_page("pages/feedforward.py")
    labels = [t.label for t in at.tabs]
    assert {"Idea", "Playground", "Architectures", "Graph", "Summary", "Train"} <= set(labels)
    assert at.selectbox(key="pg.data").value == "circle"
    assert at.button(key="pg.play").label == "Train"
    assert at.selectbox(key="ff.arch").value.name == "mlp"
    assert len(at.get("plotly_chart")) >= 2  # activation curves and the layer graph
    assert len(at.latex) >= 4


def test_playground_trains_to_completion_through_the_page():
    at = open_page("pages/feedforward.py")
    at.select_slider(key="pg.steps").set_value(500).run()
    at.button(key="pg.play").click().run()
    at = poll(at, lambda a: any(t.startswith("**done**") for t in progress(a)))
    assert not at.exception
    done = next(t for t in progress(at) if t.startswith("**done**"))
    assert "step 500 / 500" in done and "test accuracy" in done
    assert at.button(key="pg.play").label == "Train"
    charts = at.get("plotly_chart")
    assert len(charts) >= 5  # + curves, decision boundary, neuron maps


def test_playground_step_button_and_reset():
    at = open_page("pages/feedforward.py")
    at.selectbox(key="pg.nstep").set_value(10).run()
    at.button(key="pg.step").click().run()
    assert any("step 10 / 5,000" in t for t in progress(at))
    at.button(key="pg.step").click().run()
    assert any("step 20 / 5,000" in t for t in progress(at))
    at.slider(key="pg.noise").set_value(20).run()  # a changed setting resets the network
    assert not progress(at)


def test_impossible_configuration_shows_the_config_error():
    at = open_page("pages/feedforward.py")
    at.text_input(key="ff.mlp.tiny.hidden_dims").input("16, 0").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("hidden_dims (0) must be at least 1" in e for e in errors), errors
    at.text_input(key="ff.mlp.tiny.hidden_dims").input("16, x").run()
    assert any("whole numbers separated by commas" in e.value for e in at.error)


def test_diverging_run_fails_with_a_message_and_the_page_stays_usable():
    at = open_page("pages/feedforward.py")
    at.select_slider(key="ff.t.lr").set_value(1000.0).run()
    at.selectbox(key="ff.t.opt").set_value("sgd").run()
    at.button(key="ff.train.play").click().run()
    at = poll(at, lambda a: any("Training failed" in e.value for e in a.error))
    assert any("learning rate" in e.value for e in at.error)
    at.select_slider(key="ff.t.lr").set_value(1e-3).run()  # settings changed: a fresh run
    at.button(key="ff.train.step").click().run()
    assert not at.exception and not any("Training failed" in e.value for e in at.error)
    assert any("step 1 /" in t for t in progress(at))


def test_digits_mode_shows_confusion_matrix():
    at = open_page("pages/feedforward.py")
    at.segmented_control(key="pg.mode").set_value("Digits").run()
    at.selectbox(key="pg.digits.nstep").set_value(100).run()
    at.button(key="pg.digits.step").click().run()
    assert not at.exception
    assert any("step 100 /" in t for t in progress(at))
    assert any("Confusion matrix" in m.value for m in at.markdown)


def test_weights_download_after_training():
    at = open_page("pages/feedforward.py")
    at.selectbox(key="pg.nstep").set_value(10).run()
    at.button(key="pg.step").click().run()
    at.button(key="pg.save").click().run()
    assert not at.exception
    assert at.session_state["pg.blob"][:8]  # safetensors bytes ready for the download button


def test_a_layer_of_zero_neurons_is_refused_with_a_sentence():
    at = open_page("pages/feedforward.py")
    at.number_input(key="pg.w1").set_value(0).run()
    assert not at.exception
    assert any("Hidden layer 2 has no neurons" in e.value for e in at.error)
    at.button(key="pg.step").click().run()
    assert any("Cannot train this configuration" in e.value for e in at.error)
    assert not progress(at)


def test_a_run_that_learned_nothing_is_a_warning_not_a_success():
    at = open_page("pages/feedforward.py")
    at.slider(key="pg.layers").set_value(8).run()
    at.selectbox(key="pg.act").set_value("sigmoid").run()
    at.selectbox(key="pg.opt").set_value("sgd").run()
    at.select_slider(key="pg.lr").set_value(10.0).run()
    at.select_slider(key="pg.steps").set_value(500).run()
    at.selectbox(key="pg.nstep").set_value(100).run()
    for _ in range(5):
        at.button(key="pg.step").click().run()
    assert not at.exception
    assert not at.success, [s.value for s in at.success]
    text = " ".join(w.value for w in at.warning) + " ".join(e.value for e in at.error)
    assert "learning rate (10)" in text, text


def test_the_train_caption_names_what_the_data_overrides():
    at = open_page("pages/feedforward.py")
    caption = " ".join(c.value for c in at.caption)
    # the default experiment is the 2-D toy set; the default MLP form has 64 inputs and 10 classes
    assert "in_features = 2 (the form says 64), num_classes = 2 (the form says 10)" in caption, caption


def test_a_click_delivered_twice_does_not_undo_itself(monkeypatch):
    """Streamlit may run one click's callback twice (a rerun that replaces one in flight): the button's
    callback does what the button said (Pause or Train), so Pause twice stays paused and Train twice
    trains one job, where a toggle would have paused and restarted."""
    from types import SimpleNamespace

    import ui.train_panel as tp
    from training import get_recipe
    from ui.jobs import JobBoard

    board, fake_st = JobBoard(), SimpleNamespace(session_state={})
    monkeypatch.setattr(tp, "job_board", lambda: board)
    monkeypatch.setattr(tp, "st", fake_st)
    make = lambda: get_recipe("mlp_digits").trainer(num_steps=50_000)
    try:
        for _ in range(2):
            tp._on_play("k", "start")
        job = tp._grant_wish("k", None, make, "sig", 1)  # what the script then does, once
        assert tp._grant_wish("k", job, make, "sig", 1) is job  # no wish left: nothing more
        assert job.is_active and len(board.jobs) == 1
        for _ in range(2):
            tp._on_play("k", "pause")
        assert not job.is_active and job.state == "paused"
    finally:
        board.stop_all()


def test_train_and_pause_are_two_buttons_so_a_late_duplicate_click_cannot_turn_into_the_other():
    """Streamlit calls a re-delivered click's callback as the latest run registered it under the
    button's key. Train and Pause under one key made a late second Train a Pause (and a Pause a Train):
    each has its own key, and only the one that fits the job's state is drawn."""
    at = open_page("pages/feedforward.py")
    keys = lambda a: {b.key for b in a.button}  # noqa: E731
    assert "pg.play" in keys(at) and "pg.pause" not in keys(at)
    at.button(key="pg.play").click().run()
    try:
        assert "pg.pause" in keys(at) and "pg.play" not in keys(at)
        assert at.button(key="pg.pause").label == "Pause"
        at.button(key="pg.pause").click().run()
        assert "pg.play" in keys(at) and "pg.pause" not in keys(at)
        assert any(t.startswith("**paused**") for t in progress(at)), progress(at)
    finally:
        at.session_state["atlas.jobs"].stop_all()


def _chart_component(at, key: str) -> str | None:
    """The component an element with this key is drawn by ("" for Streamlit's own chart)."""

    def walk(node):
        proto = getattr(node, "proto", None)
        if isinstance(getattr(proto, "id", None), str) and proto.id.endswith(key):
            yield getattr(proto, "component_name", "") or ""
        children = getattr(node, "children", None) or {}
        for child in children.values() if isinstance(children, dict) else children:
            yield from walk(child)

    return next(walk(at.main), None)


def test_a_paused_runs_charts_stay_live_so_train_and_pause_do_not_mount_them_afresh():
    """A chart that changes between Streamlit's element and the live one is mounted afresh in the browser
    (0.8 s of its main thread on the Playground at each Train and Pause): once a run has started, its
    charts stay live while it is paused. A run trained by Step alone draws Streamlit's chart."""
    at = open_page("pages/feedforward.py")
    at.button(key="pg.step").click().run()
    assert _chart_component(at, "pg.live.curves") == ""
    at.button(key="pg.play").click().run()
    try:
        assert _chart_component(at, "pg.live.curves") == "archatlas_live_plot"
        at.button(key="pg.pause").click().run()
        assert any(t.startswith("**paused**") for t in progress(at)), progress(at)
        assert _chart_component(at, "pg.live.curves") == "archatlas_live_plot"
        assert not at.exception
    finally:
        at.session_state["atlas.jobs"].stop_all()


def test_a_setting_changed_with_the_click_trains_the_new_setting():
    """A widget changed in the same rerun as the click (typed, then Step pressed) counts: the run uses
    the new setting, it is not trained with the old one and then thrown away."""
    at = open_page("pages/feedforward.py")
    at.slider(key="pg.layers").set_value(3)  # no rerun in between: one request carries both
    at.selectbox(key="pg.nstep").set_value(10)
    at.button(key="pg.step").click().run()
    assert any("step 10 /" in p for p in progress(at)), progress(at)
    job = at.session_state["atlas.jobs"].get("pg")
    assert len(job.trainer.config.hidden_dims) == 3
