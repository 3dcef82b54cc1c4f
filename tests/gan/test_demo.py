"""The GANs page's image labs before training and with the demo models: before any step they draw the
data and the untrained generator's samples; "Load the demo model" fills the sample grid (with a slider
back through the demo run's snapshots), its curves and the translations, without training."""

from streamlit.testing.v1 import AppTest

from tests.apptest import errors, open_page, progress


def _specs(at: AppTest) -> list[str]:
    return [c.proto.spec for c in at.get("plotly_chart")]


def test_image_labs_untrained_then_the_demos_fill_them_without_training():
    at = open_page("pages/gans.py", timeout=300)
    text = " ".join(m.value for m in at.markdown)
    assert "**Real images** from the training data" in text and "untrained generator" in text
    assert "**Before training**" in text  # image-to-image: inputs, targets, the untrained translation
    n_before = len(_specs(at))
    assert not progress(at)  # nothing trained: no job, yet the grids are drawn

    at.selectbox(key="gan.img.arch").set_value("wgan").run()
    at.select_slider(key="gan.img.steps").set_value(500).run()
    at.button(key="gan.img.train.demo_btn").click().run()
    assert not at.exception and not errors(at)
    assert at.selectbox(key="gan.img.arch").value == "dcgan"
    assert at.select_slider(key="gan.img.steps").value == 1500
    assert any("done** · step 1,500 / 1,500" in p for p in progress(at))
    assert at.slider(key="gan.img.snap.16").value == 15  # 16 snapshots of the fixed batch: 0, 100, ... 1,500
    assert any("after step 1,500 (snapshot 16 of 16)" in c.value for c in at.caption)
    assert any('"D loss"' in s for s in _specs(at))  # the demo run's curves

    at.selectbox(key="gan.i2i.arch").set_value("cyclegan").run()
    at.button(key="gan.i2i.train.demo_btn").click().run()
    assert not at.exception and not errors(at)
    assert at.selectbox(key="gan.i2i.arch").value == "pix2pix"
    assert sum("done** · step" in p for p in progress(at)) == 2
    assert any("after step 1,000" in c.value for c in at.caption)
    assert len(_specs(at)) >= n_before
