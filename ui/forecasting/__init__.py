"""Time-series forecasting: the family's page panels, explainers and labs."""
