"""Feedforward networks: perceptron and MLP, the Playground, graph, summary and training."""

import streamlit as st
import torch

from training.probes import confusion_probe
from training.recipes import get_recipe, list_recipes
from ui import state
from ui.boot import ensure_app
from ui.charts import plotly_chart
from ui.feedforward.playground import playground
from ui.forms import config_form, link_caption
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel
from ui.train_panel import train_panel
from viz.feedforward import activation_figure
from viz.images import confusion_figure

ensure_app()

st.title("Feedforward networks")
st.markdown(
    "Information flows one way, from the input through hidden layers to the output: no loops, no "
    "memory. Each layer computes a weighted sum of its inputs and bends it with a nonlinearity."
)

lesson_bar("ff")
idea, play, explore = tabs(["Idea", "Playground", "Architectures"], key="ff.tab")

if idea.open:
    with idea:
        c1, c2 = st.columns(2)
        with c1:
            st.markdown("**A layer.** Weights W, biases b and an activation σ map an input x to")
            st.latex(r"h = \sigma(Wx + b)")
            st.markdown(
                "A **perceptron** is one such layer: its decision boundary is a straight line (a "
                "hyperplane). "
                "A **multilayer perceptron** stacks them; forward propagation is"
            )
            st.latex(r"h^{(0)} = x,\qquad h^{(l)} = \sigma\!\left(W^{(l)} h^{(l-1)} + b^{(l)}\right)")
            st.latex(r"\hat y = W^{(L)} h^{(L-1)} + b^{(L)}")
            st.markdown("**Losses.** Regression: mean squared error. Classification: softmax cross-entropy.")
            st.latex(
                r"\begin{aligned} \mathrm{MSE} &= \tfrac1n \textstyle\sum_i (y_i - \hat y_i)^2 \\"
                r" \mathrm{CE} &= -\textstyle\sum_k y_k \log \frac{e^{\hat y_k}}{\sum_j e^{\hat y_j}}"
                r" \end{aligned}"
            )
        with c2:
            st.markdown(
                "**Backpropagation** sends the error backwards with the chain rule, layer by layer "
                "(z⁽ˡ⁾ is the pre-activation):"
            )
            st.latex(
                r"\begin{aligned} \delta^{(l)} &= \left(W^{(l+1)\top} \delta^{(l+1)}\right) \odot "
                r"\sigma'\!\left(z^{(l)}\right) \\"
                r" \frac{\partial L}{\partial W^{(l)}} &= \delta^{(l)}\, h^{(l-1)\top} \end{aligned}"
            )
            st.markdown(
                "Gradient descent then steps every weight against its gradient: "
                "W ← W − η ∂L/∂W. Where σ′ is small (a saturated sigmoid) the error fades on its way "
                "back: the vanishing gradient that ReLU and residual connections ease."
            )
        plotly_chart(activation_figure(), key="ff.act")

if play.open:
    with play:
        st.markdown(
            "Everything TensorFlow Playground does, and multi-class sets, cross-entropy, a choice of "
            "optimizer, residual connections and a digits mode. Changing any setting resets the network."
        )
        playground()

if explore.open:
    with explore:
        spec, preset = arch_picker("feedforward", key="ff", default="mlp")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="ff", preset=preset)
        graph, summary, train = tabs(["Graph", "Summary", "Train"], key="ff.view")

if explore.open and cfg is not None:  # the Architectures tab and its own tabs
    if graph.open:
        with graph:
            digits = get_recipe("mlp_digits").make_data()
            fits = cfg.in_features == digits.in_features
            graph_panel(
                spec,
                cfg,
                key="ff.g",
                inputs=torch.from_numpy(digits.x_test[:12]) if fits else None,
                input_label="12 test digits" if fits else "a random example input",
            )
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="ff.s")
    if train.open:
        with train:
            recipes = list_recipes(spec.name)
            recipe = st.selectbox("Experiment", recipes, format_func=lambda r: r.title, key="ff.recipe")
            st.caption(recipe.summary)
            data = recipe.make_data()
            linked = recipe.link(data) if recipe.link else {}
            st.caption(link_caption(linked, cfg))
            c = st.columns(4)
            opt = c[0].selectbox("Optimizer", ("sgd", "momentum", "adam", "adamw"), index=2, key="ff.t.opt")
            lr = c[1].select_slider(
                "Learning rate",
                (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 10.0, 1000.0),
                value=recipe.train_params.get("lr", 1e-3),
                key="ff.t.lr",
            )
            bs = c[2].select_slider("Batch size", (8, 16, 32, 64, 128, 256), value=64, key="ff.t.bs")
            steps = c[3].select_slider(
                "Steps", (100, 300, 1000, 1500, 3000, 10000), value=1500, key="ff.t.steps"
            )
            settings = dict(
                arch=spec.name,
                config=cfg,
                optimizer=opt,
                lr=float(lr),
                batch_size=bs,
                num_steps=steps,
                seed=state.seed(),
                device=state.device(),
            )

            def render(snap, data):
                if "conf" in snap:
                    plotly_chart(confusion_figure(snap["conf"]["confusion"], data.class_names), key="ff.t.cm")

            train_panel(
                "ff.train",
                lambda: recipe.trainer(**settings),
                signature=(recipe.name, repr(sorted((k, repr(v)) for k, v in settings.items()))),
                probes=(lambda d: {"conf": confusion_probe(d)}) if data.kind == "classification" else None,
                render=render,
            )
