"""Training for the Mixer & Swin family: MLP-Mixer and a small Swin on handwritten digits."""
