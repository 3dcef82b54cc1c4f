"""Panels and labs of the multimodal page."""
