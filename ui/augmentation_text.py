"""The augmentation page's text labs: EDA's four operations and back-translation (through a made-up pivot
language, with the atlas's own seq2seq translators: training.backtranslation) shown on a sentence, and their
effect on Kim's text CNN (the recipe ``text_cnn_sentiment``) trained on few generated reviews."""

from __future__ import annotations

import streamlit as st

from data.text_augment import EDA_OPS, MAX_CHARS, TEXT_OPS, augment_text
from training import backtranslation as bt
from training import demos
from ui import state
from ui.augmentation import compared_runs
from ui.keys import child

KEY = "aug.text"
EXAMPLE = "The story was not good and I hated the acting and the film was very bad"
SETTINGS = {
    "none": (),
    "synonyms": ("synonym",),
    "EDA (all four)": ("synonym", "insert", "swap", "delete"),
    "back-translation": ("backtranslate",),
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
        "**swap** and random **deletion**. **Back-translation** (Sennrich et al., 2016; as augmentation "
        "in UDA, Xie et al., 2019) translates a sentence into another language and back: below, with the "
        "atlas's own translators."
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
        list(EDA_OPS),
        default=["synonym"],
        key=child(KEY, "ops"),
        help=" · ".join(f"{k}: {TEXT_OPS[k]}" for k in EDA_OPS),
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
    st.divider()
    back_translation_lab(text)


def text_experiment() -> None:
    st.markdown(
        "Kim's text CNN reads generated film reviews and says positive or negative. The reviews use rare "
        'synonyms and negations ("the story was not bad"); with few training reviews, many test words were '
        "never seen. Each setting trains on the same reviews plus 4 augmented copies of each. " + BT_MEASURED
    )
    c = st.columns([3, 1, 1, 1])
    setting = c[0].radio("Augmentation", list(SETTINGS), horizontal=True, key=child(KEY, "setting"))
    n_train = int(c[1].number_input("Training reviews", 10, 2000, 30, key=child(KEY, "ntrain")))
    alpha = _strength(c[2], child(KEY, "exp_alpha"))
    if c[3].button("Clear the chart", key=child(KEY, "clear"), icon=":material/delete_sweep:"):
        st.session_state.pop(child(KEY, "runs"), None)
    if "backtranslate" in SETTINGS[setting] and not bt.ready():
        _offer_build()
        return
    s = dict(
        augmentations=SETTINGS[setting],
        strength=alpha,
        n_train=n_train,
        num_steps=200,
        seed=state.seed(),
        device=state.device(),
    )
    compared_runs(KEY, "text_cnn_sentiment", setting, s, step_sizes=(10, 50, 200))


BT_MEASURED = (
    "Measured with 30 reviews, 200 steps, seeds 0, 1, 2: no augmentation 86.9, 87.0, 90.7 % right; "
    "synonyms 95.0, 90.2, 91.7 %; **back-translation** 97.6, 94.8, 96.1 %. With 100 reviews all three are "
    "near 98–99 %. The translators learned from 4,800 other (unlabelled) reviews of the same kind, so "
    "back-translation brings knowledge the 30 labelled reviews lack: which words stand for one another. "
    "That is its point in semi-supervised learning (UDA), and why it helps more here than EDA's table."
)


def _build_translators() -> None:
    with st.spinner("Training the two translators with their recipes (about a minute each on a CPU) ..."):
        for name in bt.DEMO_NAMES:
            if not demos.available(name):
                demos.build(name, demos.build_dir())
    bt.translators.cache_clear()


def _offer_build() -> None:
    st.info(
        "The two translators (English → pivot and pivot → English) have not been built on this server yet. "
        "Build them here, or on the command line: `python -m training.demos build "
        + " ".join(bt.DEMO_NAMES)
        + "`.",
        icon=":material/model_training:",
    )
    if st.button("Build the translators", key=child(KEY, "bt", "build"), icon=":material/build:"):
        try:
            _build_translators()
        except (demos.DemoError, OSError) as e:
            st.error(f"The translators could not be built: {e}")
            return
        st.rerun()


def back_translation_lab(text: str) -> None:
    """The sentence, its pivot translation, and round trips sampled back into English."""
    st.markdown(
        "#### Back-translation through a made-up language\n"
        "The atlas downloads nothing, so it has no English–French translator. It invents a second "
        "language instead: a **made-up pivot language** (not a real one) with its own words, no articles,"
        " the adjective after the noun and the verb last, in which each synonym group is one word (good, "
        "great, superb → *bona*). Two Bahdanau seq2seq models (the `seq2seq_attention` architecture, "
        "recipes `translate_en_pivot` and `translate_pivot_en`, 11,000 and 15,000 weights) learned it "
        "from 4,800 generated review pairs. The way out is greedy; the way back is **sampled** with a "
        "temperature, so each round trip may choose other synonyms: a paraphrase. They only know the "
        "reviews' words and grammar; other sentences come back garbled, which is also what a real "
        "translator does far from its training text."
    )
    if not bt.ready():
        _offer_build()
        return
    c = st.columns([1, 1, 1])
    temp = float(
        c[0].slider(
            "Temperature",
            0.0,
            2.0,
            bt.TEMPERATURE,
            0.1,
            key=child(KEY, "bt", "temp"),
            help="How freely the way back samples: 0 always takes the likeliest word (the same sentence "
            "every time); 1 samples the model's own probabilities; higher flattens them (more synonyms, "
            "more mistakes). UDA used 0.9.",
        )
    )
    top_k = int(
        c[1].number_input(
            "Top-k", 0, 100, 0, key=child(KEY, "bt", "topk"),
            help="Sample only among the k likeliest words at each step (0: all words).",
        )
    )  # fmt: skip
    n = int(
        c[2].number_input("Round trips", 1, 10, 4, key=child(KEY, "bt", "n"), help="Paraphrases to draw.")
    )
    try:
        r = bt.round_trip(text, n, temp, seed=state.seed(), top_k=top_k)
    except (ValueError, demos.DemoError) as e:
        st.error(str(e))
        return
    st.markdown(f"**English** · {r['english']}  \n**Pivot** (greedy) · *{r['pivot']}*")
    if r["unknown"]:
        st.warning(
            "The translators never saw these words and read each as unknown: "
            + ", ".join(r["unknown"])
            + ".",
            icon=":material/translate:",
        )
    st.markdown(
        "**Back in English** (sampled)\n\n"
        + "\n".join(f"{i + 1}. {p}" for i, p in enumerate(r["paraphrases"]))
    )
