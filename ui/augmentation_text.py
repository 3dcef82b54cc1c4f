"""The augmentation page's text labs: EDA's four operations and a rule-based paraphrase shown on a sentence,
and their effect on Kim's text CNN (the recipe ``text_cnn_sentiment``) trained on few generated reviews."""

from __future__ import annotations

import streamlit as st

from data.text_augment import MAX_CHARS, TEXT_OPS, augment_text
from ui import state
from ui.augmentation import compared_runs
from ui.keys import child

KEY = "aug.text"
EXAMPLE = "The film was not good, I hated the acting and the story was very bad."
SETTINGS = {
    "none": (),
    "synonyms": ("synonym",),
    "EDA (all four)": ("synonym", "insert", "swap", "delete"),
    "paraphrase": ("paraphrase",),
}


def _strength(where, key: str) -> float:
    return float(
        where.slider(
            "Strength α",
            0.0,
            0.5,
            0.1,
            0.05,
            key=key,
            help="EDA's α: the fraction of the words each operation changes (deletion: the chance "
            "that each word is dropped).",
        )
    )


def text_lab() -> None:
    st.markdown(
        "EDA (Wei & Zou, 2019) makes new training sentences with four cheap edits: **synonym** replacement "
        "(here from a small table shipped with the atlas), random **insertion** of a synonym, random "
        "**swap** "
        "and random **deletion**. **Back-translation** (Sennrich et al., 2016) translates a sentence into "
        "another language and back. It needs a trained translator, and the atlas has none for English (its "
        "sequence-to-sequence models convert dates and reverse strings), so the last option is a "
        "**rule-based paraphrase** from a hand-written phrase table: a stand-in that makes the kind of "
        "change "
        "a round trip makes, not back-translation."
    )
    text = st.text_area(
        "Sentence",
        EXAMPLE,
        key=child(KEY, "text"),
        max_chars=None,
        help=f"Any English text up to {MAX_CHARS:,} characters.",
    )
    c = st.columns([3, 1, 1])
    ops = c[0].multiselect(
        "Operations",
        list(TEXT_OPS),
        default=["synonym"],
        key=child(KEY, "ops"),
        help=" · ".join(f"{k}: {v}" for k, v in TEXT_OPS.items()),
    )
    alpha = _strength(c[1], child(KEY, "alpha"))
    n = int(c[2].number_input("Versions", 1, 10, 5, key=child(KEY, "n"), help="Augmented versions to draw."))
    try:
        versions = [augment_text(text, tuple(ops), alpha, seed=state.seed() * 100 + i) for i in range(n)]
    except ValueError as e:
        st.error(str(e))
        return
    st.markdown("\n".join(f"{i + 1}. {v}" for i, v in enumerate(versions)))
    with st.expander("What each operation does"):
        st.markdown("\n".join(f"- **{k}**: {v}" for k, v in TEXT_OPS.items()))


def text_experiment() -> None:
    st.markdown(
        "Kim's text CNN reads generated film reviews and says positive or negative. The reviews use rare "
        'synonyms and negations ("the story was not bad"); with few training reviews, many test words were '
        "never seen. Each setting trains on the same reviews plus 4 augmented copies of each. With 200 "
        "reviews the network is right on over 98 % of the test reviews; with 30 the effect of augmentation "
        "is small and depends on the seed (measured: synonyms +4.4 and −3.0 points for seeds 0 and 1)."
    )
    c = st.columns([3, 1, 1, 1])
    setting = c[0].radio("Augmentation", list(SETTINGS), horizontal=True, key=child(KEY, "setting"))
    n_train = int(c[1].number_input("Training reviews", 10, 2000, 30, key=child(KEY, "ntrain")))
    alpha = _strength(c[2], child(KEY, "exp_alpha"))
    if c[3].button("Clear the chart", key=child(KEY, "clear"), icon=":material/delete_sweep:"):
        st.session_state.pop(child(KEY, "runs"), None)
    s = dict(
        augmentations=SETTINGS[setting],
        strength=alpha,
        n_train=n_train,
        num_steps=200,
        seed=state.seed(),
        device=state.device(),
    )
    compared_runs(KEY, "text_cnn_sentiment", setting, s, step_sizes=(10, 50, 200))
