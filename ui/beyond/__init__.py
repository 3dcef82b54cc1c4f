"""The beyond-attention page: mixture of experts, state spaces, RWKV and external memory."""
