"""Training of the audio family: recipes, trainers, metrics (WER, CER)."""
