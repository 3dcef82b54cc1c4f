"""The Self-supervised learning page under AppTest: every tab draws; bad settings (τ ≤ 0, a batch of one, an
EMA rate outside [0, 1]) answer with a sentence; a training step moves the embeddings and draws the curves;
the NT-Xent explorer reads the Train tab's encoder; the collapse chart keeps every variant's run; the MAE
view follows its mask-ratio slider."""

from __future__ import annotations

from tests.apptest import chart, errors, on_tab, open_page

TABS = ["Idea", "Augmentations", "NT-Xent", "Train", "Collapse", "MAE", "Architectures"]


def _tab(tab: str, **state):
    return on_tab("pages/ssl.py", "ssl.tab", tab, timeout=180, **state)


def test_page_draws_every_tab_with_formulas_pairs_similarities_and_the_untrained_views():
    at = open_page("pages/ssl.py", timeout=240)
    assert set(TABS) | {"Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 5
    assert at.selectbox(key="ssl.arch").value.name == "simclr"
    assert chart(at, "ssl.aug.pairs")["data"][0]["type"] == "image"
    sim = chart(at, "ssl.nt.sim")
    assert sim["data"][0]["type"] == "heatmap" and sim["data"][1]["name"] == "positive pair"
    for key in ("ssl.t.train.view.emb", "ssl.col.train.view.emb"):
        emb = chart(at, key)
        assert emb is not None and "untrained encoder" in emb["layout"]["title"]["text"], key
    assert "untrained" in chart(at, "ssl.mae.train.view.recon")["layout"]["title"]["text"]


def test_each_tab_draws_alone():
    for tab in TABS:
        _tab(tab)


def test_bad_settings_answer_with_a_sentence_never_a_traceback():
    at = _tab("NT-Xent", ssl__nt__tau=0.0)
    assert any("temperature" in e for e in errors(at)), errors(at)
    at = _tab("NT-Xent", ssl__nt__n=1)
    assert any("batch of one" in e for e in errors(at)), errors(at)
    at = _tab("Train", ssl__t__method="SimCLR", ssl__t__tau=-0.5)
    assert any("temperature" in e for e in errors(at)), errors(at)
    at = _tab("Train", ssl__t__method="BYOL", ssl__t__ema=1.5)
    assert any("EMA rate" in e for e in errors(at)), errors(at)
    assert not [b for b in at.button if b.key == "ssl.t.train.play"]  # no run offered for these settings


def test_a_simclr_step_moves_the_embeddings_and_the_explorer_reads_the_trained_encoder():
    at = _tab("Train", ssl__t__method="SimCLR")
    before = chart(at, "ssl.t.train.view.emb")
    at.selectbox(key="ssl.t.train.nstep").set_value(10).run()
    at.button(key="ssl.t.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = chart(at, "ssl.t.train.view.emb")
    assert "step 10" in after["layout"]["title"]["text"]
    assert after["data"][0]["x"] != before["data"][0]["x"]
    curves = chart(at, "ssl.t.train.live.curves")
    assert {"loss", "alignment", "spread"} <= {t.get("name") for t in curves["data"]}
    at.query_params["ssl.tab"] = "NT-Xent"
    at.session_state["ssl.nt.emb"] = "the Train tab's encoder"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert chart(at, "ssl.nt.sim") is not None and not at.info


def test_the_collapse_chart_keeps_each_variants_run():
    at = _tab("Collapse", ssl__col__variant="BYOL (predictor and stop-gradient)")
    at.button(key="ssl.col.train.step").click().run()
    at.radio(key="ssl.col.variant").set_value("without the stop-gradient").run()
    at.button(key="ssl.col.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    names = [t["name"] for t in chart(at, "ssl.col.train.view.spread")["data"]]
    assert names == ["BYOL (predictor and stop-gradient)", "without the stop-gradient"], names


def test_mae_reconstructions_follow_the_mask_ratio_shown():
    at = _tab("MAE")
    at.button(key="ssl.mae.train.step").click().run()
    title = chart(at, "ssl.mae.train.view.recon")["layout"]["title"]["text"]
    assert title.startswith("75%") and "after 1 step" in title, title
    at.select_slider(key="ssl.mae.ratio").set_value(0.25).run()
    assert not at.exception, [e.value for e in at.exception]
    assert chart(at, "ssl.mae.train.view.recon")["layout"]["title"]["text"].startswith("25%")


def test_measure_the_baselines_sets_the_probe_beside_raw_pixels_an_untrained_and_a_supervised_encoder(
    monkeypatch,
):
    import training.ssl.trainers
    import ui.ssl.views

    fake = {"raw_pixels": 0.35, "random_init": 0.31, "supervised": 0.99}  # the real ones train for a minute
    monkeypatch.setattr(training.ssl.trainers, "baselines", lambda *a, **k: dict(fake))
    at = _tab("Train", ssl__t__method="BYOL")
    try:
        at.button(key="ssl.t.train.view.base_btn").click().run()
    finally:
        ui.ssl.views._baselines.clear()  # a cached fake must not outlive this test
    assert not at.exception, [e.value for e in at.exception]
    bars = chart(at, "ssl.t.train.view.probe")["data"][0]
    assert dict(zip(bars["y"], bars["x"], strict=True)) == {
        "raw pixels": 0.35,
        "untrained encoder": 0.31,
        "supervised encoder": 0.99,
    }
    assert not [b for b in at.button if b.key == "ssl.t.train.view.base_btn"]  # measured once per setting
