"""Session-state keys and the app-wide settings the sidebar owns (seed, device, presenter mode)."""

from __future__ import annotations

import streamlit as st

from training.device import pick_device

SEED = "atlas.seed"
DEVICE = "atlas.device"
PRESENTER = "atlas.presenter"


def seed() -> int:
    return int(st.session_state.get(SEED, 0))


def device() -> str:
    return st.session_state.get(DEVICE) or pick_device().type
