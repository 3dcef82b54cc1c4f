"""DARTS's search supernet (Liu, Simonyan & Yang, 2019, arXiv:1806.09055): every edge of a cell carries
all eight primitives at once, mixed by a softmax over the edge's architecture weights α,

    o(x) = Σ_o softmax(α)_o · o(x),

so the choice of operation becomes continuous and α is learned by gradient descent on the validation loss
while the operations' weights learn on the training loss. ``genotype()`` turns α back into a discrete cell
(the string form ``archs.cnn.darts`` builds). BatchNorms in the supernet have no affine parameters, as in
the reference code, so α alone scales each operation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from archs.cnn.darts import PRIMITIVES, FactorizedReduce, Genotype, ReLUConvBN, make_op

# ------------------------------------------------------------------------------- the search supernet


class MixedOp(nn.Module):
    """Every primitive on one edge, mixed by the softmax of the edge's architecture weights α."""

    def __init__(self, c: int, stride: int):
        super().__init__()
        ops = []
        for name in PRIMITIVES:
            op = make_op(name, c, stride, affine=False)
            if "pool" in name:  # the reference follows a pool by a BN without affine parameters
                op = nn.Sequential(op, nn.BatchNorm2d(c, affine=False))
            ops.append(op)
        self._ops = nn.ModuleList(ops)

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return sum(wi * op(x) for wi, op in zip(w, self._ops, strict=True))


class SearchCell(nn.Module):
    """Node i reads every earlier node (2 + i edges), each a MixedOp."""

    def __init__(self, steps: int, c_pp: int, c_p: int, c: int, reduction: bool, reduction_prev: bool):
        super().__init__()
        self.reduction, self.steps = reduction, steps
        self.preprocess0 = (
            FactorizedReduce(c_pp, c, False) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, 0, False)
        )
        self.preprocess1 = ReLUConvBN(c_p, c, 1, 1, 0, False)
        self._ops = nn.ModuleList(
            MixedOp(c, 2 if reduction and j < 2 else 1) for i in range(steps) for j in range(2 + i)
        )

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        states, offset = [self.preprocess0(s0), self.preprocess1(s1)], 0
        for _ in range(self.steps):
            s = sum(self._ops[offset + j](h, weights[offset + j]) for j, h in enumerate(states))
            offset += len(states)
            states.append(s)
        return torch.cat(states[2:], dim=1)  # (B, steps·C, H, W)


class DARTSSupernet(nn.Module):
    """The one-shot network of the search: ``layers`` search cells sharing two α matrices (normal and
    reduce), each of shape (edges, primitives) with edges = 2 + 3 + ... for ``steps`` nodes."""

    def __init__(
        self, c: int = 8, num_classes: int = 10, layers: int = 3, steps: int = 4, in_channels: int = 1
    ):
        super().__init__()
        self.steps = steps
        c_curr = 3 * c
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr)
        )
        c_pp, c_p, reduction_prev = c_curr, c_curr, False
        self.cells = nn.ModuleList()
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            c = c * 2 if reduction else c
            self.cells.append(SearchCell(steps, c_pp, c_p, c, reduction, reduction_prev))
            reduction_prev = reduction
            c_pp, c_p = c_p, steps * c
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, num_classes)
        edges = sum(2 + i for i in range(steps))
        self.alphas_normal = nn.Parameter(1e-3 * torch.randn(edges, len(PRIMITIVES)))
        self.alphas_reduce = nn.Parameter(1e-3 * torch.randn(edges, len(PRIMITIVES)))

    def arch_parameters(self) -> list[nn.Parameter]:
        return [self.alphas_normal, self.alphas_reduce]

    def weights(self) -> list[nn.Parameter]:
        return [p for n, p in self.named_parameters() if not n.startswith("alphas_")]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        wn, wr = F.softmax(self.alphas_normal, dim=-1), F.softmax(self.alphas_reduce, dim=-1)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, wr if cell.reduction else wn)
        return self.classifier(self.pool(s1).flatten(1))  # (B, classes)

    def genotype(self) -> Genotype:
        """DARTS's derivation: each node keeps its two strongest incoming edges (an edge's strength is its
        largest non-zero operation weight), each with that strongest operation."""

        def parse(w: torch.Tensor) -> list[tuple[str, int]]:
            out, start, none = [], 0, PRIMITIVES.index("none")
            for i in range(self.steps):
                rows = w[start : start + 2 + i]
                strength = [max(r[k].item() for k in range(len(r)) if k != none) for r in rows]
                for j in sorted(range(2 + i), key=lambda j: -strength[j])[:2]:
                    k = max((k for k in range(len(PRIMITIVES)) if k != none), key=lambda k: rows[j][k].item())
                    out.append((PRIMITIVES[k], j))
                start += 2 + i
            return out

        with torch.no_grad():
            return parse(F.softmax(self.alphas_normal, -1)), parse(F.softmax(self.alphas_reduce, -1))
