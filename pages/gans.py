"""Generative adversarial networks: the idea, the 2-D lab, image GANs, image-to-image, architectures."""

import streamlit as st

from ui.boot import ensure_app
from ui.forms import config_form
from ui.gan.lab import gan_lab
from ui.gan.panels import i2i_lab, image_lab
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Generative adversarial networks")
st.markdown(
    "Two networks play a game. The **generator** G turns random noise z into samples; the "
    "**discriminator** D scores how real a sample looks. D learns to tell data from G's output, G learns "
    "to fool D, and at the game's equilibrium G's samples follow the data's distribution."
)

lesson_bar("gan")
idea, lab, images, i2i, explore = tabs(
    ["Idea", "2-D lab", "Images", "Image-to-image", "Architectures"], key="gan.tab"
)

if idea.open:
    with idea:
        c1, c2 = st.columns(2)
        with c1:
            st.markdown("**The minimax game** (Goodfellow et al., 2014): D maximises and G minimises")
            st.latex(
                r"\begin{aligned} \min_G \max_D\; & \mathbb{E}_{x\sim p_\text{data}}[\log D(x)] \\"
                r" & + \mathbb{E}_{z\sim p_z}[\log(1 - D(G(z)))] \end{aligned}"
            )
            st.markdown(
                r"For a fixed G the best D is $p_\text{data} / (p_\text{data} + p_G)$, and the game then "
                "minimises the Jensen–Shannon divergence between the data and G's samples. Early on D "
                "rejects "
                "G's samples easily, log(1 − D(G(z))) is flat and G learns little, so G usually maximises "
                "log D(G(z)) instead: the **non-saturating** loss."
            )
            st.latex(r"\mathcal{L}_G^\text{NS} = -\mathbb{E}_z[\log D(G(z))]")
            st.markdown(
                "**Least squares** (LSGAN) replaces the logarithms with squared distances to the labels:"
            )
            st.latex(r"\mathcal{L}_D = \tfrac12\mathbb{E}[(D(x)-1)^2] + \tfrac12\mathbb{E}[D(G(z))^2]")
            st.latex(r"\mathcal{L}_G = \tfrac12\mathbb{E}[(D(G(z))-1)^2]")
        with c2:
            st.markdown(
                "**Wasserstein** (WGAN): a critic f, kept 1-Lipschitz, estimates the earth mover's distance"
            )
            st.latex(
                r"W(p_\text{data}, p_G) = \max_{\|f\|_L \le 1} \mathbb{E}_x[f(x)] - \mathbb{E}_z[f(G(z))]"
            )
            st.markdown(
                "WGAN clips the critic's weights to [−c, c]; **WGAN-GP** instead penalises gradients whose "
                "norm strays from 1 at points x̂ between real and generated samples:"
            )
            st.latex(
                r"\begin{aligned} & \lambda\, \mathbb{E}_{\hat x}"
                r"\big[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\big] \\"
                r" & \hat x = \epsilon x + (1-\epsilon) G(z),\quad \epsilon \sim U[0, 1] \end{aligned}"
            )
            st.markdown(
                "**Alternating updates.** Each training step makes $k_D$ gradient steps on D (each on a "
                "fresh "
                "batch), then $k_G$ steps on G; WGAN uses $k_D = 5$. **Failure modes:** oscillation "
                "instead of "
                "convergence, and **mode collapse**, where G covers only a few modes of the data. The 2-D "
                "lab "
                "measures both: modes covered and the share of high-quality samples."
            )
        st.markdown(
            "**Variants here:** DCGAN (convolutional players), WGAN and WGAN-GP, the conditional cGAN, "
            "AC-GAN (D also classifies) and InfoGAN (learned codes), StyleGAN (mapping network, per-layer "
            "styles, noise), SAGAN (self-attention, spectral norm), pix2pix and CycleGAN (image to image)."
        )

if lab.open:
    with lab:
        st.markdown(
            "GAN Lab's experiment: two small MLPs on points in the plane. The background is D's verdict, "
            "the grey lines are G's image of a square grid of the noise plane, the arrows show where G's "
            "loss pushes each generated point. Changing a setting resets the networks."
        )
        gan_lab()

if images.open:
    with images:
        st.markdown(
            "Convolutional GANs on digits or shapes. The grid always shows the same latent batch, so the "
            "slider moves back through training; conditional models show a row per class."
        )
        image_lab()

if i2i.open:
    with i2i:
        st.markdown(
            "Translation between image domains of procedural shapes: pix2pix learns from aligned pairs, "
            "CycleGAN from two unpaired collections, tied by the cycle F(G(a)) ≈ a."
        )
        i2i_lab()

if explore.open:
    with explore:
        spec, preset = arch_picker("gan", key="gan", default="dcgan")
        st.caption(
            "A GAN is two networks: each architecture builds one module holding `generator` and "
            "`discriminator` (CycleGAN adds `generator_ba` and `discriminator_a`). Its forward pass is "
            "D(G(z)) (both translation directions for CycleGAN), so the graph and summary show both players."
        )
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="gan", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="gan.view")

if explore.open and cfg is not None:  # the Architectures tab and its own tabs
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="gan.g")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="gan.s")
