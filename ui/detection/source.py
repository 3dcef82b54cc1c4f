"""Which trained detector the explainers use: the one the Train tab is training (once it has taken a step
and is of the right kind), else the family's demo model, else none with a sentence saying what to do."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import streamlit as st
from torch import nn

from training import demos
from ui.keys import child
from ui.train_panel import current_job

TRAIN_KEY = "det.train"
DEMO = {"one-stage": "yolo_shapes", "two-stage": "rcnn_shapes"}


@dataclass
class Detector:
    model: nn.Module
    scenes: Any  # training.detection.data.SceneSet
    lock: Any
    where: str  # a sentence: whose model this is

    @contextlib.contextmanager
    def evaluating(self) -> Iterator[nn.Module]:
        """The model in eval mode under its job's lock (a running job trains it between ticks)."""
        with self.lock:
            was = self.model.training
            self.model.eval()
            try:
                yield self.model
            finally:
                self.model.train(was)


def _fits(model: nn.Module, kind: str) -> bool:
    return hasattr(model, "raw_scores") if kind == "one-stage" else hasattr(model, "internals")


def trained_detector(kind: str = "one-stage") -> Detector | None:
    job = current_job(TRAIN_KEY)
    if job is not None and job.trainer.step_count > 0 and _fits(job.trainer.model, kind):
        t = job.trainer
        return Detector(
            t.model,
            t.data.meta["scenes"],
            job.lock,
            f"The detector of the **Train** tab ({type(t.model).__name__}, after {t.step_count:,} steps).",
        )
    name = DEMO[kind]
    if not demos.available(name):
        st.info(
            f"No trained {kind} detector yet: train one in the **Train** tab "
            f"({'YOLO' if kind == 'one-stage' else 'Mask R-CNN'} on shape scenes), and it shows here.",
            icon=":material/model_training:",
        )
        return None
    key = child("det", "demo", name)
    if key not in st.session_state:
        try:
            st.session_state[key] = demos.load(name)
        except demos.DemoError as e:
            st.error(f"The demo detector could not be loaded: {e}")
            return None
    t = st.session_state[key]
    return Detector(
        t.model,
        t.data.meta["scenes"],
        contextlib.nullcontext(),
        f"The demo detector: {demos.DEMOS[name].title}. Train your own in the **Train** tab and it replaces "
        "this one here.",
    )
