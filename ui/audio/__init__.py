"""Panels and labs of the audio page."""
