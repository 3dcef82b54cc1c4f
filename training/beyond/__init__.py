"""Training of the beyond-attention family: the MoE character model, the selective-copying task and the
copy task (recipes in ``training.beyond.recipes``)."""
