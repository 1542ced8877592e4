"""embedding.e5."""
