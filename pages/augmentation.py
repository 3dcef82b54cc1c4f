"""Augmentation: more training data from the data one has. Vision operations (rotation, shifts, zoom,
erasing, colour, blur, noise), mixup and cutmix, a RandAugment policy, and the small-data experiment;
text augmentation (EDA, a rule-based paraphrase) and its effect on a text CNN."""

import streamlit as st

from ui.augmentation import experiment_lab, mix_lab, policy_lab, vision_lab
from ui.augmentation_text import text_experiment, text_lab
from ui.boot import ensure_app
from ui.links import tabs

ensure_app()

st.title("Data augmentation")
st.markdown(
    "A network trained on few examples learns them by heart. **Augmentation** shows it new versions of "
    "the same examples, changed in ways that keep the label (a digit turned a little, a word replaced by a "
    "synonym), so that it must learn what does not change. It costs no labels, only compute, and it "
    "encodes what we know about the data: which changes leave the answer alone."
)

vision, mix, policy, experiment, text, text_exp = tabs(
    ["Vision", "Mixup & cutmix", "RandAugment", "Small-data experiment", "Text", "Text classifier"],
    key="aug.tab",
)

if vision.open:
    with vision:
        vision_lab()

if mix.open:
    with mix:
        mix_lab()

if policy.open:
    with policy:
        policy_lab()

if experiment.open:
    with experiment:
        experiment_lab()

if text.open:
    with text:
        text_lab()

if text_exp.open:
    with text_exp:
        text_experiment()
