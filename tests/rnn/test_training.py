"""The recurrent page's experiments reach their stated quality on fixed seeds.

Measured on the 2-core development machine, seed 0, exactly these settings: memory at lag 40 with
distractors (chance 12.5 %) after 250 steps, LSTM (forget bias 4) 100 % test accuracy, RNN 13.5 %
(the LSTM already reached 100 % at step 150; with seeds 1-3 it passed 85 % by step 200). Dates after
150 steps: 100 % exact match on the 200 test dates (99.5 % on validation); 97.5 % already at step 100.
"""

import pytest
import torch

from training import get_recipe


@pytest.fixture(autouse=True)
def one_thread():
    # Python-loop cells issue many tiny ops: one intra-op thread is faster and steadier
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def test_lstm_remembers_across_a_lag_where_the_plain_rnn_fails():
    t = get_recipe("memory_rnn_vs_lstm").trainer(
        lag=40, contenders=("rnn", "lstm"), num_steps=250, n=2000, batch_size=32, eval_every=250, seed=0
    )
    t.step(250)
    assert t.status == "done", t.message
    ev = t.evaluate()
    assert ev["test_lstm_acc"] >= 0.8, ev
    assert ev["test_rnn_acc"] <= 0.4, ev
    assert ev["test_lstm_acc"] - ev["test_rnn_acc"] >= 0.5, ev
    assert {"rnn_loss", "lstm_loss"} <= set(t.history[0])  # each model's loss is logged


def test_seq2seq_dates_reaches_90_percent_exact_match():
    t = get_recipe("seq2seq_dates").trainer(num_steps=150, n=2000, eval_every=150, seed=0)
    t.step(150)
    assert t.status == "done", t.message
    ev = t.evaluate()
    assert ev["test_acc"] >= 0.9, ev
    assert ev["test_token_acc"] >= 0.97, ev


def test_the_memory_race_logs_the_mean_loss_the_status_line_shows():
    """The race's per-step loss is the mean of the cells' losses (the sum trains them), as its
    evaluation's loss is: the curve (≈ 4.4, the sum of three) once disagreed with the status (1.43)."""
    t = get_recipe("memory_rnn_vs_lstm").trainer(lag=5, num_steps=20, eval_every=10)
    t.step(20)
    row = t.history[-1]
    cells = [row[f"{n}_loss"] for n in ("rnn", "lstm", "gru") if f"{n}_loss" in row]
    assert len(cells) >= 2 and abs(row["loss"] - sum(cells) / len(cells)) < 1e-5
    assert abs(row["train_loss"] - row["loss"]) < 0.5 * row["loss"]  # same scale as the evaluation
