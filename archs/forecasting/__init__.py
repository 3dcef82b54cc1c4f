"""Time-series forecasting: the family's architectures."""
