"""eligo.notify."""
