"""Autoregressive density models: PixelCNN over pixels, WaveNet over audio samples."""
