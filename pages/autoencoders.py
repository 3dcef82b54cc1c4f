"""Autoencoders: AE, denoising, sparse, VAE, β-VAE, conditional VAE and VQ-VAE, and the latent space of
the model training in this session."""

import streamlit as st
import torch

from training.recipes import get_recipe
from ui.autoencoder.panels import idea, train_tab
from ui.autoencoder.views import anomaly_tab, latent_tab, pca_tab, reconstructions_tab
from ui.boot import ensure_app
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Autoencoders")
st.markdown(
    "Compress an image into a small code and rebuild it from there: what survives the bottleneck is what "
    "the network found important. Make the code a probability distribution and you can sample new "
    "images from it; make it discrete and you get a vocabulary of image pieces."
)

lesson_bar("ae")
spec, preset = arch_picker("autoencoder", key="ae", default="vae")
with st.expander("Hyperparameters", expanded=False):
    cfg = config_form(spec, key="ae", preset=preset)

page_tabs = tabs(
    [
        "Idea",
        "Graph",
        "Summary",
        "Train",
        "Latent space",
        "Reconstructions",
        "Anomaly detection",
        "AE vs PCA",
    ],
    key="ae.tab",
)
if page_tabs[0].open:
    with page_tabs[0]:
        idea()

if cfg is None:
    for tab in page_tabs[1:]:
        with tab:  # (a closed tab's message is cheap: no need to skip it)
            st.info("Fix the hyperparameters above to see this architecture.", icon=":material/block:")
    st.stop()

if page_tabs[1].open:
    with page_tabs[1]:
        digits = get_recipe("ae_digits").make_data()
        fits = (cfg.in_channels, cfg.image_size, cfg.image_size) == digits.input_shape
        x = torch.from_numpy(digits.x_test[:12])
        inputs = (x, torch.from_numpy(digits.y_test[:12])) if spec.name == "conditional_vae" else x
        graph_panel(
            spec,
            cfg,
            key="ae.g",
            inputs=inputs if fits else None,
            input_label="12 test digits" if fits else "a random example input",
        )
if page_tabs[2].open:
    with page_tabs[2]:
        summary_panel(spec, cfg, key="ae.s")
if any(t.open for t in page_tabs[3:]):  # the Train tab's settings make the model the views after it show
    with page_tabs[3]:
        train_tab(spec, cfg)
if page_tabs[4].open:
    with page_tabs[4]:
        latent_tab()
if page_tabs[5].open:
    with page_tabs[5]:
        reconstructions_tab()
if page_tabs[6].open:
    with page_tabs[6]:
        anomaly_tab()
if page_tabs[7].open:
    with page_tabs[7]:
        pca_tab()
