"""The Autoencoders page before training and with the demo model: the four views of the model draw the
untrained VAE (not an empty box), and "Load the demo model" fills them with the trained VAE at once."""

from streamlit.testing.v1 import AppTest

import archs
from tests.apptest import errors, open_page, progress


def _charts(at: AppTest) -> set[str]:
    return {c.proto.id for c in at.get("plotly_chart")}


def test_untrained_views_then_the_demo_fills_them_without_training():
    at = open_page("pages/autoencoders.py", timeout=240)
    untrained = [i.value for i in at.info if i.value.startswith("**Untrained vae**")]
    assert len(untrained) == 4  # latent space, reconstructions, anomaly detection, AE vs PCA
    before = _charts(at)
    assert len(before) >= 12  # graph, reconstructions of the data, scatter, manifold, prior, ...
    text = " ".join(m.value for m in at.markdown)
    assert "decoded manifold" in text and "Samples from the prior" in text
    assert any("as initialised (untrained)" in c.value for c in at.caption)
    # the user changed the settings: the demo sets them back to its own
    at.selectbox(key="ae.arch").set_value(archs.get_arch("autoencoder")).run()
    at.select_slider(key="ae.t.lr").set_value(0.01).run()
    at.button(key="ae.train.demo_btn.latent").click().run()  # the button on the Latent space tab
    assert not at.exception and not errors(at)
    assert at.selectbox(key="ae.arch").value.name == "vae" and at.select_slider(key="ae.t.lr").value == 0.002
    assert progress(at) == [progress(at)[0]] and "done** · step 2,000 / 2,000" in progress(at)[0]
    assert not any("Untrained" in i.value for i in at.info)
    assert sum("The demo model: **vae** at step 2,000" in c.value for c in at.caption) == 4
    assert len(_charts(at)) >= len(before)
    assert at.selectbox(key="ae.l.proj").value == "latent"
    assert any(m.label.startswith("Autoencoder, code of 2") for m in at.metric)
    # a rerun keeps it: the panel's signature is the one the demo's settings give
    at.run()
    assert "done** · step 2,000 / 2,000" in progress(at)[0]
