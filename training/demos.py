"""Demo models: small checkpoints produced by the atlas's own recipes, so that a page can show a trained
model at once instead of an empty view.

Each demo is a row of ``DEMOS``: a recipe and the exact overrides (seed, steps, sizes) that produce it —
the settings the page's widgets have by default. ``build(name)`` trains it with that recipe to the end
and writes ``demos/<name>.safetensors``: an ordinary ArchAtlas checkpoint (``save_checkpoint``: the
weights, the architecture and its config) whose metadata also holds the demo's record — recipe,
overrides, the step count, the whole history, the samples seen and seconds spent. A trainer that keeps
more state for its views (the GAN trainers' snapshots of the fixed latent batch) gets a second file,
``demos/<name>.snapshots.safetensors`` (tensors only, never a pickle).

``load(name)`` rebuilds the Trainer from the same recipe and overrides, checks the file against it
(``load_checkpoint``'s checks: format, architecture, config, every tensor's name and shape; then the
demo's own record), and restores the weights, step count and history, so every view that reads a
trained job works unchanged. The optimizer's moments are not kept: a demo is a finished run, not one
to resume. One command rebuilds them all (or the ones named):

    python -m training.demos build [names]     # python -m training.demos list: sizes and steps

Training on the CPU with the same torch version reproduces the files exactly (same seed, same tensors);
``tests/test_demos.py`` checks it for the smallest demo.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from training.checkpoints import CheckpointError, load_checkpoint, read_metadata, save_checkpoint
from training.recipes import get_recipe
from training.trainer import Trainer

DEMO_FORMAT = "archatlas-demo-1"
DEMO_DIR = Path(__file__).resolve().parent.parent / "demos"


class DemoError(ValueError):
    """A demo that cannot be loaded (missing, built with other settings, corrupt), as a sentence."""


@dataclass(frozen=True)
class Demo:
    """One demo model: ``recipe`` trained with ``overrides`` (everything but the device)."""

    name: str
    recipe: str
    title: str
    overrides: dict[str, Any] = field(default_factory=dict)


DEMOS: dict[str, Demo] = {
    d.name: d
    for d in (
        Demo(
            "vae_digits",
            "vae_digits",
            "VAE (tiny: 2-number code) on 8×8 digits, 2,000 steps",
            dict(arch="vae", size=8, lr=2e-3, batch_size=64, num_steps=2000, seed=0),
        ),
        Demo(
            "dcgan_digits",
            "dcgan_digits",
            "DCGAN (tiny) on 16×16 digits, 1,500 steps",
            dict(arch="dcgan", gan_loss="auto", num_steps=1500, seed=0),
        ),
        Demo(
            "pix2pix_shapes",
            "pix2pix_shapes",
            "pix2pix (tiny): outline → filled shape, 1,000 steps",
            dict(num_steps=1000, l1_weight=100.0, seed=0),
        ),
        Demo(
            "ddpm_2d",
            "ddpm_2d",
            "DDPM MLP on the swiss roll (linear schedule, T = 200), 2,000 steps",
            dict(name="swiss_roll", schedule="linear", timesteps=200, num_steps=2000, seed=0),
        ),
        Demo(
            "ddpm_digits",
            "ddpm_digits",
            "Class-conditional DDPM U-Net on 8×8 digits, 2,000 steps",
            dict(size=8, num_classes=10, base_channels=16, attn_resolutions=(4,), num_steps=2000, seed=0),
        ),
        Demo(
            "ldm_shapes",
            "ldm_shapes",
            "Latent diffusion on 16×16 captioned shapes, 2,500 steps",
            dict(size=16, attn_resolutions=(8, 4), num_steps=2500, seed=0),
        ),
        Demo(
            "seq2seq_dates",
            "seq2seq_dates",
            "Seq2seq with Bahdanau attention on dates (64 hidden units), 600 steps",
            dict(num_steps=600, lr=5e-3, hidden_dim=64, seed=0),
        ),
        Demo(
            "yolo_shapes",
            "yolo_shapes",
            "YOLOv8n (tiny) on 64×64 shape scenes, 600 steps",
            dict(arch="yolov8n", num_steps=600, seed=0),
        ),
        Demo(
            "rcnn_shapes",
            "rcnn_shapes",
            "Mask R-CNN (tiny) on 64×64 shape scenes, 400 steps",
            dict(arch="mask_rcnn", num_steps=400, seed=0),
        ),
        # issue 22: Compression
        Demo(
            "lenet5_digits",
            "cnn_digits",
            "LeNet-5 (6/16 filters, 120/84 units, ReLU, max-pool) on 28×28 digits, 600 steps: the "
            "Compression page's base model",
            dict(arch="lenet5", size=28, channels=(6, 16), hidden_dims=(120, 84), num_steps=600, seed=0),
        ),
        # issue 23: back-translation
        Demo(
            "translate_en_pivot",
            "translate_en_pivot",
            "Seq2seq with attention, English → made-up pivot language (reviews), 400 steps",
            dict(num_steps=400, seed=0),
        ),
        Demo(
            "translate_pivot_en",
            "translate_pivot_en",
            "Seq2seq with attention, made-up pivot language → English (reviews), 400 steps",
            dict(num_steps=400, seed=0),
        ),
        # issue 22: transfer learning
        Demo(
            "transfer_source_digits",
            "transfer_source",
            "A residual CNN pre-trained on digits 0-4 (8×8) moved at random and at four quarter turns (20 "
            "classes: digit and turn), 800 steps: the transfer page's source",
            dict(source="digits", num_steps=800, seed=0),
        ),
        Demo(
            "transfer_source_shapes",
            "transfer_source",
            "A residual CNN pre-trained on six kinds of shapes (8×8) moved at random, 800 steps: the "
            "transfer page's source",
            dict(source="shapes", quarter_turns=False, num_steps=800, seed=0),
        ),
    )
}


# ------------------------------------------------------------------------------------------ files


def _demo(name: str) -> Demo:
    if name not in DEMOS:
        raise DemoError(f"There is no demo model called {name!r}; the demos are {', '.join(DEMOS)}.")
    return DEMOS[name]


def demo_dirs() -> list[Path]:
    """Where demo files are looked for, in order: ``$ARCHATLAS_DEMO_DIR`` if set, then ``demos/``."""
    env = os.environ.get("ARCHATLAS_DEMO_DIR")
    return [Path(env), DEMO_DIR] if env else [DEMO_DIR]


def build_dir() -> Path:
    """Where a demo built by the app is saved: ``$ARCHATLAS_DEMO_DIR`` if set (a server whose checkout
    is read-only), else ``demos/``."""
    return Path(os.environ.get("ARCHATLAS_DEMO_DIR") or DEMO_DIR)


def path(name: str) -> Path | None:
    """The demo's file, or None if it has not been built."""
    _demo(name)
    files = [d / f"{name}.safetensors" for d in demo_dirs()]
    return next((f for f in files if f.is_file()), None)


def available(name: str) -> bool:
    return path(name) is not None


def _json(v: Any) -> Any:
    """Overrides as JSON: tuples become lists, so a stored record compares equal to the table's."""
    return json.loads(json.dumps(v))


# ------------------------------------------------------------------------------------- training


def trainer(name: str, device: str | torch.device | None = None) -> Trainer:
    """A fresh, untrained Trainer of the demo's recipe and overrides (on ``device``, else the default)."""
    d = _demo(name)
    kw = dict(d.overrides)
    if device is not None:
        kw["device"] = device
    return get_recipe(d.recipe).trainer(**kw)


def build(name: str, out_dir: Path | None = None, device: str = "cpu", log=None) -> Path:
    """Train the demo to its last step with its recipe and write its file(s); returns the path. On the
    CPU it trains on one thread: sums split across threads may round differently, and a rebuild on any
    machine should give the same tensors."""
    threads = torch.get_num_threads()
    if device == "cpu":
        torch.set_num_threads(1)
    try:
        t = trainer(name, device)
        t0 = time.perf_counter()
        while not t.finished:
            t.run_for(5.0)
            if log:
                log(f"{name}: step {t.step_count:,} / {t.num_steps:,} ({time.perf_counter() - t0:.0f} s)")
    finally:
        torch.set_num_threads(threads)
    if t.status == "failed":
        raise DemoError(f"Building the demo {name} failed: {t.message}")
    return save(name, t, out_dir)


def save(name: str, t: Trainer, out_dir: Path | None = None) -> Path:
    """Write a trained Trainer as the demo ``name`` (atomically: a half-written file is never read)."""
    d = _demo(name)
    out = Path(out_dir or build_dir())
    out.mkdir(parents=True, exist_ok=True)
    record = dict(
        format=DEMO_FORMAT,
        name=d.name,
        recipe=d.recipe,
        overrides=_json(d.overrides),
        step=t.step_count,
        history=[{k: _short(v) for k, v in row.items()} for row in t.history],
        samples_seen=t.samples_seen,
        train_seconds=round(t.train_seconds, 1),
        device=t.device.type,
        status=t.status,
        message=t.message,
        warning=t.warning,
        torch=torch.__version__,
    )
    meta = json.dumps(record, separators=(",", ":"))
    blob = save_checkpoint(t.model, t.arch, t.config, extra={"demo": meta})
    target = out / f"{name}.safetensors"
    _write(target, blob)
    snaps = getattr(t, "sample_snapshots", None)
    if snaps:  # the GAN trainers' fixed-batch samples at every evaluation, for the slider through time
        steps = torch.tensor([s for s, _ in snaps], dtype=torch.int64)
        images = torch.from_numpy(np.stack([im for _, im in snaps])).to(torch.float16)
        _write(out / f"{name}.snapshots.safetensors", st_save({"steps": steps, "images": images}))
    return target


def _short(v: Any) -> Any:
    """A logged float written with the fewest digits that still read back as the same float32 (the
    losses are float32 on the device): half the size of Python's 17 digits."""
    return float(str(np.float32(v))) if isinstance(v, float) and math.isfinite(v) else v


def _write(target: Path, blob: bytes) -> None:
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(blob)
    tmp.replace(target)


# ---------------------------------------------------------------------------------------- loading


def _record(name: str, data: bytes, where: Path) -> dict:
    meta = read_metadata(data)
    try:
        rec = json.loads(meta["demo"])
    except (KeyError, json.JSONDecodeError) as e:
        raise DemoError(f"{where} is a checkpoint but not a demo model (it has no demo record).") from e
    d = _demo(name)
    if rec.get("format") != DEMO_FORMAT or rec.get("name") != name or rec.get("recipe") != d.recipe:
        raise DemoError(
            f"{where} is not the demo {name} (it says {rec.get('name')!r}, {rec.get('recipe')!r})."
        )
    if rec.get("overrides") != _json(d.overrides):
        raise DemoError(
            f"{where} was built with other settings ({rec.get('overrides')}) than the demo table's "
            f"({_json(d.overrides)}); rebuild it: python -m training.demos build {name}"
        )
    return rec


def load(name: str, device: str | torch.device | None = None, like: Trainer | None = None) -> Trainer:
    """The demo's Trainer: rebuilt from its recipe, with the file's weights, step count and history.

    ``like``: a trainer built from a page's current settings; the demo must have been made with the same
    ones (``mismatch``), else DemoError says which setting differs. Any file that does not fit (not a
    checkpoint, another architecture or config, a tensor of another shape) raises DemoError."""
    p = path(name)
    if p is None:
        raise DemoError(
            f"The demo model {name} has not been built on this server; build it with "
            f"python -m training.demos build {name}"
        )
    t = trainer(name, device if device is not None else (like.device if like is not None else None))
    if like is not None and (why := mismatch(t, like)):
        raise DemoError(f"The demo model was trained with other settings: {why}")
    data = p.read_bytes()
    try:
        rec = _record(name, data, p)
        model, arch, config = load_checkpoint(data)
    except CheckpointError as e:
        raise DemoError(f"{p.name} cannot be loaded: {e}") from e
    if arch != t.arch or config != t.config:
        raise DemoError(
            f"{p.name} holds {arch} with {config}, but the recipe now builds {t.arch} with {t.config}; "
            f"rebuild it: python -m training.demos build {name}"
        )
    t.model.load_state_dict(model.state_dict())
    t.demo = name  # views may say that they show the demo
    _restore(t, rec)
    _restore_snapshots(t, p.with_name(f"{name}.snapshots.safetensors"))
    return t


def _restore(t: Trainer, rec: dict) -> None:
    t.step_count = int(rec["step"])
    t.history = list(rec["history"])
    t.samples_seen, t.train_seconds = int(rec["samples_seen"]), float(rec["train_seconds"])
    first = next((r["loss"] for r in t.history if "loss" in r), None)
    t._ref_loss = abs(first) if first is not None and math.isfinite(first) else None
    steps = f"{t.step_count:,} steps" + (f" of {t.num_steps:,}" if t.step_count < t.num_steps else "")
    t.status = "done" if t.step_count >= t.num_steps else "paused"
    t.message = f"Demo model: trained by the atlas's recipe for {steps} (seed {_demo_seed(rec)})."
    t.warning = t.diagnose() if t.status == "done" else None  # today's diagnosis of the run's history
    stage_done = getattr(t, "ae_steps", None)
    if stage_done is not None and t.step_count >= stage_done:  # latent diffusion: past the autoencoder stage
        scale = t.model.latent_scale.clone()
        t.freeze_autoencoder()
        t.model.latent_scale.copy_(scale)  # the stored scale, not one recomputed on this device


def _demo_seed(rec: dict) -> int:
    return int(rec.get("overrides", {}).get("seed", 0))


def _restore_snapshots(t: Trainer, p: Path) -> None:
    if not hasattr(t, "sample_snapshots"):
        return
    if not p.is_file():  # only the start (from the fresh trainer) and the loaded model's samples now
        t.sample_snapshots = [*t.sample_snapshots[:1], (t.step_count, t.fixed_samples())]
        return
    try:
        got = st_load(p.read_bytes())
        steps, images = got["steps"].tolist(), got["images"].float().numpy()
    except (SafetensorError, KeyError, ValueError, RuntimeError) as e:
        raise DemoError(f"{p.name} is corrupt: {e}") from e
    if len(steps) != len(images) or images.shape[1:] != t.sample_snapshots[0][1].shape:
        raise DemoError(f"{p.name} holds samples of another shape; rebuild the demo.")
    t.sample_snapshots = list(zip(steps, images, strict=True))


# -------------------------------------------------------------------------------------- matching


def describe(t: Trainer) -> dict[str, Any]:
    """What a trainer was made from, as comparable values: recipe and architecture, config, training
    settings, the data's name and shapes, and the task's settings. The seed and the device are left out:
    a demo trained with seed 0 on the CPU is the same demo under another seed or on a GPU."""
    task = {
        k: v
        for k, v in vars(t.task).items()
        if k != "stage" and isinstance(v, (int, float, str, bool, type(None), tuple))
    }
    if (sched := getattr(t.task, "schedule", None)) is not None:
        task["schedule"] = f"{sched.kind}, T = {sched.T}"
    return {
        "recipe": t.name,
        **{f.name: getattr(t.config, f.name) for f in _fields(t.config)},
        "optimizer": t.optimizer_name,
        "lr": t.lr,
        "batch_size": t.batch_size,
        "num_steps": t.num_steps,
        "data": f"{t.data.name} {tuple(t.data.x_train.shape)}",
        **task,
    }


def _fields(config: Any):
    return dataclasses.fields(config) if dataclasses.is_dataclass(config) else ()


def mismatch(demo: Trainer, other: Trainer) -> str | None:
    """None if both trainers were made from the same settings, else a sentence naming the differences."""
    a, b = describe(demo), describe(other)
    diff = [k for k in sorted(set(a) | set(b)) if a.get(k, "—") != b.get(k, "—")]
    if not diff:
        return None
    return "; ".join(f"{k} = {a.get(k, '—')} (here {b.get(k, '—')})" for k in diff[:4]) + "."


# ------------------------------------------------------------------------------------------- CLI


def main(argv: list[str]) -> int:
    """``build [names]`` (all when none) or ``list``."""
    if not argv or argv[0] not in ("build", "list"):
        print("usage: python -m training.demos build [names] | list")
        return 2
    names = argv[1:] or list(DEMOS)
    unknown = [n for n in names if n not in DEMOS]
    if unknown:
        print(f"unknown demo(s): {', '.join(unknown)}; the demos are {', '.join(DEMOS)}")
        return 2
    for n in names:
        if argv[0] == "list":
            p = path(n)
            size = f"{p.stat().st_size / 1e3:,.0f} kB" if p else "not built"
            print(f"{n:16} {size:>10}  {DEMOS[n].title}")
            continue
        t0 = time.perf_counter()
        p = build(n, log=lambda s: print(s, flush=True))
        print(f"{n}: wrote {p} ({p.stat().st_size / 1e3:,.0f} kB) in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
