"""The diffusion page under AppTest: every tab renders, training and sampling work, bad input is refused."""

import pytest

from tests.apptest import app_test, errors
from tests.conftest import ROOT

PAGE = str(ROOT / "pages/diffusion.py")


@pytest.fixture(scope="module")
def at():
    app = app_test(PAGE, timeout=240)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_every_tab_renders(at):
    labels = [t.label for t in at.tabs]
    assert {
        "Idea",
        "Forward process",
        "2-D lab",
        "Digits",
        "Text to image",
        "Architectures",
        "Graph",
        "Summary",
    } <= set(labels)
    assert len(at.latex) >= 6
    assert len(at.get("plotly_chart")) >= 4  # schedules ×2, the scrubbed digits and marginal, the layer graph
    assert at.selectbox(key="dif.arch").value.name == "ddpm_mlp"
    assert not errors(at)


def test_scrubber_moves_and_switches_to_points(at):
    at.slider(key="dif.scr.t").set_value(900).run()
    assert any(r"$\bar\alpha_t$ = **0.0" in m.value for m in at.markdown)
    at.radio(key="dif.scr.what").set_value("point cloud").run()
    at.radio(key="dif.scr.sched").set_value("cosine").run()
    assert not at.exception


def test_sampling_steps_out_of_range_are_explained(at):
    at.number_input(key="dif.dg.nsamp").set_value(0).run()
    assert any("at least 1 step" in e for e in errors(at))
    at.number_input(key="dif.dg.nsamp").set_value(5000).run()
    assert any("more than the 1000 diffusion steps" in e for e in errors(at))
    at.number_input(key="dif.dg.nsamp").set_value(5).run()
    assert not errors(at)


def test_captions_empty_or_unknown_are_explained(at):
    at.text_input(key="dif.tx.caption").input("").run()
    assert any("caption is empty" in e for e in errors(at))
    at.text_input(key="dif.tx.caption").input("a red dragon").run()
    assert any("Unknown word 'dragon'" in e for e in errors(at))
    at.text_input(key="dif.tx.caption").input("a blue ring at the bottom").run()
    assert not errors(at)


def test_digits_step_then_sample_shows_the_trajectory(at):
    at.button(key="dif.dg.sample").click().run()  # before training: the untrained network's samples
    assert any("of the **untrained** network" in c.value for c in at.caption)
    at.selectbox(key="dif.dg.train.nstep").set_value(10).run()
    at.button(key="dif.dg.train.step").click().run()
    assert any("step 10 /" in p.proto.text for p in at.get("progress"))
    assert any("20 samples of the model at step 10" in c.value for c in at.caption)  # drawn again by itself
    at.number_input(key="dif.dg.nsamp").set_value(4).run()
    at.button(key="dif.dg.sample").click().run()
    assert not at.exception
    assert at.slider(key="dif.dg.traj").value == 4  # x_T, three intermediate steps, x_0
    at.slider(key="dif.dg.traj").set_value(1).run()
    assert any("step 1 of 4" in c.value for c in at.caption)


def test_2d_lab_steps_and_draws_the_field(at):
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("untrained −ε̂" in s for s in specs)  # the untrained field and samples, before training
    before = len(specs)
    at.button(key="dif.2d.train.step").click().run()
    assert any("step 1 /" in p.proto.text for p in at.get("progress"))
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(specs) >= before + 1  # the curves join the noise field and the samples
    assert any("−ε̂(x, t=" in s and "untrained" not in s for s in specs)


def test_text_to_image_generates_with_attention_maps(at):
    at.button(key="dif.tx.train.step").click().run()
    at.number_input(key="dif.tx.nsamp").set_value(3).run()
    at.button(key="dif.tx.go").click().run()
    assert not at.exception and not errors(at)
    assert any("where each word is looked at" in m.value for m in at.markdown)
