"""eligo.cards."""
