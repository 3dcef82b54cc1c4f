"""Training of the multimodal family: contrastive image-text and text-to-image recipes."""
