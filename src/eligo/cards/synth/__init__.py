"""Synthetic US health-insurance cards with ground truth, for training and evaluating the scanner.

>>> card = generate_card("bluestate", seed=1, degradation="photo")
>>> card.truth["member_id"], card.boxes["member_id"]["side"], len(card.front.image) > 0
"""

from __future__ import annotations

from eligo.cards.synth.degrade import DEGRADATIONS, PHOTO_DEGRADATIONS
from eligo.cards.synth.generator import (
    COMPOSED_LAYOUTS,
    HELDOUT_LAYOUTS,
    LAYOUTS,
    TRAIN_LAYOUTS,
    SynthCard,
    SynthSide,
    TextLine,
    generate_card,
    iter_dataset,
    write_dataset,
)

__all__ = [
    "COMPOSED_LAYOUTS",
    "DEGRADATIONS",
    "HELDOUT_LAYOUTS",
    "LAYOUTS",
    "PHOTO_DEGRADATIONS",
    "TRAIN_LAYOUTS",
    "SynthCard",
    "SynthSide",
    "TextLine",
    "generate_card",
    "iter_dataset",
    "write_dataset",
]
