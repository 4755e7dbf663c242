"""eligo.db."""
