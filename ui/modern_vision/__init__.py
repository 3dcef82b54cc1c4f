"""The Mixer & Swin page's panels: the Idea tab, the Mixer lab and the Swin lab."""
