"""Issue 22 (compression): recipes of the CNN family, registered on import from training/cnn/recipes.py."""
