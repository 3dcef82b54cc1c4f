"""RBM: Gibbs steps per second of the atlas's ``rbm_digits`` beside scikit-learn's ``BernoulliRBM``, in the
same run, on one thread, with the same data (the binarised digits' training split, 1,169 images of 64
pixels), hidden size (64) and batch (10). ``python -m bench.rbm_bench`` prints a table with the ratios
atlas / scikit-learn (> 1: the atlas is faster).

Two rows:

- ``train``: 20 epochs of learning (2,340 updates, one Gibbs step each: the atlas's CD-1 as the recipe runs
  it, scikit-learn's PCD-1, both plain SGD at 0.1), timed end to end, with the exact pseudo-log-likelihood
  per test digit each reaches;
- ``sample``: 5,000 block Gibbs steps v → h → v of a batch of 10 chains, nothing else (the atlas's
  ``RBM.gibbs``, scikit-learn's ``BernoulliRBM.gibbs``, one call per step on both sides).

Measured on 2 shared cores, one thread (torch 2.13 CPU, scikit-learn 1.9.1), two runs in a row:

    what     atlas steps/s  sklearn steps/s  ratio   atlas PL  sklearn PL
    train       2941–3559      10918–13188    0.27     -15.48      -17.26
    sample     17569–20839     25105–34015  0.52–0.83

The atlas takes about 3.7 times as long per update (PyTorch's few microseconds per operation on 10 × 64
matrices, where scikit-learn's numpy calls take about one; the gradient is written out, not taken by
autograd, and the optimizer is torch's) and learns a better model on the same budget (CD-1 against
scikit-learn's PCD-1; the atlas's PCD reaches −16.2).
"""

from __future__ import annotations

import time

import numpy as np
import torch

SEED = 0
EPOCHS = 20
SAMPLE_STEPS = 5_000


def main() -> list[dict]:
    from sklearn.neural_network import BernoulliRBM

    import archs
    from training import get_recipe
    from training.energy.rbm import pseudo_log_likelihood

    torch.set_num_threads(1)
    # one evaluation, at the end (the recipe evaluates the exact pseudo-likelihood of every split each epoch)
    t = get_recipe("rbm_digits").trainer(seed=SEED, eval_every=EPOCHS * 117)
    x = t.data.x_train.reshape(len(t.data.x_train), -1)
    xt = torch.as_tensor(t.data.x_test.reshape(len(t.data.x_test), -1))
    t0 = time.perf_counter()
    t.step(t.num_steps)
    atlas_train = t.gibbs_steps / (time.perf_counter() - t0)
    atlas_pl = t.last_eval()["test_pl"]

    sk = BernoulliRBM(n_components=64, batch_size=10, learning_rate=0.1, n_iter=EPOCHS, random_state=SEED)
    t0 = time.perf_counter()
    sk.fit(x)
    sk_updates = EPOCHS * int(np.ceil(len(x) / 10))
    sk_train = sk_updates / (time.perf_counter() - t0)
    ref = archs.build_model("rbm", "digits")
    with torch.no_grad():
        ref.W.copy_(torch.as_tensor(sk.components_.T, dtype=torch.float32))
        ref.a.copy_(torch.as_tensor(sk.intercept_visible_, dtype=torch.float32))
        ref.b.copy_(torch.as_tensor(sk.intercept_hidden_, dtype=torch.float32))
        sk_pl = float(pseudo_log_likelihood(ref, xt).mean())

    model, v = t.model, torch.as_tensor(x[:10])
    g = torch.Generator().manual_seed(SEED)
    t0 = time.perf_counter()
    for _ in range(SAMPLE_STEPS):
        v = model.gibbs(v, 1, g)
    atlas_sample = SAMPLE_STEPS / (time.perf_counter() - t0)
    vs = x[:10].copy()
    t0 = time.perf_counter()
    for _ in range(SAMPLE_STEPS):
        vs = sk.gibbs(vs)
    sk_sample = SAMPLE_STEPS / (time.perf_counter() - t0)
    return [
        dict(what="train", atlas=atlas_train, sklearn=sk_train, atlas_pl=atlas_pl, sklearn_pl=sk_pl),
        dict(what="sample", atlas=atlas_sample, sklearn=sk_sample),
    ]


def table(rows: list[dict]) -> str:
    out = [
        f"{'what':8} {'atlas steps/s':>14} {'sklearn steps/s':>16} {'ratio':>6} "
        f"{'atlas PL':>9} {'sklearn PL':>11}"
    ]
    for r in rows:
        pl = f" {r['atlas_pl']:9.2f} {r['sklearn_pl']:11.2f}" if "atlas_pl" in r else ""
        out.append(
            f"{r['what']:8} {r['atlas']:14.0f} {r['sklearn']:16.0f} {r['atlas'] / r['sklearn']:6.2f}{pl}"
        )
    return "\n".join(out)


if __name__ == "__main__":
    print(table(main()))
