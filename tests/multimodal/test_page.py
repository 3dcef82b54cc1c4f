"""The Multimodal page under AppTest: every tab draws; the CLIP lab shows the similarity matrix of the
untrained model and, after ten steps, a changed matrix, the temperature and the curves; the Zero-shot &
retrieval tab says how to get a model, ranks images for a prompt and captions for an image, and answers an
empty prompt or an unknown word with a sentence."""

from __future__ import annotations

import numpy as np

from tests.apptest import chart, errors, on_tab, open_page, plotly_values

TABS = ["Idea", "CLIP", "Zero-shot & retrieval", "DALL-E", "Architectures"]
PAGE = "pages/multimodal.py"


def _tab(tab: str, **state):
    return on_tab(PAGE, "multimodal.tab", tab, timeout=240, **state)


def _sim(at) -> np.ndarray:
    fig = chart(at, "multimodal.clip.train.view.sim")
    assert fig is not None and [d["type"] for d in fig["data"]] == ["image", "heatmap"]
    return plotly_values(fig["data"][1]["z"])


def test_page_draws_every_tab_with_the_loss_and_the_untrained_similarity_matrix():
    at = open_page(PAGE, timeout=300)
    assert set(TABS) | {"Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 2
    assert at.selectbox(key="multimodal.arch").value.name == "clip_vit_b_32"
    sim = _sim(at)
    assert sim.shape == (8, 8) and np.abs(sim).max() <= 1.0 + 1e-6
    assert not errors(at)


def test_each_tab_draws_alone_and_retrieval_says_how_to_get_a_model():
    for tab in TABS:
        at = _tab(tab)
        if tab == "Zero-shot & retrieval":
            assert any("press **Train**" in i.value for i in at.info), [i.value for i in at.info]


def test_ten_steps_change_the_matrix_and_the_model_ranks_images_and_captions():
    at = _tab("CLIP")
    before = _sim(at)
    at.selectbox(key="multimodal.clip.train.nstep").set_value(10).run()
    at.button(key="multimodal.clip.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not np.allclose(_sim(at), before)
    assert chart(at, "multimodal.clip.train.view.temp") is not None
    names = {t.get("name") for t in chart(at, "multimodal.clip.train.live.curves")["data"]}
    assert "train loss" in names
    at.query_params["multimodal.tab"] = "Zero-shot & retrieval"
    at.session_state["multimodal.tab"] = "Zero-shot & retrieval"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert chart(at, "multimodal.zs.t2i")["data"][0]["type"] == "image"
    bars = chart(at, "multimodal.zs.i2t")["data"][0]
    cos = plotly_values(bars["x"])
    assert len(cos) == 6 and np.all(np.diff(cos) <= 1e-9)  # best first
    at.text_input(key="multimodal.zs.prompt").set_value("").run()
    assert any("empty" in e for e in errors(at)), errors(at)
    at.text_input(key="multimodal.zs.prompt").set_value("a photo of a dog").run()
    assert any("Unknown words 'photo', 'of', 'dog'" in e for e in errors(at)), errors(at)
    assert not at.exception
