"""Graph neural networks: the family's tasks, recipes, probes, the over-smoothing experiment and the
GNNExplainer helper."""
