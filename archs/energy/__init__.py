"""Energy-based and classic networks: RBMs and deep belief nets, Hopfield and Boltzmann machines, deep
stacking networks, self-organising maps, RBF networks, extreme learning machines and echo state networks.
Most of them learn without backpropagation: by sampling, by a local rule, or by a closed-form solve."""
