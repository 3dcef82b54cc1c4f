"""Self-supervised learning: SimCLR (contrastive), BYOL (non-contrastive, an EMA target) and the masked
autoencoder (masked image modelling); encoders from archs.blocks (the ResNet trunk, the transformer stack)."""
