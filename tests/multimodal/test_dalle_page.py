"""The DALL-E lab under AppTest (a small script that calls ``dalle_tab()``): the untrained model's views
and samples draw; an empty or unknown-word caption answers with a sentence; steps past the tokenizer
stage draw samples for the fixed captions and the token-by-token fill."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.apptest import chart, errors, poll, progress


def _script():
    import torch

    from ui.boot import ensure_app

    torch.set_num_threads(1)
    ensure_app()
    from ui.multimodal.dalle import dalle_tab

    dalle_tab()


def _app(**state) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=180)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_untrained_lab_draws_reconstructions_codes_and_a_drawing():
    at = _app()
    assert chart(at, "multimodal.dalle.train.view.recon") is not None
    usage = chart(at, "multimodal.dalle.train.view.usage")
    assert usage is not None and "codes used" in usage["layout"]["title"]["text"]
    assert chart(at, "multimodal.dalle.imgs") is not None  # the untrained model draws noise codes
    grid = chart(at, "multimodal.dalle.grid")
    assert grid is not None and grid["data"][0]["type"] == "heatmap"
    assert not errors(at)


def test_empty_and_unknown_captions_answer_with_a_sentence():
    at = _app(**{"multimodal.dalle.caption": ""})
    assert any("caption is empty" in e for e in errors(at)), errors(at)
    assert chart(at, "multimodal.dalle.imgs") is None
    at.text_input(key="multimodal.dalle.caption").set_value("a red dragon").run()
    assert any("Unknown word 'dragon'" in e for e in errors(at)), errors(at)


def test_steps_past_the_tokenizer_stage_draw_samples_for_fixed_captions():
    at = _app(**{"multimodal.dalle.steps": 300})
    assert chart(at, "multimodal.dalle.train.view.samples") is None  # stage 1: no transformer yet
    at.selectbox(key="multimodal.dalle.train.nstep").set_value(100).run()
    at.button(key="multimodal.dalle.train.step").click().run()
    poll(at, lambda a: any("step 100 /" in p for p in progress(a)), timeout=150)
    at.button(key="multimodal.dalle.train.step").click().run()  # 200 steps: past the tokenizer's 180
    poll(at, lambda a: chart(a, "multimodal.dalle.train.view.samples") is not None, timeout=150)
    samples = chart(at, "multimodal.dalle.train.view.samples")
    assert samples is not None and len(samples["layout"]["annotations"]) == 6
