"""eligo.catalog."""
