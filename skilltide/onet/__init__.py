"""onet stage."""
