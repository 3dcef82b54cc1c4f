"""Diffusion models: the family's page panels, explainers and labs."""
