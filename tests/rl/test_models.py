"""The RL networks: canonical sizes exactly, every interface method's shapes, the dueling identity."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.distributions import Categorical, Independent

import archs

RL = [s.name for s in archs.list_archs("rl")]


def test_the_family_registers_its_six_networks():
    assert set(RL) == {"policy_mlp", "q_mlp", "dueling_q", "actor_critic", "dqn_atari", "q_table"}


def test_canonical_counts_are_the_published_ones():
    ac = archs.build_model("actor_critic", "canonical", device="meta")
    assert archs.count_params(ac) == 9_155  # CleanRL ppo.py on CartPole
    assert archs.count_params(ac.critic) == 4_545 and archs.count_params(ac.actor) == 4_610
    assert archs.count_params(archs.build_model("dqn_atari", "canonical", device="meta")) == 1_693_362
    dqn = archs.build_model("dqn_atari", "canonical", device="meta")
    assert dqn.head[0].in_features == 3136  # 64 × 7 × 7 after the three convolutions of an 84 × 84 frame


@pytest.mark.parametrize("continuous", [False, True])
@pytest.mark.parametrize("name", ["policy_mlp", "actor_critic"])
def test_policies_give_logits_or_means_distributions_and_actions(name, continuous):
    m = archs.build_model(name, obs_dim=5, num_actions=3, continuous=continuous)
    assert m.kind == ("policy" if name == "policy_mlp" else "actor_critic")
    obs = torch.randn(7, 5)
    out = m(obs)
    if name == "actor_critic":
        out, value = out
        assert value.shape == (7,) and m.value(obs).shape == (7,)
    assert out.shape == (7, 3)
    d = m.dist(obs)
    if continuous:
        assert (
            isinstance(d, Independent) and d.sample().shape == (7, 3) and d.log_prob(d.sample()).shape == (7,)
        )
        assert m.log_std.shape == (3,)
        assert torch.allclose(m.act(obs, deterministic=True), out)  # the mode is the mean
        assert torch.allclose(d.base_dist.scale, m.log_std.exp().expand(7, 3))  # the same std in every state
    else:
        assert isinstance(d, Categorical) and d.probs.shape == (7, 3)
        assert torch.equal(m.act(obs, deterministic=True), out.argmax(-1))
        assert m.act(obs, deterministic=False).shape == (7,)
        assert torch.allclose(
            d.probs, torch.full((7, 3), 1 / 3), atol=0.02
        )  # the 0.01-gain head starts uniform


@pytest.mark.parametrize("name", ["q_mlp", "dueling_q"])
def test_q_networks_give_q_values_greedy_values_and_actions(name):
    m = archs.build_model(name, obs_dim=4, num_actions=2)
    obs = torch.randn(6, 4)
    q = m(obs)
    assert m.kind == "q" and q.shape == (6, 2) and torch.equal(m.q(obs), q)
    assert torch.equal(m.value(obs), q.amax(-1)) and torch.equal(m.act(obs, deterministic=True), q.argmax(-1))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    layers=st.integers(0, 3),
    hidden=st.integers(1, 32),
    actions=st.integers(1, 6),
    act=st.sampled_from(["tanh", "relu"]),
    batch=st.integers(1, 5),
)
def test_dueling_q_is_value_plus_advantage_minus_its_mean(layers, hidden, actions, act, batch):
    m = archs.build_model(
        "dueling_q", obs_dim=3, num_actions=actions, num_layers=layers, hidden_dim=hidden, activation=act
    )
    obs = torch.randn(batch, 3)
    v, a = m.streams(obs)
    assert v.shape == (batch,) and a.shape == (batch, actions)
    torch.testing.assert_close(m(obs), v[:, None] + a - a.mean(-1, keepdim=True))
    torch.testing.assert_close(m(obs).mean(-1), v)  # the advantages average to 0: the mean of Q is V


def test_q_table_reads_rows_by_state_id_or_one_hot():
    m = archs.build_model("q_table", num_states=6, num_actions=3, init_value=0.5)
    assert m.kind == "q" and torch.equal(m.table, torch.full((6, 3), 0.5))
    with torch.no_grad():
        m.table[2] = torch.tensor([0.0, 3.0, 1.0])
    ids = torch.tensor([2, 0])
    assert m(ids).shape == (2, 3) and m.act(ids, deterministic=True).tolist() == [1, 0]
    assert m.value(ids).tolist() == [3.0, 0.5]
    assert torch.equal(m(torch.nn.functional.one_hot(ids, 6).float()), m(ids))


def test_dqn_atari_takes_frames_or_pixels():
    m = archs.build_model("dqn_atari")  # tiny: 2 frames of 36 × 36
    x = torch.rand(3, 2, 36, 36)
    assert m(x).shape == (3, 4) and m.act(x).shape == (3,) and m.value(x).shape == (3,)
    torch.testing.assert_close(m((x * 255).round().to(torch.uint8)), m((x * 255).round() / 255))


def test_impossible_settings_are_refused_with_sentences():
    with pytest.raises(archs.ConfigError, match="image_size"):
        archs.build_model("dqn_atari", image_size=30)
    with pytest.raises(archs.ConfigError, match="activation must be one of"):
        archs.build_model("policy_mlp", activation="gelu")
