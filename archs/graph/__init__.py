"""Graph neural networks: the family's architectures (GCN, GraphSAGE, GAT, GIN, MPNN), built from
torch-geometric's layers, and a GCN layer written out in plain torch for the explainer."""
