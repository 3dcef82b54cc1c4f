"""Energy-based and classic networks: their trainers (contrastive divergence, greedy layer-wise
pre-training, Hebbian storage, ...), recipes and probes."""
