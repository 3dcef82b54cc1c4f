"""Training of the energy-based and classic networks: contrastive divergence, greedy layer-wise
pre-training, Hebbian storage, Kohonen's rule and the closed-form solves of deep stacking networks, RBF
networks, ELMs and echo state networks; their recipes and probes."""
