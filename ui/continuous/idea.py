"""The Idea tab of the Neural ODEs, KAN & NeRF page: a network as a function. The ODE dz/dt = f(z, t, θ)
and its solve; the Kolmogorov-Arnold representation and a KAN's edge function; NeRF's positional
encoding γ(p) and the volume rendering equation."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    st.markdown(
        "Three architectures that treat a network as a **function** to be evaluated anywhere, not as a "
        "stack of layers applied to a grid: a derivative integrated over continuous depth, a sum of "
        "learned one-variable functions, and a map from coordinates to what is there."
    )
    c1, c2 = st.columns(2)
    with c1:
        _ode()
        _nerf()
    with c2:
        _kan()


def _ode() -> None:
    st.subheader("Neural ODE (Chen et al., 2018)")
    st.markdown(
        r"A residual block computes $z_{k+1} = z_k + f(z_k, \theta_k)$: one Euler step. In the limit of "
        r"many small steps the hidden state follows a differential equation, and a network $f$ gives its "
        r"derivative:"
    )
    st.latex(r"\frac{dz}{dt} = f\big(z(t), t, \theta\big)")
    st.latex(r"z(t_1) = z(t_0) + \int_{t_0}^{t_1} f\big(z(t), t, \theta\big)\, dt")
    st.markdown(
        r"An ODE solver computes the integral. An adaptive one (Dormand–Prince) picks its steps so that "
        r"each step's estimated error stays below $\text{atol} + \text{rtol}\cdot|z|$: the number of "
        r"evaluations of $f$ (NFE) is the depth, and it grows as the tolerance falls. Gradients come "
        r"through the solver's steps, or from the **adjoint** ODE solved backwards, in constant memory."
    )


def _kan() -> None:
    st.subheader("Kolmogorov–Arnold network (Liu et al., 2024)")
    st.markdown(
        r"Kolmogorov and Arnold proved that every continuous function of $n$ variables on a bounded box "
        r"is a sum of sums of functions of **one** variable:"
    )
    st.latex(r"f(x_1, \dots, x_n) = \sum_{q=1}^{2n+1} \Phi_q\!\Big(\sum_{p=1}^{n} \phi_{q,p}(x_p)\Big)")
    st.markdown(
        r"A KAN makes the one-variable functions learnable and stacks such layers. Every **edge** carries "
        r"its own function, a B-spline of order $k$ on a grid of $G$ intervals plus a silu base; a node "
        r"only sums:"
    )
    st.latex(
        r"\begin{aligned} \phi(x) &= w_b\,\mathrm{silu}(x) + w_s \sum_{i=1}^{G+k} c_i B_i(x) \\ "
        r"x_{l+1,j} &= \sum_{i} \phi_{l,j,i}(x_{l,i}) \end{aligned}"
    )
    st.markdown(
        r"An MLP has fixed activations on its nodes and learnable weights on its edges; a KAN has "
        r"learnable activations on its edges. Each edge is a curve one can plot, and often name: "
        r"$\exp(\sin(\pi x) + y^2)$ is found as $\sin$ and $x^2$ in the first layer, $\exp$ in the second."
    )


def _nerf() -> None:
    st.subheader("NeRF (Mildenhall et al., 2020)")
    st.markdown(
        r"A scene is a function $F_\Theta : (\mathbf{x}, \mathbf{d}) \mapsto (\mathbf{c}, \sigma)$ from a "
        r"point and a viewing direction to colour and density, stored in an MLP of 8 layers of 256. Raw "
        r"coordinates give blur: each coordinate $p$ is first encoded by"
    )
    st.latex(
        r"\begin{aligned} \gamma(p) = \big(&\sin(2^0\pi p), \cos(2^0\pi p), \dots, \\ "
        r"&\sin(2^{L-1}\pi p), \cos(2^{L-1}\pi p)\big) \end{aligned}"
    )
    st.markdown(
        st.markdown(
            r"with $L = 10$ for $\mathbf{x}$ and $L = 4$ for $\mathbf{d}$. A pixel is the colour along its "
            r"camera ray $\mathbf{r}(t) = \mathbf{o} + t\mathbf{d}$, by volume rendering:"
        )
    )
    st.latex(
        r"\begin{aligned} C(\mathbf{r}) &= \int_{t_n}^{t_f} T(t)\, \sigma(\mathbf{r}(t))\, "
        r"\mathbf{c}(\mathbf{r}(t), \mathbf{d})\, dt \\ "
        r"T(t) &= \exp\!\Big(-\int_{t_n}^{t} \sigma(\mathbf{r}(s))\, ds\Big) \end{aligned}"
    )
    st.markdown(
        r"$T(t)$ is the light that gets through to $t$. Rendering is differentiable, so photographs with "
        r"known cameras are all the supervision the network needs."
    )
