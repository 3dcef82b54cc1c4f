"""Panels and labs of the Neural ODEs, KAN & NeRF page."""
