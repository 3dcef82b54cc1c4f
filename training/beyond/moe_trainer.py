"""Training a sparse mixture-of-experts language model, and watching its router.

The loss is the next-character cross-entropy plus ``aux_coef`` × the model's load-balancing loss (the sum
over its MoE layers of E · Σ f_i · P_i, Switch Transformers eq. 4; 0.01 in the paper). Without it
(``aux_coef=0``) nothing stops a router from favouring the experts that happen to be trained most, which
then get better and are chosen more: the load drifts away from the fair share 1/E.

History, per step: ``loss`` (the total optimised), ``lm_loss`` (cross-entropy alone), ``aux_loss`` (the
balancing loss, summed over layers; a layer's is 1 when perfectly even). Each evaluation adds
``val_loss``/``val_acc``, ``test_loss``/``test_acc`` and ``max_share``: over layers and experts, the
largest load × E on a fixed held-out batch (1 = every expert gets its fair share; E·1/k at most).

``snapshot()`` adds ``load`` (n_moe_layers, E) fractions on that batch, ``load_history`` [(step,
[[...], ...]), ...] at each evaluation, ``router_probs`` (T, E) and ``router_topk`` (T, k) of the first MoE
layer reading ``text`` (a fixed held-out string of T characters), and ``sample`` (generated text).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from archs.spec import ConfigError
from training.tasks import Task
from training.trainer import Trainer

HELD_OUT = 32  # windows of the validation split the load is measured on
SAMPLE_CHARS = 120


class MoELM(Task):
    """Causal language modelling with the load-balancing term."""

    name = "causal language model with load balancing"
    higher_is_better = "acc"

    def __init__(self, aux_coef: float = 0.01):
        if not 0.0 <= aux_coef <= 10.0:
            raise ConfigError(
                f"aux_coef must lie between 0 (no balancing) and 10, got {aux_coef}; the paper uses 0.01."
            )
        self.aux_coef = float(aux_coef)

    def loss(self, model, x, y):
        logits = model(x)  # (B, T, V)
        ce = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        aux = model.aux_loss()
        return ce + self.aux_coef * aux, {"lm_loss": ce, "aux_loss": aux}

    @torch.no_grad()
    def metrics(self, model, x, y):
        logits = model(x[:256])
        y = y[:256]
        return {
            "loss": float(F.cross_entropy(logits.flatten(0, 1), y.flatten())),
            "acc": float((logits.argmax(-1) == y).float().mean()),
        }


class MoETrainer(Trainer):
    mirrored = ("load_history",)

    def __init__(self, model, task: MoELM, data, **kw):
        super().__init__(model, task, data, **kw)
        xv = self.splits["val"][0]
        self.held_out = xv[:HELD_OUT]  # (HELD_OUT, T)
        self.vocab = data.meta["vocab"]
        self.context = data.meta["context"]
        self.text_ids = xv[len(xv) // 2, : min(48, self.context)].tolist()
        self.load_history: list[tuple[int, list[list[float]]]] = []
        self._sample: str | None = None  # generated at each evaluation (a hundred forwards: not per tick)

    @torch.no_grad()
    def loads(self) -> torch.Tensor:
        """(n_moe_layers, E): the share of token assignments each expert gets on the held-out batch."""
        was = self.model.training
        self.model.eval()
        try:
            self.model(self.held_out)
            return torch.stack([m.last_routing["load"] for m in self.model.moe_layers()]).float().cpu()
        finally:
            self.model.train(was)

    @torch.no_grad()
    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        was = self.model.training
        self.model.eval()
        out: dict[str, float] = {}
        try:
            for split in ("val", "test"):
                x, y = self.splits[split]
                out.update({f"{split}_{k}": v for k, v in self.task.metrics(self.model, x, y).items()})
        finally:
            self.model.train(was)
        load = self.loads()
        out["max_share"] = float(load.max() * load.shape[1])
        return out

    def _record_eval(self) -> None:
        super()._record_eval()
        if self.status != "failed":
            self.load_history.append((self.step_count, self.loads().tolist()))
            self._sample = self.sample()

    def diagnose(self) -> str | None:
        return None

    @torch.no_grad()
    def routing_of_text(self) -> dict[str, Any]:
        was = self.model.training
        self.model.eval()
        try:
            dev = self.held_out.device
            self.model(torch.tensor([self.text_ids], device=dev))
            r = self.model.moe_layers()[0].last_routing
            return {"router_probs": r["probs"].float().cpu(), "router_topk": r["topk"].cpu()}
        finally:
            self.model.train(was)

    def sample(self) -> str:
        from training.sampling import generate

        was = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                prompt = self.text_ids[:16]
                ids = generate(self.model, prompt, SAMPLE_CHARS, self.context, 0.8, 0, 1.0, seed=0)
            return self.vocab.decode(prompt + ids)
        finally:
            self.model.train(was)

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        if self._sample is None:  # before the first evaluation: the untrained model's
            self._sample = self.sample()
        snap.update(
            load=self.loads(),
            load_history=list(self.load_history),
            text=self.vocab.decode(self.text_ids),
            sample=self._sample,
            **self.routing_of_text(),
        )
        return snap
