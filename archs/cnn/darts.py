"""DARTS: the convolutional network built from a searched cell (Liu, Simonyan & Yang, 2019, "DARTS:
Differentiable Architecture Search", arXiv:1806.09055).

A cell is a small directed acyclic graph: two inputs (the outputs of the two previous cells, each brought
to C channels by a 1×1 ReLU-conv-BN), then ``steps`` intermediate nodes; each node sums two operations
applied to two earlier nodes, and the cell's output concatenates every intermediate node (4·C channels).
A *genotype* names each node's two (operation, input) pairs, once for the normal cell and once for the
reduction cell, whose operations on the two inputs have stride 2. The network stacks ``layers`` cells
after a 3×3 stem of 3·C channels; the cells at 1/3 and 2/3 of the depth are reduction cells and double C.
An optional auxiliary head (Szegedy et al., 2015) classifies the features after the second reduction cell.

Decisions: ``forward`` returns the logits only (what every classification task expects); the auxiliary
logits come from ``forward_with_aux``. The genotype is a string, so a cell found by the search page's DARTS
run can be trained by the same recipe: ``"op@input op@input ... / op@input ..."`` (normal / reduce), or the
name of a published genotype (``darts_v2``, ``darts_v1``). The canonical preset is DARTS (V2) on CIFAR-10
(C = 36, 20 cells, auxiliary head); the reference code reports 3,349,342 parameters, counted without the
auxiliary head (its ``count_parameters_in_MB`` skips names containing "auxiliary").
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.blocks.conv import ImageConfig, image_input
from archs.registry import register
from archs.spec import ArchSpec, ConfigError, Paper, hp

PRIMITIVES = (
    "none",
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
)

# (normal, reduce): each a list of (operation, input) pairs, two per intermediate node (DARTS genotypes.py)
GENOTYPES: dict[str, tuple[list[tuple[str, int]], list[tuple[str, int]]]] = {
    "darts_v2": (
        [("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
         ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)],
        [("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
         ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)],
    ),
    "darts_v1": (
        [("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 0), ("sep_conv_3x3", 1),
         ("skip_connect", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 2)],
        [("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 0),
         ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("avg_pool_3x3", 0)],
    ),
}  # fmt: skip

Genotype = tuple[list[tuple[str, int]], list[tuple[str, int]]]


def format_cell(cell: list[tuple[str, int]]) -> str:
    return " ".join(f"{op}@{i}" for op, i in cell)


def format_genotype(g: Genotype) -> str:
    """The string form a config holds: ``"op@input ... / op@input ..."`` (normal / reduce)."""
    return f"{format_cell(g[0])} / {format_cell(g[1])}"


def parse_genotype(text: str) -> Genotype:
    """A named genotype or the string form; ConfigError with what is wrong otherwise."""
    if text in GENOTYPES:
        return GENOTYPES[text]
    parts = text.split("/")
    if len(parts) != 2:
        raise ConfigError(
            f"genotype {text!r} must be a known name ({', '.join(GENOTYPES)}) or two cells separated by "
            "'/': the normal cell, then the reduction cell, each as 'op@input' pairs."
        )
    cells = []
    for part in parts:
        pairs = []
        for tok in part.split():
            op, _, idx = tok.partition("@")
            if op not in PRIMITIVES or op == "none" or not idx.isdigit():
                raise ConfigError(
                    f"{tok!r} in the genotype is not 'operation@input' with an operation among "
                    f"{', '.join(PRIMITIVES[1:])}."
                )
            pairs.append((op, int(idx)))
        if not pairs or len(pairs) % 2:
            raise ConfigError("Each cell of the genotype needs two (operation, input) pairs per node.")
        for k, (_, i) in enumerate(pairs):
            if i >= 2 + k // 2:
                raise ConfigError(
                    f"Node {k // 2} of a cell can only read the inputs 0..{1 + k // 2}, not {i}."
                )
        cells.append(pairs)
    if len(cells[0]) != len(cells[1]):
        raise ConfigError("The normal and the reduction cell of a genotype need the same number of nodes.")
    return cells[0], cells[1]


# ------------------------------------------------------------------------------------- operations


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in: int, c_out: int, k: int, stride: int, pad: int, affine: bool = True):
        super().__init__(
            nn.ReLU(),
            nn.Conv2d(c_in, c_out, k, stride, pad, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class DilConv(nn.Sequential):
    """ReLU, depthwise k×k (dilated), pointwise 1×1, BN."""

    def __init__(self, c_in: int, c_out: int, k: int, stride: int, pad: int, dil: int, affine: bool = True):
        super().__init__(
            nn.ReLU(),
            nn.Conv2d(c_in, c_in, k, stride, pad, dilation=dil, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class SepConv(nn.Sequential):
    """A depthwise-separable convolution applied twice (the first one carries the stride)."""

    def __init__(self, c_in: int, c_out: int, k: int, stride: int, pad: int, affine: bool = True):
        super().__init__(
            DilConv(c_in, c_in, k, stride, pad, 1, affine), DilConv(c_in, c_out, k, 1, pad, 1, affine)
        )


class Zero(nn.Module):
    def __init__(self, stride: int):
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, :: self.stride, :: self.stride] * 0.0


class FactorizedReduce(nn.Module):
    """Halve H and W with two 1×1 stride-2 convolutions offset by one pixel, concatenated."""

    def __init__(self, c_in: int, c_out: int, affine: bool = True):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out - c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1))  # (B, C, H/2, W/2)


def make_op(name: str, c: int, stride: int, affine: bool = True) -> nn.Module:
    """One of DARTS's primitives on C channels (stride 2 on a reduction cell's inputs)."""
    if name == "none":
        return Zero(stride)
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride, padding=1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride, padding=1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c, affine)
    if name.startswith("sep_conv_"):
        k = int(name[-1])
        return SepConv(c, c, k, stride, k // 2, affine)
    if name.startswith("dil_conv_"):
        k = int(name[-1])
        return DilConv(c, c, k, stride, k - 1, 2, affine)
    raise ConfigError(f"Unknown DARTS operation {name!r}; choose one of {', '.join(PRIMITIVES)}.")


def drop_path(x: torch.Tensor, p: float) -> torch.Tensor:
    """Zero whole examples' paths with probability p, scaling the kept ones (Zoph et al., 2018)."""
    keep = torch.bernoulli(torch.full((x.shape[0], 1, 1, 1), 1.0 - p, device=x.device))
    return x / (1.0 - p) * keep


# ------------------------------------------------------------------------------------------ cells


class Cell(nn.Module):
    def __init__(self, cell, c_pp: int, c_p: int, c: int, reduction: bool, reduction_prev: bool):
        super().__init__()
        self.reduction = reduction
        self.preprocess0 = FactorizedReduce(c_pp, c) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(c_p, c, 1, 1, 0)
        self.indices = [i for _, i in cell]
        self._ops = nn.ModuleList(make_op(op, c, 2 if reduction and i < 2 else 1) for op, i in cell)
        self.steps = len(cell) // 2
        self.multiplier = self.steps  # the output concatenates every intermediate node

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, drop_prob: float = 0.0) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for n in range(self.steps):
            hs = []
            for j in (2 * n, 2 * n + 1):
                op, h = self._ops[j], states[self.indices[j]]
                h = op(h)
                if self.training and drop_prob > 0 and not isinstance(op, nn.Identity):
                    h = drop_path(h, drop_prob)
                hs.append(h)
            states.append(hs[0] + hs[1])
        return torch.cat(states[2:], dim=1)  # (B, steps·C, H, W)


class AuxiliaryHead(nn.Sequential):
    """Assumes an 8×8 input (CIFAR after two reductions): pool to 2×2, 1×1 conv, 2×2 conv, classify."""

    def __init__(self, c: int, num_classes: int):
        super().__init__(
            nn.ReLU(inplace=False),
            nn.AvgPool2d(5, stride=3, padding=0, count_include_pad=False),  # (B, C, 2, 2)
            nn.Conv2d(c, 128, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(),
            nn.Conv2d(128, 768, 2, bias=False),  # (B, 768, 1, 1)
            nn.BatchNorm2d(768),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(768, num_classes),
        )


@dataclass(frozen=True)
class DartsConfig(ImageConfig):
    init_channels: int = hp(
        36, lo=2, hi=64, help="C: channels of each operation in the first cells (doubled at each reduction)."
    )
    layers: int = hp(
        20, lo=3, hi=30, help="Cells stacked; those at 1/3 and 2/3 of the depth are reduction cells."
    )
    genotype: str = hp(
        "darts_v2",
        help="The cell: a published genotype (darts_v2, darts_v1) or one the search found, written "
        "'op@input ...' for the normal cell, '/', then the reduction cell.",
    )
    auxiliary: bool = hp(
        True, help="An extra classifier after the second reduction cell, trained alongside (weight 0.4)."
    )
    drop_path_prob: float = hp(
        0.0, lo=0.0, hi=0.5, step=0.05, help="Chance that a whole operation's output is dropped in training."
    )

    def validate(self) -> None:
        super().validate()
        parse_genotype(self.genotype)
        if self.image_size % 4:
            raise ConfigError(
                f"image_size ({self.image_size}) must be divisible by 4: the two reduction cells halve it "
                "twice."
            )
        if self.auxiliary and self.image_size // 4 < 8:
            raise ConfigError(
                "The auxiliary head needs the second reduction cell's output to be at least 8×8 "
                f"(image_size ≥ 32, got {self.image_size}): switch the auxiliary head off."
            )


class DARTSNetwork(nn.Module):
    """Stem 3×3 (3·C) → ``layers`` cells (reductions at 1/3 and 2/3) → global pool → linear."""

    def __init__(self, cfg: DartsConfig):
        super().__init__()
        normal, reduce = parse_genotype(cfg.genotype)
        self.genotype = (normal, reduce)
        self.drop_path_prob = cfg.drop_path_prob
        c_curr = 3 * cfg.init_channels
        self.stem = nn.Sequential(
            nn.Conv2d(cfg.in_channels, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr)
        )
        c_pp, c_p, c = c_curr, c_curr, cfg.init_channels
        self.cells = nn.ModuleList()
        reduction_prev, self.aux_at, c_aux = False, 2 * cfg.layers // 3, 0
        for i in range(cfg.layers):
            reduction = i in (cfg.layers // 3, 2 * cfg.layers // 3)
            c = c * 2 if reduction else c
            cell = Cell(reduce if reduction else normal, c_pp, c_p, c, reduction, reduction_prev)
            self.cells.append(cell)
            reduction_prev = reduction
            c_pp, c_p = c_p, cell.multiplier * c
            if i == self.aux_at:
                c_aux = c_p
        self.auxiliary_head = AuxiliaryHead(c_aux, cfg.num_classes) if cfg.auxiliary else None
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, cfg.num_classes)

    def forward_with_aux(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        s0 = s1 = self.stem(x)
        aux = None
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)
            if i == self.aux_at and self.auxiliary_head is not None and self.training:
                aux = self.auxiliary_head(s1)
        return self.classifier(self.pool(s1).flatten(1)), aux  # (B, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_with_aux(x)[0]


def params_without_aux(model: nn.Module) -> int:
    """The reference code's count: every parameter outside the auxiliary head."""
    return sum(p.numel() for n, p in model.named_parameters() if "auxiliary" not in n)


register(
    ArchSpec(
        name="darts",
        title="DARTS (searched cell)",
        family="cnn",
        year=2019,
        paper=Paper(
            "H. Liu, K. Simonyan, Y. Yang", 2019, "DARTS: Differentiable Architecture Search", "1806.09055"
        ),
        summary="A stack of one searched cell: each node adds two operations picked from eight by gradient "
        "descent on a softmax over the candidates, then kept as the two strongest.",
        tasks=("classification",),
        config=DartsConfig,
        build=DARTSNetwork,
        example_input=image_input,
        presets={
            "tiny": {
                "in_channels": 1,
                "num_classes": 10,
                "image_size": 8,
                "init_channels": 4,
                "layers": 3,
                "auxiliary": False,
            },
            "canonical": {"in_channels": 3, "num_classes": 10, "image_size": 32, "drop_path_prob": 0.2},
        },  # fmt: skip
        published_params=3_825_768,
        published_source="DARTS reference code (quark0/darts, cnn/train.py, genotype DARTS_V2, C=36, 20 "
        "layers, auxiliary head): it logs 'param size = 3.349342MB', counted without the auxiliary head "
        "(the paper rounds to 3.3M); the head adds 476,426 (576·128 + 256 + 128·768·4 + 1,536 + 7,690), "
        "3,825,768 in all. tests/test_darts.py asserts 3,349,342 without the head.",
    )
)
