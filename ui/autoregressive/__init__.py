"""Panels and labs of the PixelCNN & WaveNet page."""
