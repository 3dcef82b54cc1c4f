"""Adversarial training: two optimizers, k_D discriminator steps then k_G generator steps per step.

Losses (f = D's score of a fake sample G(z), r = of a real x; σ the logistic function):

- ``minimax`` (Goodfellow et al. 2014): D maximises log σ(r) + log(1 − σ(f)); G minimises log(1 − σ(f)).
- ``non_saturating``: the same D; G maximises log σ(f) instead, whose gradient does not vanish when D
  confidently rejects G's samples (the paper's own recommendation).
- ``least_squares`` (LSGAN, Mao et al. 2017): D minimises ½(r − 1)² + ½f², G minimises ½(f − 1)².
- ``hinge`` (SAGAN, Zhang et al. 2019): D minimises max(0, 1 − r) + max(0, 1 + f), G minimises −f.
- ``wasserstein`` (Arjovsky et al. 2017): the critic maximises E[r] − E[f], G maximises E[f]; the
  critic's weights are clipped to [−c, c] after every update.
- ``wgan_gp`` (Gulrajani et al. 2017): Wasserstein plus λ E[(‖∇D(x̂)‖₂ − 1)²] at random points x̂ on
  lines between real and fake samples, instead of clipping.

Every step logs ``loss`` (D's loss) and the terms ``d_loss``, ``g_loss``, ``d_real``, ``d_fake`` (mean
D(x) and D(G(z)): probabilities for the logistic losses, raw scores otherwise) and ``gp``. The trainer
keeps a fixed latent batch and a snapshot of G's samples for it at every evaluation
(``sample_snapshots``), so a page can step back through the training.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from archs.spec import ConfigError
from data.base import Supervised
from training.tasks import Task
from training.trainer import Trainer

GAN_LOSSES = ("minimax", "non_saturating", "least_squares", "hinge", "wasserstein", "wgan_gp")
GAN_OPTIMIZERS = ("adam", "rmsprop", "sgd", "momentum", "adamw")
LOGISTIC = ("minimax", "non_saturating")


def d_loss_fn(kind: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The discriminator's (critic's) loss from its scores of real and of fake samples."""
    if kind in LOGISTIC:  # −log σ(r) − log(1 − σ(f)), written stably
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    if kind == "least_squares":
        return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()
    if kind == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    return fake.mean() - real.mean()  # Wasserstein: minimise E[f] − E[r]


def g_loss_fn(kind: str, fake: torch.Tensor) -> torch.Tensor:
    """The generator's loss from D's scores of its samples."""
    if kind == "minimax":
        return -F.softplus(fake).mean()  # log(1 − σ(f)) = −softplus(f)
    if kind == "non_saturating":
        return F.softplus(-fake).mean()  # −log σ(f)
    if kind == "least_squares":
        return 0.5 * ((fake - 1) ** 2).mean()
    return -fake.mean()


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """E[(‖∇ₓ̂ D(x̂)‖₂ − 1)²] with x̂ = ε x + (1 − ε) x̃; ``eps`` has shape (B,) and ``critic`` maps a
    batch to (B,) scores. Without the factor λ."""
    shape = (-1,) + (1,) * (real.dim() - 1)
    x_hat = (eps.view(shape) * real + (1 - eps.view(shape)) * fake).detach().requires_grad_(True)
    scores = critic(x_hat)
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()


def _score(kind: str, s: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(s).mean() if kind in LOGISTIC else s.mean()


class GANTask(Task):
    """Training settings of a latent GAN (gan, dcgan, wgan, wgan_gp, cgan, acgan, infogan): which loss,
    k_D and k_G, D's learning rate, Adam's β₁, the clipping bound, λ of the penalty, the weight of the
    auxiliary terms (AC-GAN's class loss, InfoGAN's code reconstruction)."""

    name = "gan"
    higher_is_better = "high_quality"

    def __init__(
        self,
        data: Supervised,
        gan_loss: str = "auto",
        k_d: int = 1,
        k_g: int = 1,
        lr_d: float | None = None,
        beta1: float = 0.5,
        clip: float = 0.01,
        gp_weight: float = 10.0,
        aux_weight: float = 1.0,
    ):
        if gan_loss not in ("auto", *GAN_LOSSES):
            raise ConfigError(f"Unknown GAN loss {gan_loss!r}; choose one of {', '.join(GAN_LOSSES)}.")
        for name, k in (("$k_D$", k_d), ("$k_G$", k_g)):
            if not isinstance(k, int) or isinstance(k, bool) or k < 0:
                raise ConfigError(f"{name} must be a whole number of steps, 0 or more; got {k!r}.")
        if k_d == 0 and k_g == 0:
            raise ConfigError(
                "$k_D = k_G = 0$ means neither network is ever updated: give D or G at least one step."
            )
        if lr_d is not None and not (isinstance(lr_d, (int, float)) and lr_d > 0 and math.isfinite(lr_d)):
            raise ConfigError(f"The discriminator's learning rate must be a positive number, got {lr_d}.")
        if not 0 <= beta1 < 1:
            raise ConfigError(f"Adam's β₁ must be in [0, 1), got {beta1}.")
        if clip <= 0 or gp_weight < 0 or aux_weight < 0:
            raise ConfigError(
                "The clipping bound must be positive; λ and the auxiliary weight cannot be negative."
            )
        self.data = data
        self.gan_loss, self.k_d, self.k_g, self.lr_d = gan_loss, k_d, k_g, lr_d
        self.beta1, self.clip, self.gp_weight, self.aux_weight = beta1, clip, gp_weight, aux_weight
        self.target = data.meta.get("target")  # a 2-D target with modes: coverage is measured

    def kind(self, model: nn.Module) -> str:
        return model.default_loss if self.gan_loss == "auto" else self.gan_loss

    def _fake_inputs(self, model, n: int, y: torch.Tensor, gen: torch.Generator | None):
        z = model.latent(n, generator=gen, device=y.device)
        yf = (
            torch.randint(0, model.num_classes, (n,), generator=gen, device=y.device)
            if model.num_classes
            else None
        )
        return z, yf

    def _aux(self, model, d: dict, y: torch.Tensor | None, z: torch.Tensor | None) -> torch.Tensor:
        """AC-GAN's class loss (real or fake labels) and InfoGAN's code loss (fake only)."""
        loss = torch.zeros((), device=d["logit"].device)
        if "cls" in d and y is not None:
            loss = loss + F.cross_entropy(d["cls"], y)
        if z is not None:
            cat, cont = model.codes(z)
            if "q_cat" in d:
                loss = loss + F.cross_entropy(d["q_cat"], cat)
            if "q_cont" in d:  # a unit-variance Gaussian Q: the log-likelihood is a squared error
                loss = loss + 0.5 * F.mse_loss(d["q_cont"], cont)
        return self.aux_weight * loss

    def d_loss(self, model, x, y, gen=None):
        kind = self.kind(model)
        yr = y if model.num_classes else None
        z, yf = self._fake_inputs(model, len(x), y, gen)
        with torch.no_grad():
            fake = model.generate(z, yf)
        dr, df = model.discriminate(x, yr), model.discriminate(fake, yf)
        loss = d_loss_fn(kind, dr["logit"], df["logit"])
        gp = torch.zeros((), device=x.device)
        if kind == "wgan_gp":
            eps = torch.rand(len(x), generator=gen, device=x.device)
            gp = gradient_penalty(lambda t: model.discriminate(t, yr)["logit"], x, fake, eps)
            loss = loss + self.gp_weight * gp
        aux = self._aux(model, dr, yr, None) + self._aux(
            model, df, yf, z if model.cat_dim + model.cont_dim else None
        )
        terms = {
            "d_real": _score(kind, dr["logit"].detach()),
            "d_fake": _score(kind, df["logit"].detach()),
            "gp": gp.detach(),
        }
        return loss + aux, terms

    def g_loss(self, model, x, y, gen=None):
        kind = self.kind(model)
        z, yf = self._fake_inputs(model, len(x), y, gen)
        df = model.discriminate(model.generate(z, yf), yf)
        loss = g_loss_fn(kind, df["logit"])
        return loss + self._aux(model, df, yf, z if model.cat_dim + model.cont_dim else None), {}

    def fixed_batch(self, model, n: int, device) -> dict:
        """The same generator inputs for every snapshot: noise (and labels 0, 1, 2, … by column)."""
        g = torch.Generator().manual_seed(12345)
        z = model.latent(n, generator=g, device="cpu").to(device)
        y = (torch.arange(n) % model.num_classes).to(device) if model.num_classes else None
        return {"z": z, "y": y}

    def fixed_samples(self, model, fixed: dict) -> np.ndarray:
        return model.generate(fixed["z"], fixed["y"]).float().cpu().numpy()

    def loss(self, model, x, y):  # the Trainer's single-loss path is not used for GANs
        return self.d_loss(model, x, y)[0]

    @torch.no_grad()
    def metrics(self, model, x, y):
        kind = self.kind(model)
        gen = torch.Generator(device=x.device).manual_seed(1)
        z, yf = self._fake_inputs(model, len(x), y, gen)
        fake = model.generate(z, yf)
        df, dr = model.discriminate(fake, yf), model.discriminate(x, y if model.num_classes else None)
        out = {
            "loss": float(d_loss_fn(kind, dr["logit"], df["logit"])),
            "g_loss": float(g_loss_fn(kind, df["logit"])),
        }
        if self.target:
            from training.gan.metrics import coverage

            out.update(coverage(fake.float().cpu().numpy(), self.target))
        return out


class GANTrainer(Trainer):
    """A Trainer with a generator optimizer (``lr``) and a discriminator optimizer (``lr_d``, default
    ``lr``). One step = k_D updates of D (each on a fresh batch), then k_G updates of G. The parameters
    of every submodule whose name starts with ``discriminator`` belong to D, all others to G."""

    n_fixed = 64
    max_snapshots = 48
    mirrored = ("sample_snapshots",)

    def __init__(self, model, task, data, *, optimizer: str = "adam", lr: float = 2e-4, **kw):
        if optimizer not in GAN_OPTIMIZERS:
            raise ConfigError(f"Unknown optimizer {optimizer!r}; choose one of {', '.join(GAN_OPTIMIZERS)}.")
        super().__init__(
            model, task, data, optimizer="adam" if optimizer == "rmsprop" else optimizer, lr=lr, **kw
        )
        self.optimizer_name = optimizer
        d_params = [p for n, p in model.named_parameters() if n.split(".")[0].startswith("discriminator")]
        ids = {id(p) for p in d_params}
        g_params = [p for p in model.parameters() if id(p) not in ids]
        self.d_params, self.g_params = d_params, g_params
        self.lr_d = task.lr_d or lr
        self.opt_g = self._make(optimizer, g_params, lr, task.beta1)
        self.opt_d = self._make(optimizer, d_params, self.lr_d, task.beta1)
        self.optimizer = self.opt_g  # what generic code calls "the" optimizer
        self.eval_examples = 1024 if getattr(task, "target", None) or data.kind == "gan_points" else 256
        self.fixed = self._fixed_batch()
        self.sample_snapshots: list[tuple[int, np.ndarray]] = []
        self._snapshot()

    @staticmethod
    def _make(name: str, params, lr: float, beta1: float):
        if name == "adam":
            return torch.optim.Adam(params, lr=lr, betas=(beta1, 0.999))
        if name == "adamw":
            return torch.optim.AdamW(params, lr=lr, betas=(beta1, 0.999))
        if name == "rmsprop":
            return torch.optim.RMSprop(params, lr=lr)
        return torch.optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0)

    def _fixed_batch(self) -> dict:
        return self.task.fixed_batch(self.model, self.n_fixed, self.device)

    @torch.no_grad()
    def fixed_samples(self) -> np.ndarray:
        """G's output for the fixed batch, now (eval mode)."""
        was = self.model.training
        self.model.eval()
        try:
            return self.task.fixed_samples(self.model, self.fixed)
        finally:
            self.model.train(was)

    def _snapshot(self) -> None:
        self.sample_snapshots.append((self.step_count, self.fixed_samples()))
        if len(self.sample_snapshots) > self.max_snapshots:  # thin out the middle, keep first and last
            self.sample_snapshots = self.sample_snapshots[:-1:2] + self.sample_snapshots[-1:]

    def _update(self, opt, params, loss_fn) -> tuple[torch.Tensor, dict]:
        x, y = self._batch()
        loss, terms = loss_fn(self.model, x, y, self._gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.grad_clip:
            torch.nn.utils.clip_grad_norm_(params, self.grad_clip)
        opt.step()
        self.samples_seen += len(x)
        return loss.detach(), terms

    def _one_step(self) -> None:
        t = self.task
        zero = torch.zeros((), device=self.device)
        d_loss, g_loss, terms = zero, zero, {"d_real": zero, "d_fake": zero, "gp": zero}
        for _ in range(t.k_d):
            d_loss, terms = self._update(self.opt_d, self.d_params, t.d_loss)
            if t.kind(self.model) == "wasserstein":  # keep the critic (roughly) 1-Lipschitz
                with torch.no_grad():
                    for p in self.d_params:
                        p.clamp_(-t.clip, t.clip)
        for _ in range(t.k_g):
            g_loss, _ = self._update(self.opt_g, self.g_params, t.g_loss)
        self.step_count += 1
        self._pending.append(d_loss)
        self._pending_terms.append(
            {"d_loss": d_loss, "g_loss": g_loss, **{k: v.detach() for k, v in terms.items()}}
        )

    def diagnose(self) -> str | None:
        """No "did not learn" warning from the losses: in the game D's loss need not fall (it rises as G
        improves, or as D overfits its real images) and no accuracy measures G. A run that learned
        nothing shows it in its samples and, for the 2-D targets, in the modes covered."""
        return None

    def divergence_advice(self, terms: dict[str, float], limit: float) -> str:
        """Blame the player whose loss blew up, with its own learning rate."""
        bad = lambda v: v is not None and (not math.isfinite(v) or abs(v) > limit)
        d, g = bad(terms.get("d_loss")), bad(terms.get("g_loss"))
        if d == g:  # both (one exploding player drags the other's loss along) or neither: the faster
            ratio = self.lr_d / self.lr  # learner is the likelier culprit when the rates differ clearly
            d, g = ratio >= 10, ratio <= 0.1
        if d and not g:
            who, lr = "discriminator", self.lr_d
        elif g and not d:
            who, lr = "generator", self.lr
        else:
            return (
                f"Both players' losses blew up; their learning rates (generator {self.lr:g}, discriminator "
                f"{self.lr_d:g}) are probably too high. Lower them and reset."
            )
        return f"The {who}'s learning rate ({lr:g}) is probably too high; lower it and reset."

    def evaluate(self, max_examples: int | None = None) -> dict[str, float]:
        """Metrics on each split, on at most ``eval_examples`` examples (GAN metrics generate as many
        samples as they judge: 1,024 points for the 2-D lab, 256 images otherwise)."""
        return super().evaluate(max_examples or self.eval_examples)

    def _record_eval(self) -> None:
        super()._record_eval()
        self._snapshot()
