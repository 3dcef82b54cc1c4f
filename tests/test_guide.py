"""The Selection guide: its rows are the seeds' eleven tasks, every pick names a registered architecture (or
says it is missing and names the nearest), constraints filter by the registry's own counts, and the page
renders, filters and links each architecture to its page with it picked. Also the home's Key
considerations."""

import re

import pytest

import archs
from data.selection_guide import DEVICES, GUIDE, TASKS, Pick, fits, row_for
from tests.apptest import app_test, errors, open_page
from tests.conftest import ROOT
from ui.guide import PICKERS, arch_query

SEED_TASKS = {  # the seeds' "Architecture Selection Guide" table
    "Image classification",
    "Object detection",
    "Instance segmentation",
    "Semantic segmentation",
    "Text classification",
    "Text generation",
    "Machine translation",
    "Question answering",
    "Image generation",
    "Time-series forecasting",
    "Speech recognition",
}


def test_every_seed_task_is_a_row_and_every_pick_resolves():
    assert set(TASKS) == SEED_TASKS and len(TASKS) == len(GUIDE)
    for row in GUIDE:
        assert row.picks and row.note
        for p in row.picks:
            assert (p.arch is None) != (p.closest is None), p.label  # missing <=> a nearest design named
            archs.get_arch(p.arch or p.closest)  # raises for an unknown name
            assert len(p.reason) > 40, p.label
    missing = {p.label for r in GUIDE for p in r.picks if p.arch is None}
    assert missing == {"mBART", "MarianMT"}


def test_fits_reads_data_latency_and_the_registry_counts():
    vit = next(p for p in row_for("Image classification").picks if p.label == "ViT")
    assert fits(vit, "medium", "any", "cluster")[0] is False  # needs large data
    assert fits(vit, "large", "any", "cluster")[0] is True
    slow = Pick("x", "faster_rcnn", "…")
    assert fits(slow, "large", "realtime", "cluster") == (False, "too slow for real time")
    # the device limit comes from the counts: GPT-3 fits no single GPU, EfficientNet-B0 fits a phone
    ok, why = fits(
        Pick("GPT-3", "gpt3", "…"), "small", "any", "gpu", {"params": 174_604_259_328, "mult_adds": 1}
    )
    assert not ok and "174,604 M parameters" in why
    assert fits(
        Pick("e", "efficientnet_b0", "…"),
        "small",
        "any",
        "cpu",
        {"params": 5_288_548, "mult_adds": 385_814_752},
    )[0]
    assert (
        DEVICES["cpu"].why_not(31_030_658, 150_428_424_448).startswith("150 G mult-adds")
    )  # U-Net at 572 px
    assert "check that it fits" in fits(Pick("w", None, "…", closest="transformer"), "small", "any", "cpu")[1]


def test_deep_links_match_the_pages_pickers():
    """PICKERS names, per family, the key of its page's arch_picker and the tab that holds it: checked
    against the pages' source, so a renamed key fails here rather than a link going nowhere."""
    for fam in archs.FAMILIES:
        key, tab = PICKERS[fam]
        page = next(
            p for p in (ROOT / "pages").glob("*.py") if f'arch_picker("{fam}", key="{key}"' in p.read_text()
        )
        if tab:
            src = page.read_text()
            assert f'key="{tab}"' in src and '"Architectures"' in src, (fam, page)
    q = arch_query(archs.get_arch("resnet50"))
    assert q == {"cnn.arch": "ResNet-50 (2015)", "cnn.tab": "Architectures"}


def test_the_guide_page_filters_and_links():
    at = open_page("pages/guide.py")
    df = at.dataframe[0].value
    assert list(df["pick"]) == ["EfficientNet", "ResNet"]  # medium data: ViT left out, with the reason
    assert df.loc[df["pick"] == "ResNet", "params"].item() == "25.56 M"  # the registry's canonical count
    text = " ".join(m.value for m in at.markdown)
    assert "ViT: needs more labelled data" in text
    assert "(/cnn?cnn.arch=ResNet-50+%282015%29&cnn.tab=Architectures)" in text
    # real time on a CPU for detection: YOLOv8n stays, Faster R-CNN is refused with its reason
    at.selectbox(key="guide.task").set_value("Object detection")
    at.selectbox(key="guide.latency").set_value("realtime")
    at.selectbox(key="guide.device").set_value("cpu").run()
    assert not at.exception and not errors(at)
    assert list(at.dataframe[0].value["pick"]) == ["YOLOv8"]
    assert "Faster R-CNN: too slow for real time" in " ".join(m.value for m in at.markdown)
    # a pick the atlas lacks says so and points at the nearest design
    at.selectbox(key="guide.task").set_value("Machine translation")
    at.selectbox(key="guide.latency").set_value("any").run()
    df = at.dataframe[0].value
    assert set(df["atlas"]) == {"— not in the atlas yet"}
    reasons = " ".join(m.value for m in at.markdown if m.value.startswith("- **"))
    assert "closest here" in reasons
    assert any("MarianMT is not in the atlas yet" in c.value for c in at.caption)
    # speech recognition: Wav2Vec 2.0 and Whisper are pages of the atlas now
    at.selectbox(key="guide.task").set_value("Speech recognition").run()
    shown = set(at.dataframe[0].value["atlas"])
    assert "Wav2Vec 2.0 (base)" in shown and "— not in the atlas yet" not in shown, shown


def test_nothing_fits_is_a_sentence():
    at = app_test("pages/guide.py")
    at.session_state["guide.task"] = "Image generation"
    at.session_state["guide.data"] = "small"
    at.run()
    assert not at.exception
    assert any("relax one" in w.value for w in at.warning)


def test_home_key_considerations_are_sourced_and_use_the_registry():
    at = open_page("pages/home.py")
    assert any(s.value == "Key considerations" for s in at.subheader)
    text = " ".join(m.value for m in at.markdown)
    for head in ("Data requirements", "Compute", "Interpretability", "Ethics"):
        assert f"**{head}.**" in text
    assert "174,604,259,328" in text  # GPT-3's count, from the registry
    assert "deepfakes" in text and "34.7 %" in text
    assert len(re.findall(r"\[[A-Z][^\]]+ \d{4}\]", text)) >= 10  # sources in brackets
    assert "(/cnn?cnn.tab=Architectures&cnn.view=Internals)" in text
    assert "(/transformers?tx.tab=Architectures&tx.view=Attention)" in text


@pytest.mark.parametrize("task", sorted(SEED_TASKS))
def test_every_task_renders(task):
    at = app_test("pages/guide.py")
    at.session_state["guide.task"] = task
    at.session_state["guide.device"] = "cluster"
    at.session_state["guide.data"] = "large"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.dataframe[0].value) == len(row_for(task).picks)  # all fit with a cluster and much data
