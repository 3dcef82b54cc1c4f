"""Views of the live autoencoder: latent space, reconstructions, anomaly detection, AE vs PCA."""

from __future__ import annotations

import numpy as np
import streamlit as st

from archs.spec import ConfigError
from training.autoencoder import latent
from training.jobs import Job
from ui import state
from ui.autoencoder.panels import memo, model_caption, need_model, safe, show_images
from ui.charts import plotly_chart
from viz.images import histogram
from viz.latent import codebook_figure, error_histograms, latent_scatter, pca_comparison


def _model(job: Job):
    return job.trainer.model


def _digit_examples(data, per_class: int = 1) -> np.ndarray:
    """Indices into the test split: the first ``per_class`` examples of each digit."""
    return np.concatenate([np.flatnonzero(data.y_test == k)[:per_class] for k in range(data.num_classes)])


# ---------------------------------------------------------------------------------- latent space


def latent_tab() -> None:
    job = need_model()
    if job is None:
        return
    model_caption(job, "latent")
    model, data = _model(job), job.trainer.data
    cond = getattr(model, "conditional", False)
    c = st.columns([1, 1, 1])
    n = c[0].number_input(
        "Test digits to place",
        1,
        len(data.x_test),
        min(300, len(data.x_test)),
        key="ae.l.n",
        help="How many test examples to encode and draw.",
    )
    x, y = data.x_test[:n], data.y_test[:n]
    z = memo(job, "codes", lambda: latent.codes(model, x, y), n)
    Z = z.shape[1]
    methods = latent.available_projections(Z)
    method = c[1].selectbox(
        "Projection", methods, format_func=lambda m: latent.METHOD_TITLES[m], key="ae.l.proj"
    )
    label = c[2].selectbox("Condition on digit", range(data.num_classes), key="ae.l.y") if cond else None
    proj = safe(lambda: memo(job, "proj", lambda: latent.project(z, method, state.seed()), n, method))
    if proj is None:
        return
    vae = getattr(model, "kind", "") == "vae"
    ell = None
    if vae and method == "latent" and Z == 2 and st.toggle("Posterior ellipses of 8 digits", key="ae.l.ell"):
        idx = _digit_examples(data)[:8]
        mu, sd = memo(
            job,
            "post",
            lambda: latent.posteriors(model, data.x_test[idx], data.y_test[idx] if cond else None),
        )
        ell = (mu, sd)
    picked = _picked(proj)
    left, right = st.columns([3, 1])
    with left:
        axes = (
            ("z₁", "z₂")
            if method == "latent"
            else (f"{latent.METHOD_TITLES[method]} 1", f"{latent.METHOD_TITLES[method]} 2")
        )
        fig = latent_scatter(proj.xy, y, data.class_names, picked=picked, ellipses=ell, axis_titles=axes)
        event = plotly_chart(fig, on_select="rerun", selection_mode="points", key="ae.l.scatter")
        _take_click(event)
    with right:
        st.markdown("**Decode a place**: click a digit or any empty spot, or type coordinates.")
        px = st.number_input("x", format="%.3f", key="ae.l.x")
        py = st.number_input("y", format="%.3f", key="ae.l.y2")
        img = memo(
            job, "dec", lambda: latent.decode(model, proj.inverse([[px, py]]), label), method, px, py, label
        )
        show_images(img, key="ae.l.decoded", ncols=1, height=220)
        if method not in ("latent", "pca"):
            st.caption(
                f"{latent.METHOD_TITLES[method]} has no inverse: the code decoded is the distance-weighted "
                "mean of the codes of the 5 nearest digits."
            )
    if Z == 2:
        _manifold(job, z, vae, label)
    _interpolation(job, label)
    if vae:
        st.markdown(
            "**Samples from the prior** z ~ N(0, I), decoded" + (f" as digit {label}" if cond else "")
        )
        samples = memo(job, "prior", lambda: latent.prior_samples(model, 20, state.seed(), label), label)
        show_images(samples, key="ae.l.prior", height=200)


def _picked(proj) -> np.ndarray:
    """The place to decode: the last click, else what the coordinate boxes hold, else the centre."""
    ss = st.session_state
    click = ss.get("ae.l.click")
    if click is not None:  # a click since the last run: it sets the coordinate boxes
        ss["ae.l.x"], ss["ae.l.y2"] = click
        ss["ae.l.click"] = None
    centre = proj.xy.mean(0)
    ss.setdefault("ae.l.x", round(float(centre[0]), 3))
    ss.setdefault("ae.l.y2", round(float(centre[1]), 3))
    return np.array([ss["ae.l.x"], ss["ae.l.y2"]])


def _take_click(event) -> None:
    pts = (event or {}).get("selection", {}).get("points", []) if hasattr(event, "get") else []
    if pts:
        xy = (round(float(pts[0]["x"]), 3), round(float(pts[0]["y"]), 3))
        if xy != st.session_state.get("ae.l.last"):
            st.session_state["ae.l.last"] = xy
            st.session_state["ae.l.click"] = xy
            st.rerun()


def _manifold(job: Job, z: np.ndarray, vae: bool, label) -> None:
    model = _model(job)
    n = st.slider("Manifold grid size", 6, 20, 12, key="ae.l.grid")
    if vae:
        span = (-2.0, 2.0, -2.0, 2.0)
    else:
        lo, hi = np.percentile(z, 2, axis=0), np.percentile(z, 98, axis=0)
        span = (lo[0], hi[0], lo[1], hi[1])
    imgs, xs, ys = memo(job, "grid", lambda: latent.manifold_grid(model, n, span, label), n, label)
    st.markdown(
        f"**The decoded manifold**: the decoder's image at every point of a {n}×{n} grid over "
        + ("z ∈ [−2, 2]² (the prior's bulk)" if vae else "the area the test codes cover")
        + "; moving right increases z₁, up increases z₂."
    )
    show_images(imgs, key="ae.l.manifold", ncols=n, height=min(700, 40 * n + 40))


def _interpolation(job: Job, label) -> None:
    model, data = _model(job), job.trainer.data
    c = st.columns([1, 1, 1, 3])
    a = c[0].selectbox("From digit", range(data.num_classes), index=1, key="ae.l.ia")
    b = c[1].selectbox("To digit", range(data.num_classes), index=7, key="ae.l.ib")
    steps = c[2].slider("Steps", 3, 16, 10, key="ae.l.isteps")
    ia, ib = (np.flatnonzero(data.y_test == k)[0] for k in (a, b))
    cond = getattr(model, "conditional", False)
    imgs = memo(
        job,
        "interp",
        lambda: latent.interpolate(
            model, data.x_test[ia], data.x_test[ib], steps, a if cond else None, b if cond else None
        ),
        a,
        b,
        steps,
    )
    with c[3]:
        st.markdown(
            f"**Interpolation** from a {a} to a {b}: decoded codes on the straight line between theirs."
        )
    show_images(imgs, key="ae.l.interp", ncols=steps, height=150)


# ------------------------------------------------------------------------------- reconstructions


def reconstructions_tab() -> None:
    job = need_model()
    if job is None:
        return
    model_caption(job, "recon")
    model, data = _model(job), job.trainer.data
    digits = st.multiselect(
        "Digits to show", list(range(data.num_classes)), default=list(range(10)), key="ae.r.digits"
    )
    if not digits:
        st.warning("Choose at least one digit to show.")
        return
    idx = np.concatenate([np.flatnonzero(data.y_test == k)[:1] for k in digits])
    x, y = data.x_test[idx], data.y_test[idx]
    rec = memo(job, "rec", lambda: latent.reconstruct(model, x, y), tuple(digits))
    err = ((rec - x) ** 2).reshape(len(x), -1).mean(1)
    st.markdown("**Input** (top) and **reconstruction** (bottom), with each one's MSE per pixel")
    show_images(
        np.r_[x, rec], "ae.r.rec", [str(k) for k in y] + [f"{e:.3f}" for e in err], ncols=len(x), height=230
    )
    kind = type(model).__name__
    if hasattr(model, "corrupt"):
        _denoising(job, x)
    if kind == "SparseAutoencoder":
        acts = memo(job, "acts", lambda: latent.code_activations(model, data.x_test))
        share = float((np.abs(acts) > 0.01).mean())
        st.markdown(
            f"**Code activations** over the test set: {share:.0%} of units are active (> 0.01) on average."
        )
        plotly_chart(histogram(acts, "activation of each code unit on each test digit"), key="ae.r.hist")
    if getattr(model, "kind", "") == "vq":
        counts = memo(job, "usage", lambda: latent.codebook_usage(model, data.x_test))
        plotly_chart(codebook_figure(counts), key="ae.r.codebook")
        st.caption("How often each codebook entry is the nearest to an encoder vector, over the test digits.")


def _denoising(job: Job, x: np.ndarray) -> None:
    model = _model(job)
    c = st.columns(2)
    kinds = ("masking", "gaussian", "salt_pepper")
    noise = c[0].selectbox("Noise", kinds, index=kinds.index(model.cfg.noise), key="ae.r.noise")
    level = c[1].slider("Noise level", 0.0, 1.0, float(model.cfg.noise_level), 0.05, key="ae.r.level")
    noisy, out = memo(
        job, "denoise", lambda: latent.denoise(model, x, level, noise, state.seed()), noise, level, len(x)
    )
    e_in, e_out = ((noisy - x) ** 2).mean(), ((out - x) ** 2).mean()
    st.markdown(
        f"**Denoising**: noisy input (top), output (middle), clean target (bottom). MSE to the clean "
        f"digits: noisy input {e_in:.4f}, output {e_out:.4f}."
    )
    show_images(np.r_[noisy, out, x], "ae.r.denoise", ncols=len(x), height=300)


# ---------------------------------------------------------------------------- anomaly detection


def anomaly_tab() -> None:
    job = need_model()
    if job is None:
        return
    model_caption(job, "anomaly")
    model, data = _model(job), job.trainer.data
    ood = memo(
        job, "ood_data", lambda: latent.out_of_distribution(data.input_shape, len(data.x_test), state.seed())
    )
    s_in = memo(job, "s_in", lambda: latent.anomaly_scores(model, data.x_test))
    s_out = {k: memo(job, f"s_{k}", lambda v=v: latent.anomaly_scores(model, v)) for k, v in ood.items()}
    lo, hi = np.log10(max(s_in.min(), 1e-6)), np.log10(max(max(s.max() for s in s_out.values()), s_in.max()))
    default = float(np.log10(np.percentile(s_in, 95)))
    t = st.slider(
        "Threshold (log₁₀ of the reconstruction error)",
        float(lo),
        float(hi),
        default,
        (hi - lo) / 200,
        key="ae.a.thr",
        help="Inputs reconstructed worse than this are flagged as anomalies. Default: the "
        "95th percentile of the test digits' errors (5 % false alarms).",
    )
    thr = 10**t
    plotly_chart(error_histograms(s_in, s_out, thr), key="ae.a.hist")
    cols = st.columns(len(s_out) + 1)
    for col, (name, s) in zip(cols, s_out.items(), strict=False):
        r = latent.detection_rates(s_in, s, thr)
        col.metric(f"{name} detected", f"{r['detected']:.0%}", help=f"AUROC {r['auroc']:.3f}")
    cols[-1].metric("test digits flagged (false alarms)", f"{float(np.mean(s_in > thr)):.0%}")
    st.caption(
        "The model only learned to rebuild digits, so anything else comes back badly: its reconstruction "
        "error is an anomaly score. Out-of-distribution inputs: procedural shapes and uniform noise."
    )
    shapes = ood["shapes"][:10]
    rec = memo(job, "ood_rec", lambda: latent.reconstruct(model, shapes))
    st.markdown("**Shapes** (top) and what the model makes of them (bottom)")
    show_images(np.r_[shapes, rec], "ae.a.shapes", ncols=10, height=180)


# ---------------------------------------------------------------------------------- AE vs PCA


def pca_tab() -> None:
    job = need_model()
    if job is None:
        return
    model_caption(job, "pca")
    model, data = _model(job), job.trainer.data
    ev = job.trainer.last_eval()
    z = memo(job, "codes_all", lambda: latent.codes(model, data.x_test[:2], data.y_test[:2]))
    k = z.shape[1]
    feats = int(np.prod(data.input_shape))
    idx = np.arange(10)
    x = data.x_test
    ae_rec = memo(job, "rec_all", lambda: latent.reconstruct(model, x, data.y_test))
    ae_mse = float(((ae_rec - x) ** 2).mean())
    try:
        pca_mse, pca_rec = latent.pca_baseline(data.x_train, x, min(k, feats))
    except ConfigError as e:
        st.error(str(e))
        return
    c = st.columns(3)
    c[0].metric(f"Autoencoder, code of {k}", f"{ae_mse:.4f}", help="test MSE per pixel")
    c[1].metric(f"PCA, {min(k, feats)} components", f"{pca_mse:.4f}")
    c[2].metric("AE / PCA", f"{ae_mse / max(pca_mse, 1e-12):.2f}×", help="below 1: the autoencoder wins")
    if k >= feats:
        st.info(f"The code ({k}) is as large as the image ({feats} pixels): PCA then reconstructs exactly.")
    st.markdown("**Input** (top), **autoencoder** (middle), **PCA** (bottom)")
    show_images(np.r_[x[idx], ae_rec[idx], pca_rec[idx]], "ae.p.rec", ncols=10, height=300)
    ks = sorted({1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48} & set(range(1, feats)))  # k = all pixels: error 0
    plotly_chart(pca_comparison(ks, latent.pca_curve(data.x_train, x, ks), k, ae_mse), key="ae.p.curve")
    st.caption(
        "PCA is the best *linear* code of each size. A nonlinear autoencoder can beat it at a small code "
        "(it bends its code along the data); the last evaluation's test MSE was "
        f"{ev.get('test_mse', float('nan')):.4f}."
    )
