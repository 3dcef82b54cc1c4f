"""Vision after convolution: MLP-Mixer (token- and channel-mixing MLPs) and the Swin transformer
(attention in shifted windows, patch merging)."""
