"""Graph neural networks: the family's page panels and explainers."""
