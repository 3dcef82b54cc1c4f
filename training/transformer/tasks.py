"""Tasks of the transformer family: causal and masked language modelling, text-to-text.

CausalLM: predict character t+1 from characters ≤ t (cross-entropy over the vocabulary).
MaskedLM: BERT's objective — choose 15% of positions; of those 80% become <mask>, 10% a random
character, 10% stay; predict the original character there. Masks are drawn afresh every step
(RoBERTa's dynamic masking); evaluation uses a fixed generator so numbers are comparable.
Seq2Seq: teacher forcing (decoder input = target shifted right), loss ignores padding; the headline
metric is exact match of greedy decoding.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from data.text import BOS, EOS, MASK, PAD, SPECIALS
from training.tasks import Task


class CausalLM(Task):
    name = "causal language model"
    higher_is_better = "acc"

    def loss(self, model, x, y):
        logits = model(x)  # (B, T, V)
        return F.cross_entropy(logits.flatten(0, 1), y.flatten())

    @torch.no_grad()
    def metrics(self, model, x, y):
        logits = model(x[:512])
        y = y[:512]
        return {
            "loss": float(F.cross_entropy(logits.flatten(0, 1), y.flatten())),
            "acc": float((logits.argmax(-1) == y).float().mean()),
        }


def mask_tokens(x: torch.Tensor, vocab_size: int, p: float, gen: torch.Generator | None = None):
    """BERT's corruption: (corrupted input, boolean mask of the chosen positions)."""

    def rand(*shape):
        return torch.rand(*shape, generator=gen, device=gen.device if gen else x.device).to(x.device)

    chosen = (rand(*x.shape) < p) & (x >= len(SPECIALS))
    r = rand(*x.shape)
    random_chars = torch.randint(
        len(SPECIALS), vocab_size, x.shape, generator=gen, device=gen.device if gen else x.device
    ).to(x.device)
    inp = torch.where(chosen & (r < 0.8), torch.full_like(x, MASK), x)
    inp = torch.where(chosen & (r >= 0.8) & (r < 0.9), random_chars, inp)
    return inp, chosen


def _logits(model, inp):
    out = model(inp)
    return out[0] if isinstance(out, tuple) else out  # an encoder with a pooler returns (logits, pooled)


class MaskedLM(Task):
    name = "masked language model"
    higher_is_better = "acc"

    def __init__(self, vocab_size: int, mask_prob: float = 0.15):
        if not 0.01 <= mask_prob <= 0.9:
            raise ValueError(f"mask_prob must be between 0.01 and 0.9, not {mask_prob}")
        self.vocab_size, self.p = vocab_size, mask_prob

    def loss(self, model, x, y):
        inp, chosen = mask_tokens(x, self.vocab_size, self.p)
        logits = _logits(model, inp)  # (B, T, V)
        return F.cross_entropy(logits[chosen], y[chosen])

    @torch.no_grad()
    def metrics(self, model, x, y):
        x, y = x[:512], y[:512]
        inp, chosen = mask_tokens(x, self.vocab_size, self.p, torch.Generator().manual_seed(0))
        logits = _logits(model, inp)[chosen]
        return {
            "loss": float(F.cross_entropy(logits, y[chosen])),
            "acc": float((logits.argmax(-1) == y[chosen]).float().mean()),
        }


@torch.no_grad()
def greedy_decode(model: nn.Module, src: torch.Tensor, max_len: int) -> torch.Tensor:
    """Generate targets one token at a time, always taking the most likely; stops at <eos>.
    Returns (B, ≤ max_len) ids starting with <bos>."""
    src_pad = (src != PAD)[:, None, None, :]  # (B, 1, 1, S)
    memory, _, _ = model.encode(src, src_pad)
    out = torch.full((len(src), 1), BOS, dtype=torch.long, device=src.device)
    done = torch.zeros(len(src), dtype=torch.bool, device=src.device)
    for _ in range(max_len - 1):
        logits, _, _ = model.decode(out, memory, src_pad)
        nxt = logits[:, -1].argmax(-1).masked_fill(done, PAD)  # (B,)
        out = torch.cat([out, nxt[:, None]], 1)
        done |= nxt == EOS
        if done.all():
            break
    return out


def exact_match(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per example: the decoded answer (up to <eos>) equals the target exactly."""
    T = max(pred.shape[1], y.shape[1])
    p = F.pad(pred, (0, T - pred.shape[1]), value=PAD)
    t = F.pad(y, (0, T - y.shape[1]), value=PAD)
    return (p == t).all(1)


class Seq2Seq(Task):
    name = "text-to-text"
    higher_is_better = "acc"

    def __init__(self, max_eval: int = 256):
        self.max_eval = max_eval

    def _forward(self, model, x, y):
        src_pad = (x != PAD)[:, None, None, :]  # (B, 1, 1, S): padding is never attended to
        return model(x, y[:, :-1], src_pad)  # (B, T-1, V)

    def loss(self, model, x, y):
        logits = self._forward(model, x, y)
        return F.cross_entropy(logits.flatten(0, 1), y[:, 1:].flatten(), ignore_index=PAD)

    @torch.no_grad()
    def metrics(self, model, x, y):
        x, y = x[: self.max_eval], y[: self.max_eval]
        logits = self._forward(model, x, y)
        tgt = y[:, 1:]
        real = tgt != PAD
        pred = greedy_decode(model, x, y.shape[1])
        return {
            "loss": float(F.cross_entropy(logits.flatten(0, 1), tgt.flatten(), ignore_index=PAD)),
            "token_acc": float((logits.argmax(-1) == tgt)[real].float().mean()),
            "acc": float(exact_match(pred, y).float().mean()),
        }


# ------------------------------------------------------------------------ probes for the live page


def _dev(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def attention_arrays(model: nn.Module, *inputs: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """Run the model on the explicit path; (output, {stack: array (L, H, Tq, Tk) of the first example})."""
    inputs = tuple(t.to(_dev(model)) for t in inputs)
    out, att = model(*inputs, return_attention=True)
    arrays = {
        k: torch.stack([a[0] for a in v]).float().cpu().numpy()
        for k, v in att.items()
        if v and v[0] is not None
    }
    return out, arrays


def lm_probe(ids: list[int], vocab, n: int, temperature: float, top_k: int, top_p: float, context: int):
    """Next-token probabilities after the prompt, a sampled continuation, and the attention maps."""
    from training.sampling import generate, next_token_probs

    def probe(model):
        x = torch.tensor([ids[-context:]])
        logits, att = attention_arrays(model, x)
        probs = next_token_probs(logits[0, -1], temperature, top_k, top_p).cpu().numpy()
        sample = generate(model, ids, n, context, temperature, top_k, top_p)
        return {"probs": probs, "text": vocab.decode(sample), "attention": att}

    return probe


def fill_probe(ids: list[int], vocab, k: int = 5):
    """For each <mask> in ``ids``: the k most likely characters and their probabilities."""

    def probe(model):
        x = torch.tensor([ids])
        logits, att = attention_arrays(model, x)
        logits = logits[0] if isinstance(logits, tuple) else logits
        probs = logits[0].float().softmax(-1)  # (T, V)
        where = [i for i, t in enumerate(ids) if t == MASK]
        top = [probs[i].topk(k) for i in where]
        filled = list(ids)
        for i, (_, j) in zip(where, top, strict=True):
            filled[i] = int(j[0])
        return {
            "positions": where,
            "top": [([vocab.token(int(c)) for c in j], p.cpu().numpy()) for p, j in top],
            "filled": vocab.decode(filled),
            "attention": att,
        }

    return probe


def seq2seq_probe(src_ids: list[int], vocab, max_len: int):
    """Greedy answer for one source and every attention map while reading it (cross-attention
    rows: answer tokens, columns: source characters)."""

    def probe(model):
        src = torch.tensor([src_ids], device=_dev(model))
        pred = greedy_decode(model, src, max_len)
        _, att = attention_arrays(model, src, pred[:, :-1] if pred.shape[1] > 1 else pred)
        return {
            "answer": vocab.decode(pred[0, 1:].tolist()).strip(),
            "out_ids": pred[0].tolist(),
            "attention": att,
        }

    return probe


def vit_probe(images: torch.Tensor):
    """Predictions and per-layer attention for a few images."""

    def probe(model):
        logits, att = attention_arrays(model, images[:1])
        probs = model(images.to(_dev(model))).float().softmax(-1).cpu().numpy()
        return {"probs": probs, "attention": att}

    return probe
