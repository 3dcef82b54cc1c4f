"""The sidebar: the device in use, the global seed, presenter mode."""

from __future__ import annotations

import streamlit as st

from training.device import available_devices, device_info, pick_device
from ui import links, state
from ui.jobs import job_counter


@st.cache_resource(show_spinner=False)
def _devices() -> list[str]:
    return available_devices()


def sidebar() -> None:
    with st.sidebar:
        st.markdown("### ArchAtlas")
        links.copy_link_button()
        devs = _devices()
        default = pick_device().type
        dev = st.selectbox(
            "Device",
            devs,
            index=devs.index(default) if default in devs else 0,
            key=state.DEVICE,
            help="Where training runs. CUDA (NVIDIA) or MPS (Apple) when present, else the CPU.",
        )
        info = device_info(pick_device(dev))
        st.caption(
            f"Training on **{info.kind.upper()}** — {info.name}"
            + (f", {info.memory_gb} GB" if info.memory_gb else "")
        )
        st.number_input(
            "Global seed",
            0,
            2**31 - 1,
            0,
            key=state.SEED,
            help="Seeds data generation, weight initialisation and batch order: the same seed "
            "gives the same run.",
        )
        st.toggle(
            "Presenter mode",
            False,
            key=state.PRESENTER,
            help="Larger text everywhere, charts included, for a projector.",
        )
        st.segmented_control(
            "Chart downloads",
            state.FIGURE_FORMATS,
            default="PNG",
            key=state.FIGURE_FORMAT,
            help="What the camera button above every chart saves: PNG (twice the screen's resolution) or "
            "SVG (vector graphics that stay sharp at any size, and that drawing programs can edit).",
        )
        job_counter()
