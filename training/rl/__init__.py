"""Reinforcement learning: the family's trainers (tabular Q-learning and SARSA, REINFORCE, DQN, A2C, PPO),
its recipes, the probes the page draws, and the algorithm comparison."""
