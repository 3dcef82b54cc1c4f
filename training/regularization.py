"""Regularization, measured: a small noisy digits set to over-fit, early stopping, Monte-Carlo dropout, the
per-layer statistics of a deep network's activations, and how batch norm and layer norm normalise.

Papers: dropout (Srivastava et al., 2014, "Dropout: a simple way to prevent neural networks from
overfitting"); decoupled weight decay (Loshchilov & Hutter, 2019, "Decoupled weight decay regularization",
AdamW); batch norm (Ioffe & Szegedy, 2015, arXiv:1502.03167); layer norm (Ba, Kiros & Hinton, 2016,
arXiv:1607.06450); Monte-Carlo dropout (Gal & Ghahramani, 2016, "Dropout as a Bayesian approximation",
arXiv:1506.02142); memorising noisy labels (Zhang et al., 2017, "Understanding deep learning requires
rethinking generalization", arXiv:1611.03530; Arpit et al., 2017, "A closer look at memorization").

No streamlit here: the Regularization page (ui/regularization.py) and the tests call these functions.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from archs.spec import ConfigError
from data.base import Supervised
from data.digits import digits
from training.tasks import Classification
from training.trainer import Trainer

# The regularised run of the over-fitting experiment (the recipe regularize_digits's overrides): strong
# decoupled weight decay (each AdamW step shrinks every weight by lr·λ = 1 %) and early stopping on the
# validation loss. Dropout is offered on the page too; on 200 images it cost test accuracy (measured).
REGULARISED = dict(weight_decay=10.0, patience=5)


def few_digits(per_class: int = 20, label_noise: float = 0.2, seed: int = 0) -> Supervised:
    """``per_class`` training images of each digit (drawn from the digits training split), a fraction
    ``label_noise`` of them given a wrong label, as small hand-labelled sets often have; the validation and
    test splits are the full, clean ones. ``meta["flipped"]`` marks the relabelled training images."""
    if not 1 <= per_class <= 100:
        raise ValueError(f"the images per digit (per_class) must be between 1 and 100, not {per_class}")
    if not 0.0 <= label_noise <= 0.8:
        raise ValueError(
            f"the mislabelled fraction (label_noise) must be between 0 and 0.8, not {label_noise}"
        )
    d = digits(8)
    rng = np.random.default_rng(seed)
    idx = np.sort(
        np.concatenate(
            [rng.choice(np.flatnonzero(d.y_train == c), per_class, replace=False) for c in range(10)]
        )
    )
    y = d.y_train[idx].copy()
    flipped = rng.random(len(y)) < label_noise
    y[flipped] = (y[flipped] + rng.integers(1, 10, int(flipped.sum()))) % 10  # always a different digit
    return Supervised(
        x_train=d.x_train[idx],
        y_train=y,
        x_val=d.x_val,
        y_val=d.y_val,
        x_test=d.x_test,
        y_test=d.y_test,
        kind="classification",
        num_classes=10,
        class_names=d.class_names,
        name=f"{per_class} digits per class, {label_noise:.0%} mislabelled",
        meta={"size": 8, "flipped": flipped, "per_class": per_class, "label_noise": label_noise},
    )


class EarlyStoppingClassification(Classification):
    """Classification whose run stops once the validation loss has not improved for ``patience``
    evaluations (0: never stops early). The trainer (EarlyStoppingTrainer) reads ``patience``."""

    def __init__(self, patience: int = 0):
        super().__init__()
        if patience < 0:
            raise ConfigError(f"The patience must be 0 (off) or a number of evaluations, not {patience}.")
        self.patience = int(patience)


class EarlyStoppingTrainer(Trainer):
    """A Trainer that keeps the weights of its best evaluation (lowest validation loss) and, with a
    patience, stops when ``patience`` evaluations in a row did not beat it and puts those weights back.
    The evaluation row of the stop then holds the restored model's metrics and ``restored_from`` (the
    step of the best weights); ``best_step`` and ``stopped_step`` say the same to the page."""

    mirrored = ("best_step", "stopped_step")

    def __init__(self, model, task, data, **kw):
        super().__init__(model, task, data, **kw)
        self.patience = int(getattr(task, "patience", 0))
        self.best_step: int | None = None
        self.stopped_step: int | None = None
        self._best_loss = float("inf")
        self._best_state: dict | None = None
        self._bad = 0

    def _record_eval(self) -> None:
        super()._record_eval()
        if self.finished or not self.patience:
            return
        row = self.history[-1]
        loss = row.get("val_loss", row.get("test_loss", float("inf")))
        if loss < self._best_loss:
            self._best_loss, self.best_step, self._bad = loss, self.step_count, 0
            self._best_state = copy.deepcopy(self.model.state_dict())
            return
        self._bad += 1
        if self._bad >= self.patience and self._best_state is not None:
            self.model.load_state_dict(self._best_state)
            row.update(self.evaluate(), restored_from=self.best_step)
            self.stopped_step = self.step_count
            self.num_steps = self.step_count  # ends the loop in Trainer._run
            self.status = "done"
            self.message = (
                f"Stopped early at step {self.step_count}: the validation loss had not improved for "
                f"{self.patience} evaluations; the weights of step {self.best_step} (its lowest) are back."
            )


def gap(trainer: Trainer) -> dict[str, float]:
    """The train-test gap of a run's last evaluation, in accuracy and in cross-entropy."""
    e = trainer.last_eval()
    return {
        "train_acc": e["train_acc"],
        "test_acc": e["test_acc"],
        "acc_gap": e["train_acc"] - e["test_acc"],
        "loss_gap": e["test_loss"] - e["train_loss"],
    }


# ------------------------------------------------------------------------------- Monte-Carlo dropout


@torch.no_grad()
def mc_dropout(model: nn.Module, x: torch.Tensor, samples: int = 30, seed: int = 0) -> dict[str, np.ndarray]:
    """Gal & Ghahramani's Monte-Carlo dropout: ``samples`` forward passes with dropout left on (and every
    other layer, batch norm included, in evaluation mode), each a different thinned network of the
    ensemble dropout trains. Returns probs (T, N, K) per pass, mean (N, K), pred (N,), std (N,): the
    spread of the predicted class's probability across passes, entropy (N,) of the mean prediction,
    and mutual_info (N,): entropy minus the passes' mean entropy, the part that is disagreement between
    the thinned networks (0 when dropout is off)."""
    if samples < 1:
        raise ValueError(f"samples must be at least 1, not {samples}")
    was = model.training
    model.eval()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.train()
    try:
        torch.manual_seed(seed)
        probs = torch.stack([model(x).softmax(-1) for _ in range(samples)])  # (T, N, K)
    finally:
        model.train(was)
    mean = probs.mean(0)  # (N, K)
    pred = mean.argmax(-1)
    ent = -(mean * mean.clamp_min(1e-12).log()).sum(-1)
    each = -(probs * probs.clamp_min(1e-12).log()).sum(-1).mean(0)
    std = probs.gather(2, pred.expand(samples, -1)[..., None])[..., 0].std(0, correction=0)
    return {
        "probs": probs.numpy(),
        "mean": mean.numpy(),
        "pred": pred.numpy(),
        "std": std.numpy(),
        "entropy": ent.numpy(),
        "mutual_info": (ent - each).clamp_min(0).numpy(),
    }


# ------------------------------------------------------------------------ activations layer by layer


def activation_stats(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor | None = None
) -> dict[str, np.ndarray]:
    """One batch through an MLP (a model with ``.layers``, each with an ``.act``): for every hidden
    layer the mean and standard deviation of its pre-activations (what enters σ, after the norm if
    any) and of its activations, the fraction of activations that are dead (ReLU at 0) or saturated
    (|tanh| or sigmoid within 1 % of its limits), a sample of the activations (``sample``, layers × 256)
    and, given labels ``y``, the norm of the loss's gradient at each layer's weights (``grad``)."""
    blocks = list(model.layers)
    pre: list[torch.Tensor] = []
    post: list[torch.Tensor] = []

    def keep(_m: nn.Module, inputs: tuple, output: torch.Tensor) -> None:  # returns None: output unchanged
        pre.append(inputs[0])
        post.append(output)

    hooks = [b.act.register_forward_hook(keep) for b in blocks]
    was = model.training
    model.train()  # batch norm normalises with the batch's own statistics, as in training
    try:
        with torch.set_grad_enabled(y is not None):
            model.zero_grad(set_to_none=True)
            out = model(x)
            if y is not None:
                nn.functional.cross_entropy(out, y).backward()
    finally:
        for h in hooks:
            h.remove()
        model.train(was)
    pre_t = [p.detach() for p in pre]
    post_t = [p.detach() for p in post]
    lo, hi = (-1.0, 1.0) if isinstance(blocks[0].act, nn.Tanh) else (0.0, 1.0)
    sat = [
        (((a - lo).abs() < 0.01 * (hi - lo)) | ((hi - a).abs() < 0.01 * (hi - lo))).float().mean()
        if not isinstance(b.act, nn.ReLU)
        else (a <= 0).float().mean()
        for a, b in zip(post_t, blocks, strict=True)
    ]
    g = torch.Generator().manual_seed(0)
    stats = {
        "pre_mean": np.array([float(p.mean()) for p in pre_t]),
        "pre_std": np.array([float(p.std()) for p in pre_t]),
        "mean": np.array([float(a.mean()) for a in post_t]),
        "std": np.array([float(a.std()) for a in post_t]),
        "saturated": np.array([float(s) for s in sat]),
        "sample": np.stack(
            [a.flatten()[torch.randint(a.numel(), (256,), generator=g)].numpy() for a in post_t]
        ),  # (layers, 256)
    }
    if y is not None:
        stats["grad"] = np.array([float(b.linear.weight.grad.norm()) for b in blocks])
        model.zero_grad(set_to_none=True)
    return stats


# ----------------------------------------------------------------------- batch norm against layer norm


def normalise_both(x: torch.Tensor) -> dict[str, np.ndarray]:
    """A (B, F) batch normalised by batch norm (each feature over the batch: columns get mean 0,
    variance 1) and by layer norm (each example over its features: rows do), without learned gains."""
    bn = (x - x.mean(0)) / torch.sqrt(x.var(0, correction=0) + 1e-5)  # (B, F): per column
    ln = (x - x.mean(1, keepdim=True)) / torch.sqrt(x.var(1, correction=0, keepdim=True) + 1e-5)  # per row
    return {"x": x.numpy(), "batchnorm": bn.numpy(), "layernorm": ln.numpy()}


def batch_dependence(
    x: np.ndarray, batch_sizes: tuple[int, ...] = (2, 4, 8, 16, 32, 64), draws: int = 20, seed: int = 0
) -> dict[str, np.ndarray]:
    """How much one example's normalised features change with the batch it is in: the example ``x[0]``
    is put in ``draws`` batches of random others from ``x`` (N, F) for each batch size, and the mean
    standard deviation of its normalised features across those batches is returned per batch size for
    batch norm (in training mode) and layer norm (always 0: it never looks at other examples)."""
    t = torch.as_tensor(np.asarray(x, dtype=np.float32)).flatten(1)  # (N, F)
    if len(t) < 2 or max(batch_sizes) > len(t):
        raise ValueError(f"need more examples than the largest batch ({max(batch_sizes)}), got {len(t)}")
    g = torch.Generator().manual_seed(seed)
    out: dict[str, list[float]] = {"batchnorm": [], "layernorm": []}
    for b in batch_sizes:
        rows = {k: [] for k in out}
        for _ in range(draws):
            others = 1 + torch.randperm(len(t) - 1, generator=g)[: b - 1]
            batch = torch.cat([t[:1], t[others]])  # (b, F): the example first
            both = normalise_both(batch)
            for k in out:
                rows[k].append(both[k][0])
        for k in out:
            out[k].append(float(np.stack(rows[k]).std(0).mean()))
    return {"batch_sizes": np.array(batch_sizes), **{k: np.array(v) for k, v in out.items()}}


# ------------------------------------------------------- the page's experiments (digits, CPU, seconds)


def _digits_trainer(seed: int, **overrides):
    from training.recipes import get_recipe  # the feedforward family's digits MLP, by name

    return get_recipe("mlp_digits").trainer(seed=seed, device="cpu", **overrides)


def mc_dropout_digits(dropout: float = 0.5, samples: int = 30, num_steps: int = 600, seed: int = 0) -> dict:
    """Train the digits MLP with ``dropout``, then predict the test digits by Monte-Carlo dropout
    (mc_dropout's keys) beside the usual single pass with dropout off (``det_pred``); with the test
    ``images`` (N, 8, 8), ``labels`` and both accuracies (``acc_mc``, ``acc_det``)."""
    t = _digits_trainer(seed, dropout=dropout, num_steps=num_steps)
    t.step(num_steps)
    x, y = t.splits["test"]
    out = mc_dropout(t.model, x, samples=samples, seed=seed)
    det = t.predict(x).argmax(-1)
    labels = y.cpu().numpy()
    return {
        **out,
        "det_pred": det,
        "images": x.cpu().numpy()[:, 0],  # (N, 8, 8)
        "labels": labels,
        "acc_mc": float((out["pred"] == labels).mean()),
        "acc_det": float((det == labels).mean()),
    }


def layer_stats(depth: int, activation: str, norm: str, steps: int = 0, seed: int = 0) -> dict:
    """activation_stats of a deep digits MLP (``depth`` hidden layers of 64) on 256 training digits,
    as initialised (``steps`` 0) or after ``steps`` of plain SGD; ``test_acc`` after those steps."""
    t = _digits_trainer(
        seed,
        hidden_dims=(64,) * depth,
        activation=activation,
        norm=norm,
        optimizer="sgd",
        lr=0.1,
        num_steps=max(steps, 1),
        eval_every=max(steps, 1),
    )
    if steps:
        t.step(steps)
    x, y = t.splits["train"]
    stats = activation_stats(t.model, x[:256], y[:256])
    stats["test_acc"] = t.evaluate()["test_acc"]
    return stats


def norm_race(batch_size: int, num_steps: int = 300, seed: int = 0) -> dict[str, list[dict]]:
    """The digits MLP without a norm, with batch norm and with layer norm, trained at one batch size:
    each run's history (evaluations on the validation and test splits use batch norm's running
    statistics, which small batches estimate badly)."""
    return {
        name: _digits_trainer(
            seed, norm=norm, batch_size=batch_size, num_steps=num_steps, eval_every=max(num_steps // 10, 1)
        )
        .step(num_steps)
        .history
        for name, norm in (("no norm", "none"), ("batch norm", "batchnorm"), ("layer norm", "layernorm"))
    }
