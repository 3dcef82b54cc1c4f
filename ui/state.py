"""Session-state keys and the app-wide settings the sidebar owns (seed, device, presenter mode)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import streamlit as st

from training.device import pick_device

SEED = "atlas.seed"
DEVICE = "atlas.device"
PRESENTER = "atlas.presenter"
T = TypeVar("T")


def seed() -> int:
    return int(st.session_state.get(SEED, 0))


def device() -> str:
    return st.session_state.get(DEVICE) or pick_device().type


def memo(key: str, version: Any, compute: Callable[[], T]) -> T:
    """This session's value under ``key`` if it was computed for an equal ``version``, else ``compute()``
    (kept for the next rerun). For results that depend on a model that may train: the version names the
    weights (job id and step count), so a rerun that changes nothing else redraws without recomputing."""
    slot = st.session_state.get(key)
    if slot is not None and slot[0] == version:
        return slot[1]
    value = compute()
    st.session_state[key] = (version, value)
    return value


def fingerprint(*arrays: Any) -> str:
    """A short digest of numpy arrays (contents, shapes and dtypes) or other values, for memo versions."""
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        if isinstance(a, np.ndarray):
            h.update(repr((a.shape, a.dtype.str)).encode())
            h.update(np.ascontiguousarray(a).tobytes())
        else:
            h.update(repr(a).encode())
    return h.hexdigest()
