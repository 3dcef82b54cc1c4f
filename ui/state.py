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
FIGURE_FORMAT = "atlas.figfmt"
FIGURE_FORMATS = ("PNG", "SVG")
T = TypeVar("T")


def seed() -> int:
    return int(st.session_state.get(SEED, 0))


def presenter() -> bool:
    """Whether the sidebar's presenter mode is on (larger text for a projector: ui/style.py, ui/charts.py)."""
    return bool(st.session_state.get(PRESENTER, False))


def figure_format() -> str:
    """What a chart's camera button saves: "png" (twice the screen's resolution) or "svg" (vector, for
    papers and slides that scale), as chosen in the sidebar."""
    return str(st.session_state.get(FIGURE_FORMAT) or "PNG").lower()


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


def fingerprint(*values: Any) -> str:
    """A short digest of values for memo versions: numpy arrays by contents, shape and dtype; dicts, lists
    and tuples item by item; anything else by its repr."""
    h = hashlib.blake2b(digest_size=16)

    def feed(v: Any) -> None:
        if isinstance(v, np.ndarray):
            h.update(repr((v.shape, v.dtype.str)).encode())
            h.update(np.ascontiguousarray(v).tobytes())
        elif isinstance(v, dict):
            h.update(b"{")
            for k, x in v.items():
                feed(k)
                feed(x)
            h.update(b"}")
        elif isinstance(v, (list, tuple)):
            h.update(b"[")
            for x in v:
                feed(x)
            h.update(b"]")
        else:
            h.update(repr(v).encode() + b";")

    for v in values:
        feed(v)
    return h.hexdigest()
