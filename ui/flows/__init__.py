"""The Normalizing flows page's panels: the Idea tab, the 2-D lab and the digits lab."""
