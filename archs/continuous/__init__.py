"""Networks as functions: a continuous-depth neural ODE, Kolmogorov-Arnold networks and NeRF's coordinate
MLP (family `continuous`)."""
