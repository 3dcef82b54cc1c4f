"""Issue 22 (nas): recipes of the CNN family, registered on import from training/cnn/recipes.py."""
