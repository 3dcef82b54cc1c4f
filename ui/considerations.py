"""The Atlas home's "Key considerations": what to weigh before choosing any architecture (data, compute,
interpretability, ethics), short, with the registry's own numbers and a source for every claim.

Called at the end of pages/home.py with the home's table (``archs.catalog.catalog_rows`` as a DataFrame),
so the compute paragraph counts the same published models the table lists.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.nav import page_by_path, page_link

# GPT-3's training compute, as its paper reports it (Brown et al. 2020, appendix D: 3.14e23 FLOPs for
# 175 B parameters on 300 B tokens, close to the 6 × parameters × tokens rule of Kaplan et al. 2020).
GPT3_TRAIN_FLOPS = 3.14e23
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def extremes(df: pd.DataFrame) -> tuple[dict, dict]:
    """The smallest and the largest published model of the table (rows with a canonical count)."""
    canon = df[df["canonical_params"].notna()].sort_values("canonical_params")
    return canon.iloc[0].to_dict(), canon.iloc[-1].to_dict()


def _link(path: str, label: str, query: dict[str, str] | None = None) -> None:
    page = page_by_path(path)
    if page is not None:  # a page this checkout does not have yet is left out
        page_link(page, label, query)


def key_considerations(df: pd.DataFrame) -> None:
    st.subheader("Key considerations")
    st.caption("What decides a project before the architecture does. Sources in brackets.")
    c1, c2 = st.columns(2)
    with c1:
        _data()
        _interpretability()
    with c2:
        _compute(df)
        _ethics()


def _data() -> None:
    st.markdown(
        "**Data requirements.** Deep networks learn their features from examples, so they need many: "
        "ImageNet's 1.28 million labelled training images are what made the 2012 CNNs work "
        "[Russakovsky et al. 2015]. With few labels, lean on prior knowledge: a pretrained model to "
        "fine-tune, augmentation, or pretraining without labels. U-Net was trained on 30 annotated images "
        "with heavy augmentation [Ronneberger et al. 2015]; wav2vec 2.0, pretrained on unlabelled speech, "
        "recognises speech after 10 minutes of transcribed audio [Baevski et al. 2020]."
    )
    _link("pages/augmentation.py", "Augmentation: more data from the data you have")
    _link("pages/ssl.py", "Self-supervised learning: features without labels")


def power_of_ten(x: float) -> str:
    """3.14e23 -> "3.14 × 10²³" (chart-free text: Unicode superscripts, no raw notation)."""
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPTS)}"


def _compute(df: pd.DataFrame) -> None:
    small, big = extremes(df)
    ratio = big["canonical_params"] / small["canonical_params"]
    times = f"{ratio / 1e6:,.0f} million" if ratio >= 1e6 else f"{ratio:,.0f}"
    st.markdown(
        f"**Compute.** The largest published model of this atlas, {big['title']}, has {times} times the "
        f"parameters of the smallest, {small['title']}: {int(big['canonical_params']):,} against "
        f"{int(small['canonical_params']):,}, as the registry counts them. Training cost grows with "
        "parameters × training tokens, about 6 floating-point operations per parameter per token "
        f"[Kaplan et al. 2020]: GPT-3 took {power_of_ten(GPT3_TRAIN_FLOPS)} of them, 3,640 petaflop/s-days "
        "[Brown et al. 2020]. Inference costs the mult-adds of one forward pass: they decide whether a model "
        "runs on a phone."
    )
    _link(
        "pages/compare.py",
        "Every published model, parameters against mult-adds",
        {"cmp.tab": "All published models"},
    )
    _link("pages/guide.py", "Selection guide: what fits your device")


def _interpretability() -> None:
    st.markdown(
        "**Interpretability.** A network's weights do not say why it decided. Attribution methods mark the "
        "input pixels that drove a prediction (saliency [Simonyan et al. 2014], Grad-CAM [Selvaraju et al. "
        "2017]); attention maps show where a transformer looked, though they are not by themselves an "
        "explanation [Jain & Wallace 2019]. Check a model's evidence before trusting it."
    )
    _link(
        "pages/cnn.py",
        "Attributions of a CNN (Internals)",
        {"cnn.tab": "Architectures", "cnn.view": "Internals"},
    )
    _link(
        "pages/transformers.py",
        "Attention maps of a transformer",
        {"tx.tab": "Architectures", "tx.view": "Attention"},
    )


def _ethics() -> None:
    st.markdown(
        "**Ethics.** Generators that make realistic faces [Karras et al. 2019] also make deepfakes: forged "
        "video and voice used for fraud, harassment and disinformation [Chesney & Citron 2019]. Models "
        "learn the biases of their data: commercial gender classifiers erred on 0.8 % of lighter-skinned "
        "men and up to 34.7 % of darker-skinned women [Buolamwini & Gebru 2018]. Measure errors per group, "
        "and document data and models (datasheets [Gebru et al. 2021], model cards [Mitchell et al. 2019])."
    )
    _link("pages/gans.py", "GANs: how realistic images are generated")
