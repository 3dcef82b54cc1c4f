"""Data sets that are generated or ship with installed packages; nothing is downloaded at run time.

Each loader is seeded and cheap, and returns a :class:`Supervised` bundle of numpy arrays that the
training code moves to its device once.
"""

from data.base import Supervised
from data.digits import digits
from data.toy2d import FEATURES, TOY2D_SETS, Toy2D, toy2d

__all__ = ["Supervised", "digits", "toy2d", "Toy2D", "TOY2D_SETS", "FEATURES"]
