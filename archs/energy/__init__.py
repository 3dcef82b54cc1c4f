"""Energy-based and classic networks: restricted Boltzmann machines and deep belief nets, Hopfield
networks (binary and modern), Boltzmann machines, deep stacking networks, self-organising maps, RBF
networks, extreme learning machines and echo state networks."""
