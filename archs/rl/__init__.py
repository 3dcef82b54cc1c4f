"""Reinforcement learning: the networks an agent learns with (policies, action-value functions, actor-critics,
the Nature DQN for Atari frames) and a tabular Q[s, a] written as a module, so that every algorithm of
``training/rl`` trains something the registry can build, count and draw."""
