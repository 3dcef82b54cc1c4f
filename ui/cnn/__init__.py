"""Convolutional networks: the family's page panels, explainers and labs."""
