"""Self-supervised learning: the page's panels and labs (augmentations, NT-Xent, training, collapse, MAE)."""
