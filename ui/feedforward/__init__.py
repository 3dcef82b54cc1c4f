"""Feedforward networks (perceptrons, MLPs): the family's page panels, explainers and labs."""
