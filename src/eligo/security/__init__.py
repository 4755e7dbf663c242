"""eligo.security."""
