"""Model compression, measured on one base model: magnitude pruning, int8 quantization and distillation.

The base model is LeNet-5 as published (6 and 16 filters of 5×5, 120 and 84 units) with ReLU and
max-pooling, trained on scikit-learn's digits upsampled to 28×28 by the recipe ``cnn_digits`` with the
demo's settings (``BASE_DEMO`` in training.demos: 600 steps, seed 0, one CPU thread, so a rebuild gives the
same tensors). Where its file is missing it is trained here (about 8 s) and saved, then cached per process.

- Pruning with ``torch.nn.utils.prune``: unstructured L1 magnitude pruning over all layers at once
  (global: one threshold for every weight) or layer by layer (each layer loses the same share), and
  structured pruning of whole output channels / units by their L2 norm (Han et al., 2015, "Learning both
  weights and connections for efficient neural networks", arXiv:1506.02626; Li et al., 2017, "Pruning
  filters for efficient ConvNets", arXiv:1608.08710). The masks stay on the model while it fine-tunes.
- Quantization with torchao: int8 weight-only and int8 dynamic (activations quantized per row at run time)
  convert the Linear layers (torchao's int8 tensors have no convolution kernel: the two convolutions stay
  fp32, and their bytes are counted as such); quantization-aware training fake-quantizes weights with a
  straight-through estimator (Jacob et al., 2018, "Quantization and training of neural networks for
  efficient integer-arithmetic-only inference", arXiv:1712.05877).
- Knowledge distillation (Hinton, Vinyals & Dean, 2015, "Distilling the knowledge in a neural network",
  arXiv:1503.02531): ``alpha · T² · KL(p_T(teacher) ‖ p_T(student)) + (1 − alpha) · CE(student, y)``; the
  T² keeps the soft term's gradients at the scale of the hard one's as T grows.

No streamlit here: the Compression page (ui/compression.py), the recipes
(training/cnn/compression_recipes.py), the bench and the tests call these functions.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize, prune

import archs
from archs.spec import ConfigError
from data.base import Supervised

BASE_DEMO = "lenet5_digits"
PRUNE_METHODS = {
    "global": "Unstructured, global: one magnitude threshold over every weight of the network",
    "layer": "Unstructured, layer by layer: each layer loses the same share of its weights",
    "channels": "Structured: whole filters / units with the smallest L2 norm (not the output layer)",
}
QUANT_MODES = {
    "int8_weight_only": "int8 weight-only (torchao Int8WeightOnlyConfig)",
    "int8_dynamic": "int8 dynamic: int8 weights and activations "
    "(torchao Int8DynamicActivationInt8WeightConfig)",
    "int4_weight_only": "int4 weight-only (torchao Int4WeightOnlyConfig)",
}
_lock = threading.Lock()
_base: dict[str, Any] = {}

# ------------------------------------------------------------------------------------------- base


def _load_base() -> dict[str, Any]:
    from training import demos

    with _lock:
        if not _base:
            if not demos.available(BASE_DEMO):
                try:
                    demos.build(BASE_DEMO)
                except OSError:  # a read-only checkout: train it in memory instead
                    t = demos.trainer(BASE_DEMO, "cpu")
                    t.step(t.num_steps)
                    _base.update(state=t.model.state_dict(), config=t.config, arch=t.arch, data=t.data)
                    return _base
            t = demos.load(BASE_DEMO, device="cpu")
            _base.update(state=copy.deepcopy(t.model.state_dict()), config=t.config, arch=t.arch, data=t.data)
        return _base


def base_model() -> nn.Module:
    """A fresh copy of the trained base model, in eval mode, on the CPU."""
    b = _load_base()
    m = archs.build_from_config(archs.get_arch(b["arch"]), b["config"])
    m.load_state_dict(b["state"])
    return m.eval()


def base_config():
    return _load_base()["config"]


def base_data() -> Supervised:
    """The digits (28×28) the base model was trained on, with their validation and test splits."""
    return _load_base()["data"]


@torch.no_grad()
def accuracy(model: nn.Module, data: Supervised | None = None, split: str = "test") -> float:
    data = data or base_data()
    x, y = data.splits()[split]
    was = model.training
    model.eval()
    pred = model(torch.as_tensor(np.ascontiguousarray(x))).argmax(-1).numpy()
    model.train(was)
    return float((pred == y).mean())


# ---------------------------------------------------------------------------------------- pruning


def check_sparsity(sparsity: float) -> float:
    if not (isinstance(sparsity, (int, float)) and 0.0 <= sparsity < 1.0):
        raise ConfigError(
            f"The sparsity is the share of weights removed: at least 0 and below 1 (1 would remove every "
            f"weight), not {sparsity}."
        )
    return float(sparsity)


def prunable(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """Every convolution and fully connected layer, in order (name, module)."""
    return [(n, m) for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def prune_model(model: nn.Module, method: str, sparsity: float) -> nn.Module:
    """Prune ``model`` in place with torch.nn.utils.prune (the masks stay as forward pre-hooks, so it can
    be fine-tuned with the pruned weights held at zero); returns it."""
    sparsity = check_sparsity(sparsity)
    if method not in PRUNE_METHODS:
        raise ConfigError(f"Unknown pruning method {method!r}; choose one of {', '.join(PRUNE_METHODS)}.")
    layers = [m for _, m in prunable(model)]
    if method == "global":
        prune.global_unstructured(
            [(m, "weight") for m in layers], pruning_method=prune.L1Unstructured, amount=sparsity
        )
    elif method == "layer":
        for m in layers:
            prune.l1_unstructured(m, "weight", amount=sparsity)
    else:  # whole output channels (conv) or units (linear); the output layer keeps every class
        for m in layers[:-1]:
            prune.ln_structured(m, "weight", amount=sparsity, n=2, dim=0)
            kept = m.weight_mask.flatten(1).any(1)  # (C_out,) rows that survive
            if m.bias is not None:  # a removed channel must not pass its bias on either
                prune.custom_from_mask(m, "bias", mask=kept.to(m.bias.dtype))
        for m in layers[-1:]:
            prune.identity(m, "weight")
    return model


def weight_sparsity(model: nn.Module) -> float:
    """The share of zero weights over every conv and linear weight tensor."""
    ws = [m.weight for _, m in prunable(model)]
    total = sum(w.numel() for w in ws)
    return float(sum(int((w == 0).sum()) for w in ws) / total)


def finalize(model: nn.Module) -> nn.Module:
    """Make the pruning permanent (the zeros written into ``weight``, masks and hooks removed)."""
    for _, m in prunable(model):
        for name in ("weight", "bias"):
            if prune.is_pruned(m) and hasattr(m, f"{name}_mask"):
                prune.remove(m, name)
    return model


def weight_values(model: nn.Module) -> np.ndarray:
    """Every conv and linear weight as one flat array (pruned ones are zeros)."""
    return np.concatenate([m.weight.detach().flatten().numpy() for _, m in prunable(model)])


def sparsity_curve(method: str, levels=(0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)) -> dict[str, list[float]]:
    """Test accuracy of the base model pruned to each level, without fine-tuning."""
    acc, real = [], []
    for s in levels:
        m = prune_model(base_model(), method, s)
        acc.append(accuracy(m))
        real.append(weight_sparsity(m))
    return {"sparsity": [float(s) for s in levels], "weight_sparsity": real, "acc": acc}


# ------------------------------------------------------------------------------------ quantization


def quantize(model: nn.Module, mode: str) -> nn.Module:
    """A quantized copy of ``model`` (torchao, on its Linear layers); a mode this machine cannot run is a
    ConfigError with a sentence."""
    from torchao.quantization import (
        Int4WeightOnlyConfig,
        Int8DynamicActivationInt8WeightConfig,
        Int8WeightOnlyConfig,
        quantize_,
    )

    configs = {
        "int8_weight_only": Int8WeightOnlyConfig,
        "int8_dynamic": Int8DynamicActivationInt8WeightConfig,
        "int4_weight_only": Int4WeightOnlyConfig,
    }
    if mode not in configs:
        raise ConfigError(f"Unknown quantization mode {mode!r}; choose one of {', '.join(QUANT_MODES)}.")
    q = copy.deepcopy(model).eval()
    try:
        quantize_(q, configs[mode]())
        converted = [n for n, m in q.named_modules() if isinstance(m, nn.Linear) and _is_quantized(m.weight)]
        if not converted:
            raise RuntimeError("no layer was converted")
        with torch.no_grad():
            q(torch.zeros(1, *_input_shape(model)))
    except (RuntimeError, NotImplementedError, ValueError, AssertionError, ImportError) as e:
        raise ConfigError(
            f"torchao cannot run {QUANT_MODES[mode]} on this CPU ({str(e).splitlines()[0][:120]}); its "
            "kernels for that mode need a GPU. Choose int8 weight-only or int8 dynamic."
        ) from e
    return q


def _is_quantized(w: torch.Tensor) -> bool:
    return type(w) not in (torch.Tensor, nn.Parameter)


def _input_shape(model: nn.Module) -> tuple[int, ...]:
    first = prunable(model)[0][1]
    return (first.in_channels, 28, 28) if isinstance(first, nn.Conv2d) else (first.in_features,)


def tensor_bytes(t: torch.Tensor) -> int:
    """Bytes a tensor stores; a torchao tensor subclass counts its inner tensors (int8 data, scales,
    zero points)."""
    if hasattr(t, "__tensor_flatten__") and _is_quantized(t):
        names, _ = t.__tensor_flatten__()
        return sum(tensor_bytes(getattr(t, n)) for n in names if getattr(t, n, None) is not None)
    return t.numel() * t.element_size()


def model_bytes(model: nn.Module) -> int:
    """Bytes of every parameter and buffer as stored (pruned weights still count: the tensors are dense)."""
    seen = {**dict(model.named_parameters()), **dict(model.named_buffers())}
    return sum(tensor_bytes(t) for k, t in seen.items() if not k.endswith("_mask"))


def sparse_bytes(model: nn.Module) -> int:
    """Bytes if every weight matrix were stored sparse (CSR: a 4-byte value and a 2-byte column index per
    nonzero, a 4-byte pointer per row); biases dense."""
    total = 0
    for _, m in prunable(model):
        w = m.weight.detach()
        total += int((w != 0).sum()) * 6 + 4 * (w.shape[0] + 1)
        total += 0 if m.bias is None else m.bias.numel() * 4
    return total


@torch.no_grad()
def latency_ms(model: nn.Module, batch: int = 64, repeats: int = 30, warmup: int = 5) -> float:
    """Median wall time of one forward pass of ``batch`` digits on this CPU, in milliseconds."""
    x = torch.as_tensor(np.ascontiguousarray(base_data().x_test[:1])).repeat(batch, 1, 1, 1)
    model.eval()
    for _ in range(warmup):
        model(x)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model(x)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e3)


@torch.no_grad()
def layer_errors(ref: nn.Module, other: nn.Module, examples: int = 128) -> dict[str, float]:
    """Signal-to-quantization-noise ratio (dB) of every conv and linear layer's output, ``other`` against
    ``ref`` on test digits: 10·log10(‖y‖² / ‖y − ŷ‖²); higher is closer (each int8 bit is about 6 dB)."""
    x = torch.as_tensor(np.ascontiguousarray(base_data().x_test[:examples]))
    outs: dict[str, dict[str, torch.Tensor]] = {"ref": {}, "other": {}}
    hooks = []
    for tag, model in (("ref", ref), ("other", other)):
        for name, m in prunable(model):
            hooks.append(
                m.register_forward_hook(lambda _m, _i, o, tag=tag, name=name: outs[tag].__setitem__(name, o))
            )
    try:
        ref.eval()(x)
        other.eval()(x)
    finally:
        for h in hooks:
            h.remove()
    return {
        n: float(10 * torch.log10(y.pow(2).sum() / (y - outs["other"][n]).pow(2).sum().clamp_min(1e-20)))
        for n, y in outs["ref"].items()
    }


class FakeQuant(nn.Module):
    """A parametrization that rounds a weight to a symmetric ``bits``-bit grid per output row, in the
    forward pass only: the straight-through estimator passes the gradient unchanged (inside the clip
    range), so training learns weights that survive rounding."""

    def __init__(self, bits: int = 8):
        super().__init__()
        if not 2 <= bits <= 8:
            raise ConfigError(f"Fake quantization simulates 2 to 8 bits, not {bits}.")
        self.qmax = 2 ** (bits - 1) - 1

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        scale = (w.detach().flatten(1).abs().amax(1) / self.qmax).clamp_min(1e-8)  # (C_out,)
        zero = torch.zeros_like(scale, dtype=torch.int32)
        return torch.fake_quantize_per_channel_affine(w, scale, zero, 0, -self.qmax, self.qmax)


def add_fake_quant(model: nn.Module, bits: int = 8) -> nn.Module:
    """Fake-quantize every Linear weight of ``model`` in place (the layers torchao converts)."""
    for _, m in prunable(model):
        if isinstance(m, nn.Linear):
            parametrize.register_parametrization(m, "weight", FakeQuant(bits))
    return model


def strip_fake_quant(model: nn.Module) -> nn.Module:
    """Replace each fake-quantized weight by its rounded value (ready for torchao's int8 conversion)."""
    for _, m in prunable(model):
        if parametrize.is_parametrized(m, "weight"):
            parametrize.remove_parametrizations(m, "weight", leave_parametrized=True)
    return model


def quant_report(modes=("int8_weight_only", "int8_dynamic"), latency: bool = True) -> list[dict]:
    """fp32 against each mode on the base model: bytes, their share of fp32, test accuracy, latency (ms
    for 64 digits) and each layer's SQNR."""
    ref = base_model()
    rows = [_row("fp32", ref, ref, latency)]
    for mode in modes:
        rows.append(_row(mode, quantize(ref, mode), ref, latency))
    for r in rows:
        r["size_ratio"] = r["bytes"] / rows[0]["bytes"]
    return rows


def _row(name: str, model: nn.Module, ref: nn.Module, latency: bool) -> dict:
    return dict(
        method=name,
        bytes=model_bytes(model),
        acc=accuracy(model),
        latency_ms=latency_ms(model) if latency else float("nan"),
        sqnr=layer_errors(ref, model) if model is not ref else {},
    )


# ----------------------------------------------------------------------------------- distillation


def distill_loss(
    student: torch.Tensor, teacher: torch.Tensor, y: torch.Tensor, temperature: float, alpha: float
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Hinton et al.'s loss: alpha · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − alpha) · CE(s, y)."""
    check_distill(temperature, alpha)
    hard = F.cross_entropy(student, y)
    soft = F.kl_div(
        F.log_softmax(student / temperature, -1), F.log_softmax(teacher / temperature, -1),
        reduction="batchmean", log_target=True,
    ) * temperature**2  # fmt: skip
    return alpha * soft + (1 - alpha) * hard, {"soft": soft.detach(), "hard": hard.detach()}


def check_distill(temperature: float, alpha: float) -> None:
    if not temperature > 0:
        raise ConfigError(f"The temperature T must be positive (1 is the plain softmax), not {temperature}.")
    if not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"The weight alpha of the teacher's soft targets is between 0 and 1, not {alpha}.")


def soft_targets(logits: torch.Tensor, temperatures=(1, 2, 4, 8)) -> dict[float, np.ndarray]:
    """softmax(z / T) at each temperature: the dark knowledge a higher T reveals."""
    return {float(t): F.softmax(logits / t, -1).detach().numpy() for t in temperatures}


# ---------------------------------------------------------------------------------------- summary


def summary(seed: int = 0, steps: int = 200, latency: bool = True) -> list[dict]:
    """One row per method on the same test digits: method, bytes stored, bytes if stored sparse, test
    accuracy, latency (ms for 64 digits) and speed against fp32 (> 1 is faster). The pruned and distilled
    rows train here with their recipes (``steps`` of fine-tuning; the student its recipe's budget)."""
    from training.recipes import get_recipe

    ref = base_model()
    rows = [_summary_row("fp32 base (LeNet-5)", ref, latency)]
    for mode in ("int8_weight_only", "int8_dynamic"):
        rows.append(_summary_row(f"torchao {mode.replace('_', ' ')}", quantize(ref, mode), latency))
    for method, s in (("global", 0.9), ("channels", 0.5)):
        t = get_recipe("prune_digits").trainer(method=method, sparsity=s, num_steps=steps, seed=seed)
        t.step(t.num_steps)
        rows.append(_summary_row(f"pruned {method} {s:.0%} + fine-tuned", finalize(t.model).eval(), latency))
    t = get_recipe("distill_digits").trainer(seed=seed)
    t.step(t.num_steps)
    rows.append(_summary_row("distilled student (T = 8, alpha = 0.9)", t.model.eval(), latency))
    for r in rows:
        r["size_vs_fp32"] = r["bytes"] / rows[0]["bytes"]
        r["speed_vs_fp32"] = rows[0]["latency_ms"] / r["latency_ms"] if latency else float("nan")
    return rows


def _summary_row(name: str, model: nn.Module, latency: bool) -> dict:
    quantized = any(_is_quantized(m.weight) for _, m in prunable(model))
    return dict(
        method=name,
        bytes=model_bytes(model),
        sparse_bytes=None if quantized or weight_sparsity(model) == 0 else sparse_bytes(model),
        acc=accuracy(model),
        latency_ms=latency_ms(model) if latency else float("nan"),
    )
