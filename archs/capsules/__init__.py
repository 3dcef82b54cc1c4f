"""Capsule networks: groups of neurons whose output vector's length is the probability that an entity is
present and whose orientation describes it; parents are chosen by routing-by-agreement."""
