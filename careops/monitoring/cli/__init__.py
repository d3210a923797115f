"""Subcommands of ``careops monitoring`` (careops/monitoring/management/commands/monitoring.py)."""
