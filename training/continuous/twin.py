"""Two models trained side by side on the same batches, for a comparison at the same budget: a neural ODE
and a ResNet of the same parameters, a coordinate MLP with and without positional encoding.

``TwinModel`` holds both (``main`` and ``twin``), so that weights, checkpoints and remote jobs carry the
pair as one model. Each step adds the twin's loss to the main one's as ``main + (twin − twin.detach())``:
the logged loss is the main model's, and the gradients of the two never mix (no parameter is shared and
Adam's steps are per parameter, so one optimizer over both is two independent ones). History rows gain
``twin_loss``; evaluations gain ``<split>_twin_<metric>`` (``test_twin_err``) beside the main model's.
"""

from __future__ import annotations

import torch
from torch import nn

from training.tasks import Task
from training.trainer import Trainer


class TwinModel(nn.Module):
    """``main`` and the model it is compared with; calling it calls ``main``."""

    def __init__(self, main: nn.Module, twin: nn.Module):
        super().__init__()
        self.main, self.twin = main, twin

    def forward(self, *args, **kw):
        return self.main(*args, **kw)


class TwinTask(Task):
    """Wraps a task whose ``loss`` returns (loss, terms): trains main and twin on the same batch."""

    def __init__(self, inner: Task):
        self.inner = inner
        self.name, self.higher_is_better = inner.name, inner.higher_is_better

    def loss(self, model: TwinModel, x, y):
        loss, terms = self.inner.loss(model.main, x, y)
        twin, twin_terms = self.inner.loss(model.twin, x, y)
        terms = {**terms, "twin_loss": twin.detach(), **{f"twin_{k}": v for k, v in twin_terms.items()}}
        return loss + (twin - twin.detach()), terms

    @torch.no_grad()
    def metrics(self, model: TwinModel, x, y):
        out = self.inner.metrics(model.main, x, y)
        out.update({f"twin_{k}": v for k, v in self.inner.metrics(model.twin, x, y).items()})
        return out


class TwinTrainer(Trainer):
    """A Trainer whose model is a TwinModel of the recipe's model and ``make_twin(model)``."""

    def __init__(self, model: nn.Module, task: Task, data, **kw):
        super().__init__(TwinModel(model, self.make_twin(model, data)), TwinTask(task), data, **kw)

    def make_twin(self, model: nn.Module, data) -> nn.Module:
        raise NotImplementedError

    @property
    def main(self) -> nn.Module:
        return self.model.main

    @property
    def twin(self) -> nn.Module:
        return self.model.twin
