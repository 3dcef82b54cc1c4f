"""Training of the autoregressive family: PixelCNN on quantised digits, WaveNet on μ-law tones."""
