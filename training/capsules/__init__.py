"""Training of the capsule-network family: CapsNet on the 8×8 digits (margin loss + reconstruction)."""
