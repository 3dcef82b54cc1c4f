"""The capsule-network page's panels: the Idea tab and the labs (training, routing, capsule dimensions)."""
