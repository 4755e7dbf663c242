"""eligo.api."""
