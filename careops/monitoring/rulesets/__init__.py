"""Shipped default alert rules (defaults.yaml), loaded by ``careops monitoring load-rules``."""
