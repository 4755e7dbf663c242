"""eligo.eligibility."""
