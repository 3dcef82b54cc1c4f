"""Diffusion arithmetic: schedules, the forward process, the ε-prediction Task, DDPM and DDIM samplers.

Indices: a time index ``t`` in 0..T-1 stands for the paper's step t+1; ᾱ at index t is ∏_{s≤t} (1 − β_s).

- forward process, closed form: q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I)  (``Schedule.q_sample``);
- objective (Ho et al. 2020, L_simple): E_{t, x_0, ε} ‖ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t)‖²;
- DDPM reverse step on any increasing sub-sequence τ of time steps (Nichol & Dhariwal 2021, respacing):
  β'_i = 1 − ᾱ_{τ_i}/ᾱ_{τ_{i-1}}, x_{prev} ~ N(μ̃(x_t, x̂_0), β̃'_i I) with the Gaussian posterior μ̃, β̃;
- DDIM (Song, Meng & Ermon 2021): x_prev = √ᾱ_prev x̂_0 + √(1 − ᾱ_prev − σ²) ε̂ + σ z, σ = η·(…); η = 0 is
  deterministic;
- classifier-free guidance (Ho & Salimans 2022): ε̃ = ε_θ(x, ∅) + s·(ε_θ(x, y) − ε_θ(x, ∅)); s = 1 is the
  plain conditional model, s = 0 the unconditional one, s > 1 trades diversity for fidelity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from archs.diffusion.ddpm import beta_schedule
from archs.spec import ConfigError
from training.tasks import Task

EpsFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Schedule:
    """β_t, α_t = 1 − β_t, ᾱ_t = ∏ α_s and SNR_t = ᾱ_t / (1 − ᾱ_t), float64 on the CPU."""

    kind: str
    T: int
    betas: torch.Tensor

    @classmethod
    def make(cls, kind: str = "linear", T: int = 1000) -> Schedule:
        return cls(kind, int(T), beta_schedule(kind, int(T)))

    @property
    def alphas(self) -> torch.Tensor:
        return 1 - self.betas

    @property
    def alpha_bar(self) -> torch.Tensor:
        return torch.cumprod(self.alphas, 0)

    @property
    def snr(self) -> torch.Tensor:
        ab = self.alpha_bar
        return ab / (1 - ab)

    def curves(self) -> dict[str, np.ndarray]:
        """Everything the page plots, indexed by step 1..T."""
        return {
            "t": np.arange(1, self.T + 1),
            "beta": self.betas.numpy(),
            "alpha_bar": self.alpha_bar.numpy(),
            "snr": self.snr.numpy(),
        }

    def _at(self, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        ab = self.alpha_bar.to(like.device)[t].to(like.dtype)
        return ab.view(-1, *([1] * (like.dim() - 1)))  # broadcast over the example's dimensions

    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
        """x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, in one jump from x_0."""
        noise = torch.randn_like(x0) if noise is None else noise
        ab = self._at(t, x0)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def iterate_noising(
        self, x0: torch.Tensor, t: int, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """x_t by applying q(x_s | x_{s-1}) = N(√(1 − β_s) x_{s-1}, β_s I) for s = 1..t+1, one step at a time
        (the definition that ``q_sample`` shortcuts)."""
        x = x0.clone()
        for s in range(t + 1):
            b = float(self.betas[s])
            x = (1 - b) ** 0.5 * x + b**0.5 * torch.randn(x.shape, generator=generator, dtype=x.dtype)
        return x


def check_steps(steps: int, T: int) -> None:
    """The sampling step count must lie in 1..T; a sentence otherwise."""
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ConfigError(f"Sampling needs at least 1 step, got {steps}.")
    if steps > T:
        raise ConfigError(
            f"{steps} sampling steps is more than the {T} diffusion steps the model was trained on; "
            f"choose at most {T} (fewer steps skip along the same chain)."
        )


def sampling_timesteps(T: int, steps: int) -> list[int]:
    """An evenly spaced increasing sub-sequence τ of 0..T-1 with ``steps`` entries, ending at T-1."""
    check_steps(steps, T)
    return sorted({int(round(v)) for v in np.linspace(0, T - 1, steps)})


def guided(model: nn.Module, y: torch.Tensor | None, scale: float, null: int | None) -> EpsFn:
    """ε(x, t) of a class-conditional model with classifier-free guidance of strength ``scale``."""
    if y is None or null is None:
        return lambda x, t: model(x, t)
    if scale == 1.0:
        return lambda x, t: model(x, t, y)

    def eps(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        both = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([y, torch.full_like(y, null)]))
        cond, uncond = both.chunk(2)
        return uncond + scale * (cond - uncond)

    return eps


@torch.no_grad()
def sample(
    eps_fn: EpsFn,
    shape: tuple[int, ...],
    schedule: Schedule,
    steps: int,
    method: str = "ddpm",
    *,
    eta: float = 0.0,
    seed: int = 0,
    clip: float | None = None,
    device: torch.device | str = "cpu",
    x_T: torch.Tensor | None = None,
) -> dict[str, np.ndarray]:
    """Run the reverse process from x_T ~ N(0, I). Returns the final ``x``, the whole ``trajectory``
    (steps+1, *shape) from x_T to x_0, the model's ``x0_pred`` at each step, and the ``timesteps``
    visited (1-based, descending). ``clip`` bounds x̂_0 (e.g. 1 for images in [-1, 1])."""
    if method not in ("ddpm", "ddim"):
        raise ConfigError(f"Unknown sampler {method!r}; choose ddpm or ddim.")
    taus = sampling_timesteps(schedule.T, steps)
    gen = torch.Generator().manual_seed(int(seed))
    x = torch.randn(shape, generator=gen) if x_T is None else x_T.detach().cpu().float()
    ab_all = schedule.alpha_bar
    traj, preds = [x.numpy()], []
    for i in range(len(taus) - 1, -1, -1):
        t = taus[i]
        ab = float(ab_all[t])
        ab_prev = float(ab_all[taus[i - 1]]) if i > 0 else 1.0
        tt = torch.full((shape[0],), t, dtype=torch.long, device=device)
        eps = eps_fn(x.to(device), tt).float().cpu()
        x0 = (x - (1 - ab) ** 0.5 * eps) / ab**0.5
        if clip is not None:
            x0 = x0.clamp(-clip, clip)
        z = torch.randn(shape, generator=gen)
        if method == "ddpm":
            beta = 1 - ab / ab_prev  # β' of the respaced chain
            mean = (ab_prev**0.5 * beta * x0 + (1 - beta) ** 0.5 * (1 - ab_prev) * x) / (1 - ab)
            var = beta * (1 - ab_prev) / (1 - ab)  # posterior variance β̃'
            x = mean + (var**0.5 * z if i > 0 else 0)
        else:
            sigma = eta * ((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev)) ** 0.5
            eps_dir = (x - ab**0.5 * x0) / (1 - ab) ** 0.5  # ε consistent with the (clipped) x̂_0
            x = ab_prev**0.5 * x0 + max(0.0, 1 - ab_prev - sigma**2) ** 0.5 * eps_dir
            x = x + (sigma * z if i > 0 else 0)
        traj.append(x.numpy())
        preds.append(x0.numpy())
    return {
        "x": x.numpy(),
        "trajectory": np.stack(traj),
        "x0_pred": np.stack(preds),
        "timesteps": np.array([t + 1 for t in reversed(taus)]),
    }


class DiffusionTask(Task):
    """The ε-prediction objective. A class-conditional model (``model.cfg.num_classes > 0``) gets the
    label, replaced by the null label ``num_classes`` with probability ``p_uncond`` (classifier-free
    guidance training); an unconditional one ignores the labels."""

    name = "diffusion"
    higher_is_better = "loss"

    def __init__(self, schedule: Schedule, p_uncond: float = 0.1, eval_size: int = 512):
        if not 0 <= p_uncond <= 1:
            raise ConfigError(f"p_uncond must lie between 0 and 1, got {p_uncond}.")
        self.schedule, self.p_uncond, self.eval_size = schedule, p_uncond, eval_size

    def _eps(self, model, x, y, t, noise, drop=None):
        xt = self.schedule.q_sample(x, t, noise)
        nc = num_classes(model)
        if not nc:
            return model(xt, t)
        if y.dim() != 1 or int(y.max()) >= nc:
            raise ConfigError(
                f"The model is conditioned on {nc} classes but the data have labels up to {int(y.max())}; "
                "set num_classes to the data's number of classes, or 0."
            )
        if drop is not None:
            y = torch.where(drop, torch.full_like(y, nc), y)
        return model(xt, t, y)

    def loss(self, model, x, y):
        t = torch.randint(0, self.schedule.T, (x.shape[0],), device=x.device)
        noise = torch.randn_like(x)
        drop = torch.rand(x.shape[0], device=x.device) < self.p_uncond
        return F.mse_loss(self._eps(model, x, y, t, noise, drop), noise)

    @torch.no_grad()
    def metrics(self, model, x, y):
        """The loss on a fixed draw of t and ε (the same every evaluation, so curves are comparable)."""
        x, y = x[: self.eval_size], y[: self.eval_size]
        g = torch.Generator().manual_seed(0)
        t = torch.randint(0, self.schedule.T, (x.shape[0],), generator=g).to(x.device)
        noise = torch.randn(x.shape, generator=g).to(x.device)
        return {"loss": float(F.mse_loss(self._eps(model, x, y, t, noise), noise))}


def num_classes(model: nn.Module) -> int:
    return int(getattr(getattr(model, "cfg", None), "num_classes", 0) or 0)


def model_device(model: nn.Module) -> torch.device:
    return next((p.device for p in model.parameters()), torch.device("cpu"))


@torch.no_grad()
def eps_field(model: nn.Module, schedule: Schedule, t: int, lim: float = 2.0, n: int = 17) -> dict:
    """The predicted noise ε_θ(x, t) on an n×n grid of the plane (index t), and the implied score
    −ε/√(1 − ᾱ_t): arrows point from where the model thinks the noise came from, toward the data."""
    was = model.training
    model.eval()
    g = np.linspace(-lim, lim, n, dtype=np.float32)
    pts = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    tt = torch.full((len(pts),), int(t), dtype=torch.long)
    eps = (
        model(torch.from_numpy(pts).to(model_device(model)), tt.to(model_device(model))).float().cpu().numpy()
    )
    model.train(was)
    ab = float(schedule.alpha_bar[t])
    return {"points": pts, "eps": eps, "score": -eps / (1 - ab) ** 0.5}


def chamfer(a: np.ndarray, b: np.ndarray) -> float:
    """Symmetric mean nearest-neighbour distance between two point sets (lower: closer)."""
    d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)
    return float(d.min(1).mean() + d.min(0).mean()) / 2


def mmd(a: np.ndarray, b: np.ndarray, bandwidth: float = 0.5) -> float:
    """Squared maximum mean discrepancy with a Gaussian kernel (biased estimate)."""

    def k(u, v):
        return np.exp(-((u[:, None, :] - v[None]) ** 2).sum(-1) / (2 * bandwidth**2)).mean()

    return float(k(a, a) + k(b, b) - 2 * k(a, b))
