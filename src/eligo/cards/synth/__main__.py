"""``python -m eligo.cards.synth``: see ``eligo.cards.synth.cli``."""

from eligo.cards.synth.cli import main

raise SystemExit(main())
