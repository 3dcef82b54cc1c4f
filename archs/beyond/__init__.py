"""Beyond attention: sparse mixture-of-experts transformers (Switch, Mixtral), state-space models (S4,
Mamba), RWKV, and memory-augmented networks (the neural Turing machine and the differentiable neural
computer). Every module here is imported by the registry."""
