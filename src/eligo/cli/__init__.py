"""eligo.cli."""
