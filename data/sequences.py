"""Sequence data sets for the recurrent networks page, generated on the fly and seeded.

- ``copy_memory``: see a few symbols, wait ``lag`` steps, recall them at a cue. A test of memory
  across a lag (the copy task of Hochreiter & Schmidhuber 1997 and Arjovsky et al. 2016, here with
  optional noise tokens during the wait so that the state must be protected, not merely held).
- ``adding_problem``: Hochreiter & Schmidhuber's adding problem: T random numbers, two of them
  marked; output their sum. Predicting 1 always gives MSE ≈ 0.167.
- ``dates``: translate a date written by a person ("7 March 2024", "Mar 7, 2024", "07/03/2024")
  into ISO form ("2024-03-07"), character by character: a toy translation task for seq2seq models.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from data.base import Supervised

PAD, BOS = 0, 1  # the seq2seq conventions of archs/rnn_seq2seq.py


def _split(n: int, frac: tuple[float, float] = (0.8, 0.1)) -> tuple[slice, slice, slice]:
    a, b = int(n * frac[0]), int(n * (frac[0] + frac[1]))
    return slice(0, a), slice(a, b), slice(b, n)


def _bundle(x, y, kind, num_classes, name, meta, class_names=()) -> Supervised:
    tr, va, te = _split(len(x))
    return Supervised(
        x_train=x[tr],
        y_train=y[tr],
        x_val=x[va],
        y_val=y[va],
        x_test=x[te],
        y_test=y[te],
        kind=kind,
        num_classes=num_classes,
        name=name,
        meta=meta,
        class_names=class_names,
    )


def copy_memory(
    lag: int = 20,
    copy_len: int = 1,
    num_symbols: int = 8,
    noise: bool = True,
    n: int = 3000,
    seed: int = 0,
) -> Supervised:
    """Token sequences [s_1 … s_K, w × lag, cue, w × (K−1)] with targets (s_1 … s_K) to be emitted at the
    last K steps; w is a blank (or, with ``noise``, a random distractor token). Chance is 1/num_symbols.

    Tokens: 0 … num_symbols−1 symbols, then blank, cue, and 4 distractors."""
    if lag < 1:
        raise ValueError(f"the lag must be at least 1 step, got {lag}")
    if not 1 <= copy_len <= 20:
        raise ValueError(f"copy_len must be between 1 and 20, got {copy_len}")
    if num_symbols < 2:
        raise ValueError(f"at least 2 symbols are needed, got {num_symbols}")
    rng = np.random.default_rng(seed)
    K, S = copy_len, num_symbols
    blank, cue, distract = S, S + 1, S + 2
    T = K + lag + K
    x = np.full((n, T), blank, dtype=np.int64)
    sym = rng.integers(0, S, size=(n, K))
    x[:, :K] = sym
    if noise:
        x[:, K : K + lag] = rng.integers(distract, distract + 4, size=(n, lag))
    x[:, K + lag] = cue
    meta = dict(problem="copy", lag=lag, copy_len=K, vocab_size=S + 6, seq_len=T, chance=1.0 / S)
    return _bundle(x, sym.astype(np.int64), "copy", S, f"copy (lag {lag})", meta, tuple(map(str, range(S))))


def adding_problem(lag: int = 20, n: int = 3000, seed: int = 0) -> Supervised:
    """(N, T, 2) inputs: a value in [0, 1] and a 0/1 marker; one marked value in the first half, one in
    the second; target their sum. ``lag`` = T, the sequence length."""
    if lag < 2:
        raise ValueError(f"the adding problem needs at least 2 steps, got {lag}")
    rng = np.random.default_rng(seed)
    T = lag
    x = np.zeros((n, T, 2), dtype=np.float32)
    x[:, :, 0] = rng.random((n, T))
    i = rng.integers(0, max(1, T // 2), size=n)
    j = rng.integers(T // 2, T, size=n)
    j = np.where(j == i, (i + 1) % T, j)
    rows = np.arange(n)
    x[rows, i, 1] = 1.0
    x[rows, j, 1] = 1.0
    y = (x[rows, i, 0] + x[rows, j, 0]).astype(np.float32)
    meta = dict(problem="adding", lag=lag, input_dim=2, seq_len=T, baseline_mse=1 / 6)
    return _bundle(x, y, "adding", 1, f"adding problem (T = {T})", meta)


def memory_task(problem: str = "copy", lag: int = 20, noise: bool = True, n: int = 3000, seed: int = 0):
    """The long-lag data set named by ``problem`` ('copy' or 'adding')."""
    if problem == "copy":
        return copy_memory(lag=lag, noise=noise, n=n, seed=seed)
    if problem == "adding":
        return adding_problem(lag=lag, n=n, seed=seed)
    raise ValueError(f"unknown memory problem {problem!r}; choose copy or adding")


# ---------------------------------------------------------------------------------------------- dates

MONTHS = "january february march april may june july august september october november december".split()
SRC_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz ,./-"
TGT_CHARS = "0123456789-"
SRC_VOCAB = ("<pad>", "<s>", *SRC_CHARS)
TGT_VOCAB = ("<pad>", "<s>", *TGT_CHARS)
SRC_LEN, TGT_LEN = 20, 10
DATE_FORMATS = (
    "7 march 2024",
    "7 mar 2024",
    "march 7, 2024",
    "mar 07 2024",
    "07/03/2024",
    "07.03.2024",
    "2024/03/07",
    "7 march 24",
)


def render_date(d: _dt.date, fmt: int) -> str:
    """``d`` written in the format ``DATE_FORMATS[fmt]`` (day before month in the numeric ones)."""
    m, mm = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
    return [
        f"{d.day} {m} {d.year}",
        f"{d.day} {mm} {d.year}",
        f"{m} {d.day}, {d.year}",
        f"{mm} {d.day:02d} {d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day:02d}.{d.month:02d}.{d.year}",
        f"{d.year}/{d.month:02d}/{d.day:02d}",
        f"{d.day} {m} {d.year % 100:02d}",
    ][fmt]


def _date_parts(t: str) -> tuple[int, int, int] | None:
    """(day, month, year) of a text written in one of DATE_FORMATS, or None."""
    import re

    names = {m: i + 1 for i, m in enumerate(MONTHS)} | {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
    pats = (
        (r"(\d{1,2}) ([a-z]+),? (\d{2}|\d{4})", "dmy"),
        (r"([a-z]+) (\d{1,2}),? (\d{4})", "mdy"),
        (r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", "dmy"),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd"),
    )
    for pat, order in pats:
        m = re.fullmatch(pat, t)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        month = names.get(parts["m"]) if not parts["m"].isdigit() else int(parts["m"])
        if month is None:
            return None
        year = int(parts["y"])
        return int(parts["d"]), month, year + (2000 if year < 50 else 1900) * (len(parts["y"]) == 2)
    return None


def date_remark(text: str) -> str | None:
    """A sentence when a typed date is not a real date or lies outside what the model learned (dates from
    1950 to 2049 in DATE_FORMATS); None for an ordinary date. The model translates it anyway: its
    characters are all it sees, which is what the remark is there to make a student notice."""
    t = text.strip().lower()
    parts = _date_parts(t)
    if parts is None:
        return (
            f"“{text.strip()}” is not in a format the model learned ({', '.join(DATE_FORMATS[:3])}, …): "
            "see what it makes of it."
        )
    d, m, y = parts
    if not 1 <= m <= 12:
        return f"There is no month {m}: the model will still write a date, from the characters alone."
    try:
        _dt.date(y, m, d)
    except ValueError:
        import calendar

        days = calendar.monthrange(y, m)[1]
        return (
            f"{d} {MONTHS[m - 1].capitalize()} {y} is not a real date ({MONTHS[m - 1].capitalize()} {y} has "
            f"{days} days). The model never saw one; it will still write an answer from the characters."
        )
    if not 1950 <= y <= 2049:
        return f"The model learned dates from 1950 to 2049; {y} is outside them."
    return None


def encode_source(text: str) -> np.ndarray:
    """A typed date -> source token ids (SRC_LEN,), padded. Raises ValueError with a sentence for
    characters outside the vocabulary or text that is too long."""
    t = text.strip().lower()
    if not t:
        raise ValueError("Type a date first, for example 7 March 2024.")
    bad = sorted({ch for ch in t if ch not in SRC_CHARS})
    if bad:
        raise ValueError(
            f"The model has never seen the character{'s' if len(bad) > 1 else ''} "
            f"{', '.join(repr(b) for b in bad)}; it reads only letters, digits, spaces and , . / -"
        )
    if len(t) > SRC_LEN:
        raise ValueError(f"That is {len(t)} characters; the model reads at most {SRC_LEN}.")
    ids = np.zeros(SRC_LEN, dtype=np.int64)
    ids[: len(t)] = [SRC_VOCAB.index(ch) for ch in t]
    return ids


def decode_target(ids) -> str:
    return "".join(TGT_VOCAB[i] for i in ids if i > BOS)


def dates(n: int = 6000, seed: int = 0) -> Supervised:
    """Pairs (a date in one of DATE_FORMATS, its ISO form), dates from 1950 to 2049.
    x: (N, SRC_LEN) source ids, y: (N, TGT_LEN) target ids."""
    rng = np.random.default_rng(seed)
    start = _dt.date(1950, 1, 1).toordinal()
    days = rng.integers(0, _dt.date(2049, 12, 31).toordinal() - start + 1, size=n)
    fmts = rng.integers(0, len(DATE_FORMATS), size=n)
    x = np.zeros((n, SRC_LEN), dtype=np.int64)
    y = np.zeros((n, TGT_LEN), dtype=np.int64)
    for k in range(n):
        d = _dt.date.fromordinal(start + int(days[k]))
        x[k] = encode_source(render_date(d, int(fmts[k])))
        y[k] = [TGT_VOCAB.index(ch) for ch in d.isoformat()]
    meta = dict(
        src_vocab=SRC_VOCAB, tgt_vocab=TGT_VOCAB, src_len=SRC_LEN, tgt_len=TGT_LEN, formats=DATE_FORMATS
    )
    return _bundle(x, y, "seq2seq", len(TGT_VOCAB), "dates → ISO", meta)
