"""Image-to-image adversarial tasks for the GANTrainer: pix2pix (paired) and CycleGAN (unpaired).

pix2pix: D judges pairs (a, b) against (a, G(a)); G minimises the adversarial loss plus
λ_L1 ‖b − G(a)‖₁ (λ_L1 = 100 in the paper). CycleGAN: D_B judges b against G(a), D_A judges a against
F(b); the generators minimise both adversarial losses plus λ_cyc (‖F(G(a)) − a‖₁ + ‖G(F(b)) − b‖₁)
(λ_cyc = 10), by default with the least-squares loss the paper uses. The data: x from domain A,
y from domain B (paired for pix2pix, shuffled for CycleGAN).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from archs.spec import ConfigError
from training.gan.trainer import GANTask, d_loss_fn, g_loss_fn


def _d(kind: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return d_loss_fn(kind, real.flatten(), fake.flatten())


class I2ITask(GANTask):
    name = "image_to_image"
    higher_is_better = "l1"

    def __init__(self, data, l1_weight: float = 100.0, cycle_weight: float = 10.0, **kw):
        super().__init__(data, **kw)
        if self.gan_loss == "wgan_gp":
            raise ConfigError(
                "The gradient penalty is not offered for image-to-image models; pick another loss."
            )
        if l1_weight < 0 or cycle_weight < 0:
            raise ConfigError("The L1 and cycle weights cannot be negative.")
        self.l1_weight, self.cycle_weight = l1_weight, cycle_weight
        self.target = None

    @staticmethod
    def cyclic(model) -> bool:
        return hasattr(model, "generator_ba")

    def d_loss(self, model, x, y, gen=None):
        kind = self.kind(model)
        with torch.no_grad():
            fake_b = model.translate(x)
        if self.cyclic(model):
            with torch.no_grad():
                fake_a = model.translate_back(y)
            rb, fb = model.discriminator(y), model.discriminator(fake_b)
            ra, fa = model.discriminator_a(x), model.discriminator_a(fake_a)
            loss = _d(kind, rb, fb) + _d(kind, ra, fa)
            real, fake = torch.cat([rb.flatten(), ra.flatten()]), torch.cat([fb.flatten(), fa.flatten()])
        else:
            real, fake = model.judge(x, y), model.judge(x, fake_b)
            loss = 0.5 * _d(kind, real, fake)  # the paper halves D's objective
        score = torch.sigmoid if kind in ("minimax", "non_saturating") else (lambda t: t)
        terms = {
            "d_real": score(real.detach()).mean(),
            "d_fake": score(fake.detach()).mean(),
            "gp": loss.new_zeros(()),
        }
        return loss, terms

    def g_loss(self, model, x, y, gen=None):
        kind = self.kind(model)
        fake_b = model.translate(x)
        if self.cyclic(model):
            fake_a = model.translate_back(y)
            adv = g_loss_fn(kind, model.discriminator(fake_b).flatten()) + g_loss_fn(
                kind, model.discriminator_a(fake_a).flatten()
            )
            cyc = F.l1_loss(model.translate_back(fake_b), x) + F.l1_loss(model.translate(fake_a), y)
            return adv + self.cycle_weight * cyc, {}
        adv = g_loss_fn(kind, model.judge(x, fake_b).flatten())
        return adv + self.l1_weight * F.l1_loss(fake_b, y), {}

    @torch.no_grad()
    def metrics(self, model, x, y):
        fake_b = model.translate(x)
        out = {"loss": float(F.l1_loss(fake_b, y)), "l1": float(F.l1_loss(fake_b, y))}
        if self.cyclic(model):
            out["cycle_l1"] = float(F.l1_loss(model.translate_back(fake_b), x))
        return out

    def fixed_batch(self, model, n: int, device) -> dict:
        a, b = self.data.x_test[:8], self.data.y_test[:8]
        return {
            "a": torch.from_numpy(np.ascontiguousarray(a)).to(device),
            "b": torch.from_numpy(np.ascontiguousarray(b)).to(device),
        }

    def fixed_samples(self, model, fixed: dict) -> np.ndarray:
        """(3, 8, C, H, W): the translation G(a), and for CycleGAN the reconstruction F(G(a)) and F(b)."""
        fake_b = model.translate(fixed["a"])
        if self.cyclic(model):
            rec = model.translate_back(fake_b)
            back = model.translate_back(fixed["b"])
            return torch.stack([fake_b, rec, back]).float().cpu().numpy()
        return fake_b[None].float().cpu().numpy()
