"""Layers that more than one family uses. Family packages import from here, never from each other."""
