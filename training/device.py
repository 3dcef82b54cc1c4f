"""Which device trains: CUDA if present, then Apple's MPS, then the CPU."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "cuda", "mps" or "cpu"
    name: str  # the GPU's name, or the CPU's description
    memory_gb: float | None = None

    @property
    def label(self) -> str:
        return f"{self.kind.upper()} · {self.name}"


def pick_device(prefer: str | None = None) -> torch.device:
    """``prefer`` ("cuda", "mps", "cpu") if available; otherwise the best available device.
    The environment variable ARCHATLAS_DEVICE overrides the automatic choice."""
    prefer = prefer or os.environ.get("ARCHATLAS_DEVICE") or None
    if prefer == "cpu":
        return torch.device("cpu")
    if prefer in (None, "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if prefer in (None, "mps") and mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def device_info(device: torch.device | None = None) -> DeviceInfo:
    device = device or pick_device()
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return DeviceInfo("cuda", props.name, round(props.total_memory / 2**30, 1))
    if device.type == "mps":
        return DeviceInfo("mps", "Apple GPU (Metal)")
    return DeviceInfo("cpu", f"{os.cpu_count()} cores, {torch.get_num_threads()} torch threads")


def available_devices() -> list[str]:
    out = ["cpu"]
    if torch.cuda.is_available():
        out.insert(0, "cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.insert(0, "mps")
    return out
