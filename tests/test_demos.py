"""Demo models (training/demos.py): the shipped files rebuild exactly from their recipes, load into a
Trainer whose step count, history and evaluation are the run's, and a file that does not fit the demo
table or the page's settings is refused with a sentence. Only the smallest demo is trained here."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from safetensors.torch import load as st_load

from tests.conftest import ROOT
from training import demos
from training.checkpoints import read_metadata, save_checkpoint
from training.recipes import get_recipe

HERE = ROOT / "demos"
SHIPPED = [n for n in demos.DEMOS if (HERE / f"{n}.safetensors").is_file()]


def _record(path) -> dict:
    return json.loads(read_metadata(path.read_bytes())["demo"])


def test_every_demo_but_latent_diffusion_is_shipped_and_small():
    # built on first use (python -m training.demos build NAME): latent diffusion (16 MB of weights) and
    # Mask R-CNN (5.8 MB); the Two-stage tab asks for a trained one instead; the transfer page's source
    # models (320 kB each, trained into the cache in about 15 s when first needed)
    built_here = {"ldm_shapes", "rcnn_shapes", "transfer_source_digits", "transfer_source_shapes"}
    assert set(SHIPPED) == set(demos.DEMOS) - built_here
    sizes = {p.name: p.stat().st_size for p in HERE.glob("*.safetensors")}
    # 6.8 MB with the YOLO demo (1.5 MB); 7.3 MB with the Engineering pages' base models and translators
    assert sum(sizes.values()) < 7.5e6, sizes


def test_build_reproduces_the_smallest_demo_exactly(tmp_path):
    """Same recipe, same overrides, same seed: the same tensors and the same history (CPU, one thread)."""
    shipped = HERE / "vae_digits.safetensors"
    built = demos.build("vae_digits", out_dir=tmp_path)
    a, b = st_load(built.read_bytes()), st_load(shipped.read_bytes())
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    ra, rb = _record(built), _record(shipped)
    assert ra["history"] == rb["history"] and ra["step"] == rb["step"] == 2000
    assert ra["overrides"] == rb["overrides"] == {**demos.DEMOS["vae_digits"].overrides}


@pytest.mark.parametrize("name", SHIPPED)
def test_load_gives_the_finished_run(name):
    t = demos.load(name)
    assert t.step_count == t.num_steps == demos.DEMOS[name].overrides["num_steps"]
    assert t.status == "done" and "Demo model" in t.message and t.demo == name
    assert t.warning is None  # every demo learned: no "did not learn" on a model shown as an example
    assert t.history[-1]["step"] == t.step_count
    if name == "vae_digits":  # the weights are the run's: evaluating them gives its last evaluation
        assert t.evaluate()["test_mse"] == pytest.approx(t.last_eval()["test_mse"], rel=1e-5)
    if hasattr(t, "sample_snapshots"):  # GANs: the fixed batch at every evaluation, for the slider
        assert len(t.sample_snapshots) > 2 and t.sample_snapshots[-1][0] == t.step_count


@pytest.fixture
def demo_dir(tmp_path, monkeypatch):
    """An empty demo directory in place of the shipped one."""
    monkeypatch.setattr(demos, "DEMO_DIR", tmp_path)
    monkeypatch.delenv("ARCHATLAS_DEMO_DIR", raising=False)
    return tmp_path


def test_files_that_do_not_fit_are_refused_with_a_sentence(demo_dir):
    target = demo_dir / "vae_digits.safetensors"
    with pytest.raises(demos.DemoError, match="has not been built"):
        demos.load("vae_digits")
    shutil.copy(HERE / "dcgan_digits.safetensors", target)  # another demo under this name
    with pytest.raises(demos.DemoError, match="is not the demo vae_digits"):
        demos.load("vae_digits")
    t = demos.trainer("vae_digits")
    target.write_bytes(save_checkpoint(t.model, t.arch, t.config))  # a checkpoint, no demo record
    with pytest.raises(demos.DemoError, match="not a demo model"):
        demos.load("vae_digits")
    demos.save("vae_digits", t, demo_dir)
    good = target.read_bytes()
    target.write_bytes(good.replace(b'\\"size\\":8', b'\\"size\\":9'))  # the table says otherwise now
    with pytest.raises(demos.DemoError, match="built with other settings"):
        demos.load("vae_digits")
    assert b'"decoder.' in good
    target.write_bytes(good.replace(b'"decoder.', b'"decodex.'))  # load_checkpoint's own checks
    with pytest.raises(demos.DemoError, match="cannot be loaded"):
        demos.load("vae_digits")
    target.write_bytes(b"\x80\x04" + b"\0" * 64)  # a pickle
    with pytest.raises(demos.DemoError, match="pickle"):
        demos.load("vae_digits")
    other = demos.trainer("dcgan_digits")
    meta = read_metadata(good)["demo"]
    target.write_bytes(save_checkpoint(other.model, other.arch, other.config, extra={"demo": meta}))
    with pytest.raises(demos.DemoError, match="holds dcgan"):
        demos.load("vae_digits")


def test_a_demo_is_checked_against_the_pages_settings():
    t = demos.trainer("vae_digits")
    assert demos.mismatch(t, demos.trainer("vae_digits")) is None
    other_seed = {**demos.DEMOS["vae_digits"].overrides, "seed": 3}
    assert demos.mismatch(t, get_recipe("vae_digits").trainer(**other_seed)) is None  # the seed is no setting
    page = get_recipe("vae_digits").trainer(arch="vae", size=8, lr=1e-3, latent_dim=3)
    why = demos.mismatch(t, page)
    assert "latent_dim = 2 (here 3)" in why and "lr = 0.002 (here 0.001)" in why
    with pytest.raises(demos.DemoError, match="trained with other settings: .*latent_dim"):
        demos.load("vae_digits", like=page)


def test_gan_snapshots_and_latent_diffusion_stage_round_trip(demo_dir):
    """What some trainers keep beside the weights: the GAN's fixed-batch samples through training, and
    latent diffusion's frozen autoencoder stage (a run saved past it must load frozen, same scale)."""
    g = demos.trainer("dcgan_digits")
    g.step(3)
    g._record_eval()
    demos.save("dcgan_digits", g, demo_dir)
    back = demos.load("dcgan_digits")
    assert [s for s, _ in back.sample_snapshots] == [0, 3]
    want = torch.from_numpy(g.fixed_samples())
    assert torch.allclose(torch.from_numpy(back.sample_snapshots[1][1]), want, atol=2e-3)  # kept as float16
    (demo_dir / "dcgan_digits.snapshots.safetensors").unlink()  # without it: the start and the end
    assert [s for s, _ in demos.load("dcgan_digits").sample_snapshots] == [0, 3]
    ldm = demos.trainer("ldm_shapes")
    ldm.step_count = ldm.ae_steps  # past the autoencoder stage (without training: the test is the state)
    ldm.freeze_autoencoder()
    demos.save("ldm_shapes", ldm, demo_dir)
    back = demos.load("ldm_shapes")
    assert back.task.stage == "denoiser" and not any(p.requires_grad for p in back.model.encoder.parameters())
    assert torch.equal(back.model.latent_scale, ldm.model.latent_scale)


def test_the_command_line_lists_and_refuses_unknown_names(capsys):
    assert demos.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "vae_digits" in out and "kB" in out
    assert demos.main(["build", "no_such_demo"]) == 2
    assert "unknown demo" in capsys.readouterr().out
