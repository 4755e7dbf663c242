"""eligo.mlops."""
