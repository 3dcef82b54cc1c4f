"""Speech metrics and CTC decoding: edit-distance error rates, greedy decoding, the best alignment path.

- ``cer(ref, hyp)`` / ``wer(ref, hyp)``: Levenshtein distance (substitutions + deletions + insertions)
  over characters / words, divided by the reference's length; lists of strings give the corpus rate
  (total edits / total reference length), as speech papers report it.
- ``ctc_greedy(log_probs (T, C), blank=0)``: best symbol per frame, repeats merged, blanks dropped.
- ``ctc_alignment(log_probs (T, C), target)``: the single most probable CTC path that spells ``target``
  (Viterbi over the CTC lattice of Graves et al. 2006: the target with a blank before, between and after
  its symbols, 2L + 1 states; a step may stay, move to the next state, or skip a blank between two
  different symbols). Returns the symbol of each frame (T,), which the page draws over the spectrogram.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch


def edit_distance(ref: Sequence, hyp: Sequence) -> int:
    """Levenshtein distance between two sequences (one row of the dynamic programme at a time)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def _rate(refs, hyps, split) -> float:
    if isinstance(refs, str):
        refs, hyps = [refs], [hyps]
    edits = sum(edit_distance(split(r), split(h)) for r, h in zip(refs, hyps, strict=True))
    total = sum(len(split(r)) for r in refs)
    return edits / max(total, 1)


def cer(ref: str | Sequence[str], hyp: str | Sequence[str]) -> float:
    """Character error rate: character edits / reference characters (spaces count)."""
    return _rate(ref, hyp, list)


def wer(ref: str | Sequence[str], hyp: str | Sequence[str]) -> float:
    """Word error rate: word edits / reference words."""
    return _rate(ref, hyp, str.split)


def ctc_greedy(log_probs, blank: int = 0) -> list[int]:
    """Best path decoding of (T, C) scores: argmax per frame, merge repeats, drop blanks."""
    best = torch.as_tensor(log_probs).argmax(-1).tolist()
    out, last = [], None
    for s in best:
        if s != last and s != blank:
            out.append(s)
        last = s
    return out


def ctc_alignment(log_probs, target: Sequence[int], blank: int = 0) -> list[int]:
    """The most probable frame-by-frame CTC path (T,) that collapses to ``target`` (Viterbi).

    Raises ValueError when ``target`` cannot fit in T frames (it needs one frame per symbol plus one per
    repeated neighbour, for the blank that must separate them).
    """
    lp = np.asarray(torch.as_tensor(log_probs, dtype=torch.float64))
    T = lp.shape[0]
    ext = [blank]
    for s in target:
        ext += [int(s), blank]  # (2L + 1,) states
    S = len(ext)
    need = len(target) + sum(a == b for a, b in zip(target[:-1], target[1:], strict=True))
    if need > T:
        raise ValueError(f"A target of {len(target)} symbols needs at least {need} frames, not {T}")
    score = np.full((T, S), -np.inf)
    back = np.zeros((T, S), dtype=np.int64)
    score[0, 0] = lp[0, ext[0]]
    if S > 1:
        score[0, 1] = lp[0, ext[1]]
    for t in range(1, T):
        for s in range(S):
            cands = [(score[t - 1, s], s)]
            if s >= 1:
                cands.append((score[t - 1, s - 1], s - 1))
            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                cands.append((score[t - 1, s - 2], s - 2))
            best, arg = max(cands)
            score[t, s] = best + lp[t, ext[s]]
            back[t, s] = arg
    s = S - 1 if S == 1 or score[T - 1, S - 1] >= score[T - 1, S - 2] else S - 2
    path = [s]
    for t in range(T - 1, 0, -1):
        s = int(back[t, s])
        path.append(s)
    return [ext[s] for s in reversed(path)]
