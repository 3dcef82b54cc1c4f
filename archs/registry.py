"""The architecture registry: one ArchSpec per name, filled by ``@register`` in the family modules."""

from __future__ import annotations

import difflib
import functools
import importlib
import threading
from typing import Any

import torch
from torch import nn

from archs.spec import ArchSpec, ConfigError

_REGISTRY: dict[str, ArchSpec] = {}

# Every subpackage of ``archs`` except ``blocks`` is a family package named by its FAMILIES key; all of
# its modules are imported on first use (so ``import archs`` stays cheap and free of cycles), and each
# declares its architectures with ``register``. A new family is a new package here.
SHARED_PACKAGES = {"blocks"}

# family key -> (title, one-line description); the order is the atlas's order.
FAMILIES: dict[str, tuple[str, str]] = {
    "feedforward": (
        "Feedforward networks",
        "Perceptrons and multilayer perceptrons: layers of weighted sums and nonlinearities, "
        "trained by backpropagation.",
    ),
    "cnn": ("Convolutional networks", "Weight sharing over a grid: from LeNet to EfficientNet and ConvNeXt."),
    "rnn": (
        "Recurrent networks",
        "A state carried through time: RNN, LSTM, GRU, seq2seq, TCN.",
    ),
    "forecasting": ("Time-series forecasting", "Models that predict the next values of a series."),
    "transformer": ("Transformers", "Attention-only encoders, decoders and encoder-decoders, and ViT."),
    "autoencoder": ("Autoencoders", "Compression into a latent space and back: AE, VAE, VQ-VAE."),
    "gan": ("Generative adversarial networks", "A generator and a discriminator trained against each other."),
    "diffusion": ("Diffusion models", "Generation by learning to undo gradual noising."),
    "detection": (
        "Detection & segmentation",
        "Boxes and masks: YOLO v1/v3/v8, Faster and Mask R-CNN, U-Net and DeepLabv3+.",
    ),
    "graph": (
        "Graph neural networks",
        "Message passing on graphs: GCN, GraphSAGE, GAT, GIN and the general MPNN.",
    ),
    "energy": (
        "Energy-based & classic networks",
        "RBMs and deep belief nets, Hopfield and Boltzmann machines, deep stacking networks, SOM, RBF, ELM "
        "and echo state networks.",
    ),
    "rl": (
        "Reinforcement learning",
        "Policy and value networks that learn to act from reward: tabular Q, DQN, REINFORCE, A2C, PPO.",
    ),
    "ssl": (
        "Self-supervised learning",
        "Representations learned without labels: contrastive SimCLR, non-contrastive BYOL and masked "
        "autoencoders, measured by linear probes.",
    ),
    "beyond": (
        "Beyond attention",
        "Sequence models after the transformer and beside it: sparse mixtures of experts (Switch, Mixtral), "
        "state-space models (S4, Mamba), RWKV, and memory-augmented networks (NTM, DNC).",
    ),
    "audio": (
        "Speech & audio",
        "From waveforms to spectrograms and words: keyword-spotting CNNs, CTC, Wav2Vec 2.0 and Whisper.",
    ),
    "multimodal": (
        "Multimodal",
        "Images and text in one model: CLIP's contrastive pairs and DALL-E's tokens, captions to images.",
    ),
    "continuous": (
        "Neural ODEs, KAN & NeRF",
        "Networks as functions: a continuous-depth ODE, learnable spline activations on edges, and a "
        "coordinate MLP that stores a scene.",
    ),
    "capsules": (
        "Capsule networks",
        "Vectors instead of scalars: capsules whose length is a probability and whose routing-by-agreement "
        "picks parents.",
    ),
    "autoregressive": (
        "PixelCNN & WaveNet",
        "Exact likelihood one value at a time: masked convolutions over pixels and dilated causal "
        "convolutions over samples.",
    ),
    "flows": (
        "Normalizing flows",
        "Invertible networks with an exact likelihood: RealNVP's affine couplings and Glow's 1×1 "
        "convolutions.",
    ),
    "modern_vision": (
        "Mixer & Swin",
        "After convolution: MLP-Mixer's token- and channel-mixing MLPs and the Swin transformer's shifted "
        "windows.",
    ),
}


def register(spec: ArchSpec) -> ArchSpec:
    if spec.name in _REGISTRY:
        raise ValueError(f"architecture {spec.name!r} is registered twice")
    if spec.family not in FAMILIES:
        raise ValueError(f"{spec.name}: unknown family {spec.family!r}")
    _REGISTRY[spec.name] = spec
    return spec


def load_once(fn):
    """``fn`` run once, thread-safe: on a fresh server many sessions ask for a registry at once, and a
    session that found one half filled used to fail ("No recipe called …"); other threads wait for the
    load, while the loading thread's own nested calls (a module asking during its import) return."""
    lock, state = threading.RLock(), {"done": False, "busy": False}

    @functools.wraps(fn)
    def wrapper() -> None:
        if state["done"]:
            return
        with lock:
            if state["done"] or state["busy"]:
                return
            state["busy"] = True
            try:
                fn()
                state["done"] = True
            finally:
                state["busy"] = False

    return wrapper


@load_once
def _load() -> None:
    """Import every family package's modules (each registers its architectures)."""
    import pkgutil

    import archs

    for pkg in family_packages(archs):
        for info in pkgutil.iter_modules(pkg.__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{pkg.__name__}.{info.name}")


def family_packages(layer) -> list:
    """The family packages of one layer (``archs``, ``training``, ``ui``): its subpackages except the
    shared ones. A package whose name is not a key of FAMILIES is an error, so a typo cannot hide."""
    import pkgutil

    out = []
    for info in pkgutil.iter_modules(layer.__path__):
        if not info.ispkg or info.name in SHARED_PACKAGES or info.name.startswith("_"):
            continue
        if info.name not in FAMILIES:
            raise ValueError(f"{layer.__name__}/{info.name}/ is not a family: add its key to archs.FAMILIES")
        out.append(importlib.import_module(f"{layer.__name__}.{info.name}"))
    return out


def list_archs(family: str | None = None) -> list[ArchSpec]:
    """Every registered architecture (of one family if given), by family then year then name."""
    _load()
    if family is not None and family not in FAMILIES:
        raise KeyError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    specs = [s for s in _REGISTRY.values() if family is None or s.family == family]
    order = list(FAMILIES)
    return sorted(specs, key=lambda s: (order.index(s.family), s.year, s.name))


def get_arch(name: str) -> ArchSpec:
    """The spec called ``name``; an unknown name raises KeyError suggesting close names."""
    _load()
    if name in _REGISTRY:
        return _REGISTRY[name]
    close = difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"No architecture called {name!r}.{hint}")


def build_model(
    name: str, preset: str = "tiny", device: str | torch.device = "cpu", **overrides: Any
) -> nn.Module:
    """Build architecture ``name`` from ``preset`` with ``overrides``.

    ``device="meta"`` builds without allocating memory (parameters have shapes, no storage), so the
    published giants can be counted and traced anywhere. Raises ConfigError for impossible settings.
    """
    spec = get_arch(name)
    cfg = spec.make_config(preset, **overrides)
    return build_from_config(spec, cfg, device)


def build_from_config(spec: ArchSpec, cfg: Any, device: str | torch.device = "cpu") -> nn.Module:
    with torch.device(device):
        model = spec.build(cfg)
    if not isinstance(model, nn.Module):
        raise TypeError(f"{spec.name}.build returned {type(model).__name__}, not an nn.Module")
    return model


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Parameters of ``model``, each shared (tied) tensor counted once."""
    seen: set[int] = set()
    total = 0
    for p in model.parameters():  # parameters() already de-duplicates tied tensors
        if id(p) in seen or (trainable_only and not p.requires_grad):
            continue
        seen.add(id(p))
        total += p.numel()
    return total


__all__ = [
    "ConfigError",
    "register",
    "list_archs",
    "get_arch",
    "build_model",
    "build_from_config",
    "count_params",
    "FAMILIES",
]
