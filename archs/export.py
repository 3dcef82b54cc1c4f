"""Exports other tools open: a model as ONNX (Netron draws it, onnxruntime runs it), its config as JSON.

``onnx_export(spec, cfg)`` builds the model (seeded, eval mode), traces it on the architecture's example
input with ``torch.onnx.export`` (the TorchScript-based exporter: it needs no extra package and handles
every family here in seconds) and returns the file's bytes. What cannot be exported raises
``ExportError`` with a sentence for the page: a model too large for one ONNX file (protobuf's 2 GB
limit; counted on ``meta`` first, so GPT-3 is never built), or an operation the exporter does not
support, named. Weights alone are exported as safetensors (``training.checkpoints``); a run's history
as CSV (``training.metrics.history_csv``).
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import warnings
from typing import Any

import torch
from torch import nn
from torch.utils._pytree import tree_flatten

from archs.registry import build_from_config, count_params
from archs.spec import ArchSpec, to_device

ONNX_MAX_BYTES = 2 * 10**9 - 2**24  # one protobuf message; weights are float32
OPSET = 17


class ExportError(ValueError):
    """A model that cannot be exported, with the reason in a sentence."""


def config_dict(spec: ArchSpec, cfg: Any) -> dict:
    """The architecture's name and family and its config, as plain JSON values."""
    values = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(cfg).items()}
    return {"arch": spec.name, "title": spec.title, "family": spec.family, "config": values}


def config_json(spec: ArchSpec, cfg: Any) -> str:
    return json.dumps(config_dict(spec, cfg), indent=2, sort_keys=False) + "\n"


def _inputs(spec: ArchSpec, cfg: Any) -> tuple:
    x = to_device(spec.example_input(cfg), "cpu")
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def flat_outputs(out: Any) -> list[torch.Tensor]:
    """A model's output (a tensor, a tuple, a dict of tensors) as the flat list of tensors ONNX returns."""
    leaves, _ = tree_flatten(out)
    return [t for t in leaves if isinstance(t, torch.Tensor)]


def export_model(spec: ArchSpec, cfg: Any, seed: int = 0) -> tuple[nn.Module, tuple]:
    """The model as exported (seeded, eval mode) and its example input; refuses what is too large first."""
    n = count_params(build_from_config(spec, cfg, "meta"))
    if n * 4 > ONNX_MAX_BYTES:
        raise ExportError(
            f"{spec.title} at this size has {n:,} parameters ({n * 4 / 1e9:.1f} GB in float32): more than "
            "one ONNX file holds (2 GB). Export a smaller preset."
        )
    torch.manual_seed(seed)
    model = build_from_config(spec, cfg, "cpu").eval()
    return model, _inputs(spec, cfg)


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return (text.splitlines()[0] if text else type(e).__name__)[:300]


def _torchscript(model: nn.Module, inputs: tuple, n_out: int) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python values: the shapes are fixed
        torch.onnx.export(
            model,
            inputs,
            buf,
            dynamo=False,
            opset_version=OPSET,
            input_names=[f"input_{i}" for i in range(len(inputs))],
            output_names=[f"output_{i}" for i in range(n_out)],
            do_constant_folding=True,
        )
    return buf.getvalue()


def _dynamo(model: nn.Module, inputs: tuple) -> bytes:
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # "torchvision is not installed" notes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(model, inputs, dynamo=True, verbose=False)
    return program.model_proto.SerializeToString()


def _check(data: bytes) -> None:
    """Raise where the file's shapes do not agree: the TorchScript exporter can write a graph that
    onnxruntime refuses to load (PyG's GATConv: its per-edge softmax gives a Sub of incompatible
    shapes), which the checker's shape inference finds in milliseconds."""
    import onnx

    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)


def onnx_bytes(model: nn.Module, inputs: tuple, title: str = "the model") -> bytes:
    """``model`` traced on ``inputs`` as an ONNX file (bytes). The TorchScript-based exporter first (a
    fraction of a second for these models); where it refuses an operation (AlexNet's adaptive pooling to
    a size that does not divide the input, SAGAN's spectral norm), torch.onnx's own exporter
    (``dynamo=True``, onnxscript: seconds). A TorchScript file that the ONNX checker refuses (shapes that
    do not agree) is treated as a refusal too."""
    with torch.no_grad():
        n_out = len(flat_outputs(model(*inputs)))
    try:
        data = _torchscript(model, inputs, n_out)
        _check(data)
        return data
    except Exception as first:  # noqa: BLE001 - the exporter raises many kinds; try the other one
        try:
            return _dynamo(model, inputs)
        except Exception as e:  # noqa: BLE001
            raise ExportError(
                f"{title} cannot be exported to ONNX here: {_first_line(first)} (and torch.onnx's dynamo "
                f"exporter: {_first_line(e)})"
            ) from e


def onnx_export(spec: ArchSpec, cfg: Any, seed: int = 0) -> bytes:
    """The architecture with this config as ONNX bytes (random weights, seeded)."""
    model, inputs = export_model(spec, cfg, seed)
    return onnx_bytes(model, inputs, spec.title)
