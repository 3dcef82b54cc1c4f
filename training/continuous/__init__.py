"""Training of the continuous family: a neural ODE on the spiral, a KAN on a formula, coordinate MLPs
fitting an image with and without positional encoding."""
