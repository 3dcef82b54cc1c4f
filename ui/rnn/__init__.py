"""Recurrent networks: the family's page panels, explainers and labs."""
