"""Diffusion models: the idea, the forward process scrubbed by hand, a 2-D lab, digits, text to image."""

import streamlit as st

from ui.boot import ensure_app
from ui.diffusion.generate import digits_tab, text_tab
from ui.diffusion.panels import lab2d_tab, schedules_chart, scrubber_tab
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Diffusion models")
st.markdown(
    "Destroy data slowly with Gaussian noise, then train a network to undo one small step of it. "
    "Starting from pure noise and undoing step after step generates new data."
)

lesson_bar("dif")
idea, scrub, lab, digits, text, explore = tabs(
    ["Idea", "Forward process", "2-D lab", "Digits", "Text to image", "Architectures"], key="dif.tab"
)

if idea.open:
    with idea:
        c1, c2 = st.columns(2)
        with c1:
            st.markdown(
                r"**Forward process.** A fixed Markov chain adds noise with variances $\beta_1, \dots, "
                r"\beta_T$:"
            )
            st.latex(r"q(x_t \mid x_{t-1}) = \mathcal N\!\left(\sqrt{1-\beta_t}\,x_{t-1},\ \beta_t I\right)")
            st.markdown(
                r"Gaussians compose, so any step is one jump from the data, with "
                r"$\bar\alpha_t = \prod_{s \le t} (1 - \beta_s)$:"
            )
            st.latex(
                r"\begin{aligned} q(x_t \mid x_0) &= \mathcal N\!\left(\sqrt{\bar\alpha_t}\,x_0,\ "
                r"(1-\bar\alpha_t) I\right) \\"
                r" \mathrm{SNR}_t &= \frac{\bar\alpha_t}{1-\bar\alpha_t} \end{aligned}"
            )
            st.markdown("**Objective.** Pick t and ε ~ N(0, I), noise x₀ in one jump, and predict the noise:")
            st.latex(
                r"L = \mathbb E_{t,x_0,\varepsilon}\,\big\lVert \varepsilon - "
                r"\varepsilon_\theta(\sqrt{\bar\alpha_t}x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\ "
                r"t)\big\rVert^2"
            )
        with c2:
            st.markdown("**Reverse step (DDPM).** Remove the predicted noise, then add a little fresh noise:")
            st.latex(
                r"x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}"
                r"\,\varepsilon_\theta(x_t,t)\Big) + \sigma_t z"
            )
            st.markdown(
                "**DDIM** estimates x̂₀ and jumps deterministically (η = 0) to any earlier step, so 20–50 "
                "steps can replace 1,000:"
            )
            st.latex(
                r"\hat x_0 = \frac{x_t - "
                r"\sqrt{1-\bar\alpha_t}\,\varepsilon_\theta(x_t,t)}{\sqrt{\bar\alpha_t}}"
            )
            st.latex(
                r"x_{s} = \sqrt{\bar\alpha_s}\,\hat x_0 + \sqrt{1-\bar\alpha_s}\,\varepsilon_\theta(x_t,t)"
            )
            st.markdown(
                "**Classifier-free guidance** trains one network with and without the condition c "
                "(dropped 10 % of the time) and extrapolates between them with scale s:"
            )
            st.latex(
                r"\tilde\varepsilon = \varepsilon_\theta(x_t,\varnothing) + "
                r"s\,\big(\varepsilon_\theta(x_t,c) - \varepsilon_\theta(x_t,\varnothing)\big)"
            )
        st.markdown(
            "**Schedules.** The linear schedule (DDPM) destroys the signal early; the cosine schedule "
            r"(improved DDPM) keeps $\bar\alpha_t$ higher for longer, so fewer steps are wasted on pure "
            r"noise."
        )
        schedules_chart("dif.idea.sc")

if scrub.open:
    with scrub:
        scrubber_tab()
if lab.open:
    with lab:
        st.markdown(
            r"An MLP $\varepsilon_\theta(x, t)$ learns 2-D data. Arrows show $-\hat\varepsilon$ at the "
            r"chosen "
            "step: the direction the model would move each point to remove noise (the score, up to a factor)."
        )
        lab2d_tab()
if digits.open:
    with digits:
        digits_tab()
if text.open:
    with text:
        st.markdown(
            "Latent diffusion: an autoencoder compresses 16×16 images to a 4-channel latent; a U-Net "
            "denoises latents while cross-attending to the caption's words, as Stable Diffusion does."
        )
        text_tab()

if explore.open:
    with explore:
        spec, preset = arch_picker("diffusion", key="dif", default="ddpm_mlp")
        with st.expander("Hyperparameters", expanded=False):
            cfg = config_form(spec, key="dif", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="dif.view")
        if cfg is not None:
            with graph:
                graph_panel(spec, cfg, key="dif.g")
            with summary:
                summary_panel(spec, cfg, key="dif.s")
