"""Pure logic: no Django imports here. Every module is checked with mypy --strict."""
