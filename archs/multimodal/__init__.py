"""Images and text together: CLIP and a DALL-E-style transformer (family `multimodal`)."""
