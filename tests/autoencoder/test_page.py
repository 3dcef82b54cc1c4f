"""The Autoencoders page under AppTest: every tab renders before and after training, the live views
show the trained model, and a projection asked of too few points is refused with a sentence."""

import pytest
from streamlit.testing.v1 import AppTest

import archs
from tests.apptest import app_test
from tests.conftest import ROOT

PAGE = str(ROOT / "pages/autoencoders.py")
TABS = [
    "Idea",
    "Graph",
    "Summary",
    "Train",
    "Latent space",
    "Reconstructions",
    "Anomaly detection",
    "AE vs PCA",
]


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _trained(arch: str | None = None) -> AppTest:
    at = _ok(app_test(PAGE, timeout=180).run())
    if arch is not None:
        at.selectbox(key="ae.arch").set_value(archs.get_arch(arch))
    at.button(key="ae.train.step").click().run()  # 10 steps: enough for every view to have a model
    return _ok(at)


def _markdown(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_page_tabs_formulas_and_views_of_a_trained_vae():
    at = _ok(app_test(PAGE, timeout=180).run())
    assert [t.label for t in at.tabs] == TABS
    assert len(at.latex) >= 5 and any("reparameterisation" in m.value for m in at.markdown)
    assert sum("Untrained vae" in i.value for i in at.info) == 4  # the four views show the untrained model
    at.selectbox(key="ae.train.nstep").set_value(100)
    at.button(key="ae.train.step").click().run()
    _ok(at)
    assert any("step 100 /" in p.proto.text for p in at.get("progress"))
    assert not any("Untrained" in i.value for i in at.info)
    charts = {c.proto.id for c in at.get("plotly_chart")}
    assert len(charts) >= 12  # graph, curves, scatter, decoded, manifold, interpolation, prior, ...
    text = _markdown(at)
    for part in ("Decode a place", "decoded manifold", "Interpolation", "Samples from the prior", "Input"):
        assert part in text, part
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["noise detected"].endswith("%") and "PCA, 2 components" in metrics
    assert at.selectbox(key="ae.l.proj").value == "latent"  # a 2-D latent is drawn as itself
    # a click (or typed coordinates) decodes that place
    at.number_input(key="ae.l.x").set_value(1.5).run()
    _ok(at)
    # bad input: t-SNE of 5 points
    at.number_input(key="ae.l.n").set_value(5)
    at.selectbox(key="ae.l.proj").set_value("tsne").run()
    _ok(at)
    assert any("t-SNE needs at least 10 points" in e.value for e in at.error)


@pytest.mark.parametrize("arch", ["denoising_autoencoder", "sparse_autoencoder", "vq_vae", "conditional_vae"])
def test_every_view_renders_for_the_other_architectures(arch):
    at = _trained(arch)
    assert any("step 10 /" in p.proto.text for p in at.get("progress"))
    text = _markdown(at)
    if arch == "denoising_autoencoder":
        assert "Denoising" in text and at.slider(key="ae.r.level").value == 0.3
    if arch == "sparse_autoencoder":
        assert "Code activations" in text
    if arch == "vq_vae":
        assert at.selectbox(key="ae.l.proj").value == "pca"  # a 128-number code must be projected
    if arch == "conditional_vae":
        assert "as digit 0" in text
    assert any(m.label.startswith("Autoencoder, code of") for m in at.metric)
