"""Training of the flows family: maximum likelihood on 2-D toy sets and on digits."""
