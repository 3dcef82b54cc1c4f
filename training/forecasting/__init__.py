"""Time-series forecasting: the family's recipes, tasks and trainers."""
