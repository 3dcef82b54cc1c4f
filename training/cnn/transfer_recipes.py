"""Issue 22 (transfer): recipes of the CNN family, registered on import from training/cnn/recipes.py."""
