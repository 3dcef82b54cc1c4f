"""Edit-distance error rates, CTC greedy decoding and the Viterbi alignment (checked by brute force)."""

import itertools

import pytest
import torch

from training.audio.metrics import cer, ctc_alignment, ctc_greedy, edit_distance, wer


def test_error_rates():
    assert edit_distance("kitten", "sitting") == 3
    assert cer("six", "six") == 0.0 and cer("six", "sax") == pytest.approx(1 / 3)
    assert wer("one two three", "one three") == pytest.approx(1 / 3)
    assert wer(["one two", "nine"], ["one two", "five"]) == pytest.approx(1 / 3)  # corpus rate
    assert cer("ab", "") == 1.0 and cer("", "") == 0.0


def test_ctc_greedy_merges_repeats_and_drops_blanks():
    best = [0, 1, 1, 0, 1, 2, 2, 0]
    lp = torch.nn.functional.one_hot(torch.tensor(best), 3).float().log_softmax(-1)
    assert ctc_greedy(lp) == [1, 1, 2]


def _collapse(path):
    out, last = [], None
    for s in path:
        if s != last and s != 0:
            out.append(s)
        last = s
    return out


@pytest.mark.parametrize("target", [[1], [1, 2], [1, 1], [2, 1, 2]])
def test_ctc_alignment_is_the_best_valid_path(target):
    torch.manual_seed(len(target) + sum(target))
    T, C = 6, 3
    lp = torch.randn(T, C).log_softmax(-1)
    path = ctc_alignment(lp, target)
    assert len(path) == T and _collapse(path) == target
    score = lambda p: float(sum(lp[t, s] for t, s in enumerate(p)))  # noqa: E731
    best = max((p for p in itertools.product(range(C), repeat=T) if _collapse(p) == target), key=score)
    assert score(path) == pytest.approx(score(best))


def test_ctc_alignment_needs_enough_frames():
    with pytest.raises(ValueError, match="frames"):
        ctc_alignment(torch.zeros(2, 3), [1, 1])
