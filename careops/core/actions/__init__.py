"""State changes of the core app, one module per area; each function audits and notifies."""
