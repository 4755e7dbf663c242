"""Card layouts, part B: more national payers, Medicaid, marketplace, vision, held-out designs."""

from __future__ import annotations

import random
from collections.abc import Callable

from eligo.cards.synth.core import Draft

LAYOUTS: dict[str, Callable[[random.Random], Draft]] = {}

# Layouts never used for training: scores on them measure generalization.
HELDOUT: tuple[str, ...] = ("cedar", "keystone_blue", "medicaid_mco", "tpa_pbm2", "minimal")
