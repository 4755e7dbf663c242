"""eligo.web."""
