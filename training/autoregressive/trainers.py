"""Training autoregressive density models: the negative log-likelihood of every value given the values
before it, and what the pages draw — digits sampled pixel by pixel, tones continued sample by sample.

Task: ``F.cross_entropy(model(x), y)``, the mean NLL in nats of one value (one pixel, one audio sample);
evaluation adds ``bits`` = nats / ln 2, the number the baselines are given in. For PixelCNN, x is the image
(its levels scaled to [0, 1]) and y its levels; for WaveNet, x is a clip's levels and y the same clip one
sample later.

Baselines (in ``data.meta["baseline_bits"]``, computed on the same quantisation, data/autoregressive.py):
PixelCNN against the per-pixel independent model (each position its own histogram, smoothing tuned on the
validation split), WaveNet against the i.i.d. histogram of levels.

WaveNetTrainer also measures continuation: from the first ``CONTEXT`` samples of test clips it generates
``AHEAD`` more with the argmax of each softmax and reports ``cont_error``, the mean absolute error of the
decoded waveform divided by the true continuation's mean absolute amplitude (silence scores 1.0; a note
of the right pitch but a random phase about 1.1).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from data.autoregressive import mu_law_decode
from training.tasks import Task
from training.trainer import Trainer

N_SAMPLES = 8  # digits sampled for the page at each evaluation
CONTEXT, AHEAD, N_CONT = 96, 32, 16


class DensityTask(Task):
    name = "density"
    higher_is_better = "loss"

    def loss(self, model, x, y):
        return F.cross_entropy(model(x), y)

    @torch.no_grad()
    def metrics(self, model, x, y):
        nll = float(F.cross_entropy(model(x[:512]), y[:512]))
        return {"loss": nll, "bits": nll / math.log(2)}


class _Memo:
    """The last few views by their arguments and the step they were made at: sampling costs hundreds of
    forward passes, and the page asks for the same view at every rerun."""

    def __init__(self, size: int = 4):
        self.size, self.items = size, {}

    def get(self, key, make):
        if key not in self.items:
            if len(self.items) >= self.size:
                self.items.pop(next(iter(self.items)))
            self.items[key] = make()
        return self.items[key]


def _period(self: Trainer) -> tuple[int, bool]:
    """Which evaluation period the run is in: the live views sample again once per period, not at every
    tick of the page (sampling pauses training while it holds the model)."""
    return self.step_count // self.eval_every, self.finished


class PixelCNNTrainer(Trainer):
    _period = _period

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._memo = _Memo()

    def draw(self, n: int = N_SAMPLES, seed: int = 0, temperature: float = 1.0) -> dict[str, np.ndarray]:
        """``n`` digits drawn pixel by pixel: ``levels`` (n, H, W) uint8 and ``probs`` (H·W, n, L) float32,
        the distribution each pixel was drawn from (channel 0; the digits are grey). Remembered per step."""
        key = (self.step_count, n, seed, temperature)
        return self._memo.get(key, lambda: self._draw(n, seed, temperature))

    @torch.no_grad()
    def _draw(self, n: int, seed: int, temperature: float) -> dict[str, np.ndarray]:
        was = self.model.training
        self.model.eval()
        try:
            g = torch.Generator().manual_seed(seed)
            out = self.model.sample(n, g, temperature, keep_probs=True)
        finally:
            self.model.train(was)
        return {
            "levels": out["levels"][:, 0].cpu().numpy().astype(np.uint8),
            "probs": out["probs"].numpy().astype(np.float32),
        }

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        snap.update(
            baseline_bits=self.data.meta["baseline_bits"],
            levels=self.data.meta["levels"],
            real=self.data.y_test[:N_SAMPLES, 0].astype(np.uint8),
            samples=self._memo.get(
                ("snapshot", *self._period()), lambda: {**self.draw(), "step": self.step_count}
            ),
        )
        return snap


class WaveNetTrainer(Trainer):
    _period = _period

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._memo = _Memo()

    def continuation(
        self, clips=range(N_CONT), greedy: bool = True, seed: int = 0, temperature: float = 1.0
    ) -> dict[str, np.ndarray]:
        """Test clips number ``clips``: ``context`` (n, CONTEXT), ``truth`` and ``generated`` (n, AHEAD) as
        waveforms in [−1, 1], and ``error`` (n,) relative mean absolute errors. Remembered per step."""
        key = (self.step_count, tuple(clips), greedy, seed, temperature)
        return self._memo.get(key, lambda: self._continuation(list(clips), greedy, seed, temperature))

    @torch.no_grad()
    def _continuation(self, clips: list[int], greedy: bool, seed: int, temperature: float):
        x = self.splits["test"][0][clips]  # (n, T) levels
        L = self.data.meta["levels"]
        was = self.model.training
        self.model.eval()
        try:
            g = torch.Generator().manual_seed(seed)
            gen = self.model.generate(x[:, :CONTEXT], AHEAD, temperature, g, greedy=greedy)
        finally:
            self.model.train(was)
        truth = mu_law_decode(x[:, CONTEXT : CONTEXT + AHEAD].cpu().numpy(), L)
        made = mu_law_decode(gen.cpu().numpy(), L)
        err = np.abs(made - truth).mean(1) / np.abs(truth).mean(1)
        ctx = mu_law_decode(x[:, :CONTEXT].cpu().numpy(), L)
        return {"context": ctx, "truth": truth, "generated": made, "error": err}

    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        out = super().evaluate(max_examples)
        out["cont_error"] = float(np.median(self.continuation()["error"]))
        return out

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        cont = self._memo.get(("snapshot", *self._period()), lambda: self.continuation((0, 1)))
        snap.update(
            baseline_bits=self.data.meta["baseline_bits"],
            receptive_field=self.model.receptive_field,
            sample_rate=self.data.meta["sample_rate"],
            levels=self.data.meta["levels"],
            continuation=cont,
        )
        return snap
