"""BYOL: Grill et al. (2020), "Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning",
arXiv 2006.07733.

An online network (encoder f_θ, projector g_θ, predictor q_θ) learns to predict, from one view of an
image, the projection z' = g_ξ(f_ξ(x')) that a target network makes of another view. The target is not
trained by gradient: its weights are an exponential moving average of the online weights,
ξ ← τ ξ + (1 − τ) θ (``ema_update(τ)``). The loss 2 − 2·cos(q_θ(z), z') has no negatives, and the
trivial solution (every image to one point) is avoided by the predictor and the stop-gradient on the
target; the ``predictor`` and ``stop_gradient`` switches remove them, for the collapse experiment.

Without the stop-gradient, the target branch is the online network itself with gradients flowing through
both branches (SimSiam's ablation, Chen & He 2021, arXiv 2011.10566, fig. 2): there is no frozen copy to
anchor the embedding, and it collapses.

MLPs as in DeepMind's code (byol/utils/networks.py ``MLP``): Linear (with bias) → BatchNorm → ReLU →
Linear (without bias). Canonical: ResNet-50 (23,508,032 without its classifier) + projector 2048 → 4096
→ 256 (9,449,472) + predictor 256 → 4096 → 256 (2,109,440) = 35,066,944. This counts the online network
and the predictor, the parameters that training optimises; the target network (another 32,957,504
numbers) is held as buffers, not parameters, and is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Paper, hp
from archs.ssl.common import EncoderConfig, ResNetEncoder, bn_mlp, example_images, frozen_copy


@dataclass(frozen=True)
class BYOLConfig(EncoderConfig):
    proj_hidden_dim: int = hp(
        64, lo=4, hi=16384, help="Hidden width of the projector MLP (4096 in the paper)."
    )
    proj_dim: int = hp(
        32, lo=2, hi=4096, help="Size of the projection z the loss compares (256 in the paper)."
    )
    pred_hidden_dim: int = hp(
        64, lo=4, hi=16384, help="Hidden width of the predictor MLP (4096 in the paper)."
    )
    predictor: bool = hp(
        True,
        help="The online network's extra MLP q that predicts the target's projection. Off: the "
        "projections are compared directly, and the embedding can collapse.",
    )
    stop_gradient: bool = hp(
        True,
        help="Treat the target's projection as a constant (a frozen, slowly averaged copy). Off: the "
        "target branch is the online network itself and gradients flow through both views, which collapses.",
    )


class BYOL(nn.Module):
    """encode(x) -> h; project(h) -> z; predict(z) -> p; target(x) -> z' (the target network's
    projection, constant when stop_gradient); ema_update(τ); forward(x) = predict(project(encode(x)))."""

    def __init__(self, cfg: BYOLConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = ResNetEncoder(cfg)
        self.projector = bn_mlp(self.encoder.out_dim, cfg.proj_hidden_dim, cfg.proj_dim, last_bias=False)
        self.predictor = (
            bn_mlp(cfg.proj_dim, cfg.pred_hidden_dim, cfg.proj_dim, last_bias=False)
            if cfg.predictor
            else None
        )
        # ξ: weights held as buffers, initialised to θ (the paper's initialisation)
        self.target_encoder, self.target_projector = frozen_copy(self.encoder), frozen_copy(self.projector)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def project(self, h: torch.Tensor) -> torch.Tensor:
        return self.projector(h)

    def predict(self, z: torch.Tensor) -> torch.Tensor:
        return self.predictor(z) if self.predictor is not None else z

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.predict(self.project(self.encode(x)))

    def target(self, x: torch.Tensor) -> torch.Tensor:
        """z' of the target branch: the EMA network without gradient, or (stop_gradient off) the online
        network's own projection with gradient."""
        if not self.cfg.stop_gradient:
            return self.project(self.encode(x))
        with torch.no_grad():
            return self.target_projector(self.target_encoder(x))

    @torch.no_grad()
    def ema_update(self, rate: float) -> None:
        """ξ ← rate·ξ + (1 − rate)·θ for every weight; rate 1 keeps the target, rate 0 copies the online
        network (the paper's τ starts at 0.996 and rises to 1). Batch-norm statistics stay the target's."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError(
                f"the EMA rate m must lie in [0, 1], not {rate}: it is the share of the old target kept"
            )
        for online, target in ((self.encoder, self.target_encoder), (self.projector, self.target_projector)):
            buffers = dict(target.named_buffers())
            for name, p in online.named_parameters():
                buffers[name].mul_(rate).add_(p.detach(), alpha=1.0 - rate)


register(
    ArchSpec(
        name="byol",
        title="BYOL",
        family="ssl",
        year=2020,
        paper=Paper(
            "J.-B. Grill, F. Strub, F. Altché, C. Tallec, P. H. Richemond et al.",
            2020,
            "Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning",
            arxiv="2006.07733",
        ),
        summary="Non-contrastive: an online network predicts a slowly averaged target network's projection "
        "of another view; no negatives, and the predictor with the stop-gradient keeps it from collapsing.",
        tasks=("self-supervised representation learning", "non-contrastive learning"),
        config=BYOLConfig,
        build=BYOL,
        example_input=example_images,
        presets={
            "tiny": {},
            "canonical": dict(
                in_channels=3,
                image_size=224,
                block="bottleneck",
                layers=(3, 4, 6, 3),
                width=64,
                small_stem=False,
                proj_hidden_dim=4096,
                proj_dim=256,
                pred_hidden_dim=4096,
            ),
        },
        published_params=35_066_944,
        published_source="The online network and predictor, the trainable model: ResNet-50 without its "
        "classifier (23,508,032, torchvision) + projector 2048→4096→256 and predictor 256→4096→256 of the "
        "paper (section 3.3), each Linear (bias) → BatchNorm → ReLU → Linear (no bias) as in DeepMind's "
        "byol/utils/networks.py MLP (9,449,472 + 2,109,440). The EMA target network is not counted.",
    )
)
