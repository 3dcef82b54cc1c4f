"""Checkpoints as safetensors: weights plus the architecture's name and config, never pickled code.

``save_checkpoint`` returns bytes (for a download button) holding every tensor of the model's state
dict and, in the safetensors metadata, the architecture name, its config as JSON and the library
version. ``load_checkpoint`` refuses anything that is not a well-formed safetensors file of a
registered architecture whose tensors match the model built from the stored config: oversized
files, pickles (``torch.save`` zips and raw pickles are recognised and refused by name), corrupt
headers, unknown architectures, impossible configs and mismatched shapes all raise CheckpointError
with a sentence for the user.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save
from torch import nn

import archs
from archs.spec import ConfigError

MAX_BYTES = 200 * 2**20
FORMAT = "archatlas-checkpoint-1"


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded, with the reason in a sentence."""


def save_checkpoint(model: nn.Module, arch: str, config: Any, extra: dict[str, str] | None = None) -> bytes:
    cfg = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(config).items()}
    # clone: tied weights (T5's and BART's shared embedding) are one tensor under several names, which
    # safetensors refuses to write; each name gets its own copy, and loading ties them again
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    meta = {"format": FORMAT, "arch": arch, "config": json.dumps(cfg), **(extra or {})}
    return st_save(state, metadata=meta)


def _looks_like_safetensors(data: bytes) -> bool:
    """An 8-byte header length that fits the file, then the header's opening brace. The length's first
    bytes can be anything (0x80 for a header of 128 + 256·k bytes), so this is checked before sniffing
    for other formats by their first bytes."""
    n = int.from_bytes(data[:8], "little")
    return 0 < n and 8 + n <= len(data) and data[8:9] == b"{"


def _sniff(data: bytes) -> None:
    if _looks_like_safetensors(data):
        return
    if data[:2] == b"PK":
        raise CheckpointError(
            "This is a zip archive (a torch.save file, which can carry code). Only "
            ".safetensors checkpoints are accepted."
        )
    if data[:1] == b"\x80" or data[:2] in (b"(d", b"(l", b"}q", b"]q"):
        raise CheckpointError(
            "This is a Python pickle, which can carry code. Only .safetensors checkpoints are accepted."
        )


def read_metadata(data: bytes) -> dict[str, str]:
    """The metadata of a safetensors file, checked for size and form before anything is loaded."""
    if len(data) > MAX_BYTES:
        raise CheckpointError(
            f"The file is {len(data) / 2**20:.0f} MB; checkpoints are limited to {MAX_BYTES // 2**20} MB."
        )
    if len(data) < 8:
        raise CheckpointError("The file is too short to be a safetensors checkpoint.")
    _sniff(data)
    n = int.from_bytes(data[:8], "little")
    if n <= 0 or 8 + n > len(data) or n > 10 * 2**20:
        raise CheckpointError("The file is not a safetensors checkpoint (its header is malformed).")
    try:
        header = json.loads(data[8 : 8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError("The file is not a safetensors checkpoint (its header is not JSON).") from e
    meta = header.get("__metadata__") or {}
    if meta.get("format") != FORMAT:
        raise CheckpointError(
            "This safetensors file was not saved by ArchAtlas: it does not say which "
            "architecture and configuration its weights belong to."
        )
    return meta


def load_checkpoint(data: bytes, device: str | torch.device = "cpu") -> tuple[nn.Module, str, Any]:
    """(model with the weights, architecture name, config) from checkpoint bytes."""
    meta = read_metadata(data)
    try:
        spec = archs.get_arch(meta["arch"])
    except KeyError as e:
        raise CheckpointError(f"The checkpoint is for an architecture this atlas does not have: {e}") from e
    try:
        raw = json.loads(meta["config"])
        names = {f.name for f in spec.fields}
        config = spec.make_config("tiny", **{k: v for k, v in raw.items() if k in names})
    except (KeyError, json.JSONDecodeError, ConfigError, TypeError) as e:
        raise CheckpointError(f"The checkpoint's configuration is not valid for {spec.title}: {e}") from e
    try:
        state = st_load(data)
    except (SafetensorError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"The checkpoint's tensors are corrupt: {e}") from e
    model = archs.build_from_config(spec, config, "cpu")
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"The checkpoint does not fit {spec.title}: missing {missing[:3]}, unexpected {unexpected[:3]}."
        )
    bad = [k for k, v in state.items() if tuple(v.shape) != tuple(expected[k].shape)]
    if bad:
        raise CheckpointError(
            f"The checkpoint's tensor {bad[0]} has shape {tuple(state[bad[0]].shape)}, "
            f"but the model expects {tuple(expected[bad[0]].shape)}."
        )
    model.load_state_dict(state)
    return model.to(device), spec.name, config
