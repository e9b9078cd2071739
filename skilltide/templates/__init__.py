"""Files skilltide writes for users (example config)."""
