"""Reinforcement learning: an agent learns to act from reward. Tabular Q-learning on a GridWorld, policy
and value networks trained live (REINFORCE, A2C, PPO, DQN) on gymnasium's classic control, an episode
watched frame by frame, algorithms compared over seeds, and the networks themselves."""

import streamlit as st

from ui.boot import ensure_app
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel
from ui.rl.agent import agent_lab
from ui.rl.compare import compare_lab
from ui.rl.grid import gridworld_lab
from ui.rl.watch import watch_lab

ensure_app()

st.title("Reinforcement learning")
st.markdown(
    "No labels here: an **agent** acts in an **environment**, receives rewards, and must find out which "
    "actions pay off in the long run. Its networks say what to do (a **policy**) and how good a situation "
    "is (a **value**), and learn from the returns they see."
)

lesson_bar("rl")
idea, grid, agent, watch, compare, explore = tabs(
    ["Idea", "GridWorld", "Agent", "Watch", "Compare", "Architectures"], key="rl.tab"
)

if idea.open:
    with idea:
        c1, c2 = st.columns(2)
        with c1:
            st.markdown(
                r"**A Markov decision process** $(\mathcal{S}, \mathcal{A}, P, R, \gamma)$: in state $s_t$ "
                r"the agent takes action $a_t \sim \pi(\cdot \mid s_t)$, the environment moves to "
                r"$s_{t+1} \sim P(\cdot \mid s_t, a_t)$ and pays $r_{t+1}$. The agent maximises the "
                r"**return**, future rewards discounted by $\gamma \in (0, 1]$:"
            )
            st.latex(r"G_t = \sum_{k \ge 0} \gamma^k\, r_{t+k+1}")
            st.markdown(r"**Values**: what a state, or a state and an action, is worth under $\pi$:")
            st.latex(
                r"\begin{aligned} V^\pi(s) &= \mathbb{E}_\pi[G_t \mid s_t = s] \\ "
                r"Q^\pi(s, a) &= \mathbb{E}_\pi[G_t \mid s_t = s, a_t = a] \end{aligned}"
            )
            st.markdown("**Bellman optimality**: the best value is the best action's reward plus the rest:")
            st.latex(r"Q^*(s, a) = \mathbb{E}\big[r + \gamma \max_{a'} Q^*(s', a')\big]")
            st.markdown(
                r"**Q-learning** (Watkins, 1989) moves a table entry towards that target by a step "
                r"$\alpha$; **SARSA** uses the action $a'$ it really takes next instead of the max:"
            )
            st.latex(
                r"\begin{aligned} Q(s, a) &\leftarrow Q(s, a) + \alpha\, \delta \\ "
                r"\delta &= r + \gamma \max_{a'} Q(s', a') - Q(s, a) \end{aligned}"
            )
            st.markdown(
                r"**DQN** (Mnih et al., 2015) fits a network $Q_\theta$ to the same target, computed by a "
                r"slowly updated copy $\theta^-$, on transitions replayed from a buffer $\mathcal{D}$:"
            )
            st.latex(
                r"\begin{aligned} L(\theta) = \mathbb{E}_{\mathcal{D}}\big[&(r + \gamma \max_{a'} "
                r"Q_{\theta^-}(s', a') \\ &- Q_\theta(s, a))^2\big] \end{aligned}"
            )
        with c2:
            st.markdown(
                r"**Policy gradient** (Williams, 1992; Sutton et al., 2000): raise the log-probability of "
                r"actions in proportion to how much better than expected they turned out; subtracting a "
                r"baseline $b(s)$ lowers the variance and changes nothing on average:"
            )
            st.latex(
                r"\nabla_\theta J = \mathbb{E}_\pi\big[\nabla_\theta \log \pi_\theta(a_t \mid s_t)\,"
                r"(G_t - b(s_t))\big]"
            )
            st.markdown(
                r"**Actor-critic** (A2C): the critic $V_\phi$ is the baseline, and the advantage "
                r"$A_t$ is estimated from it. **GAE** (Schulman et al., 2016) averages the $k$-step "
                r"estimates with weights $\lambda^k$:"
            )
            st.latex(
                r"\begin{aligned} \delta_t &= r_{t+1} + \gamma V_\phi(s_{t+1}) - V_\phi(s_t) \\ "
                r"\hat A_t &= \textstyle\sum_{k \ge 0} (\gamma\lambda)^k\, \delta_{t+k} \end{aligned}"
            )
            st.markdown(
                r"**PPO** (Schulman et al., 2017) takes several gradient steps on each batch of experience, "
                r"but clips the probability ratio $\rho_t = \pi_\theta(a_t|s_t) / \pi_{\text{old}}(a_t|s_t)$ "
                r"so that the new policy cannot move far from the one that collected the data:"
            )
            st.latex(
                r"\begin{aligned} L^{\text{CLIP}} = \mathbb{E}_t\big[\min(&\rho_t \hat A_t, \\ "
                r"&\operatorname{clip}(\rho_t, 1 - \epsilon, 1 + \epsilon)\, \hat A_t)\big] \end{aligned}"
            )
            st.markdown(
                "**Exploration.** An agent that always takes its best-known action never learns what the "
                "others are worth: DQN acts at random with probability ε, decayed over training; the "
                "policy-gradient methods sample from their policy and add an entropy bonus to keep it "
                "from collapsing too early."
            )

if grid.open:
    with grid:
        gridworld_lab()

if agent.open:
    with agent:
        agent_lab()

if watch.open:
    with watch:
        watch_lab()

if compare.open:
    with compare:
        compare_lab()

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("rl", key="rl", default="actor_critic")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="rl", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="rl.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="rl.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="rl.s")
