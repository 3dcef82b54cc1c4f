"""The words of a typed caption, checked: what every text-conditioned model of the shape scenes (latent
diffusion, CLIP, the DALL-E-style transformer) reads before it turns words into its own token ids."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from archs.spec import ConfigError


def caption_words(text: str, known: Collection[str], max_words: int, what: str = "caption") -> list[str]:
    """The lower-case words of ``text``; ConfigError with a sentence for an empty text, a word outside
    ``known`` (listed in the message, in their order when ``known`` is a sequence) or more than
    ``max_words`` words."""
    words = re.findall(r"[a-z]+", text.lower())
    if not words:
        raise ConfigError(f"The {what} is empty: describe a shape, e.g. 'a red circle at the top left'.")
    unknown = [w for w in words if w not in known]
    if unknown:
        listed = known if isinstance(known, Sequence) else sorted(known)
        raise ConfigError(
            f"Unknown word{'s' if len(unknown) > 1 else ''} {', '.join(repr(w) for w in unknown)}: the "
            f"model only knows the words of the shape captions ({', '.join(listed)})."
        )
    if len(words) > max_words:
        raise ConfigError(f"The {what} has {len(words)} words; at most {max_words} fit.")
    return words
