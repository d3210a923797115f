"""Background work of monitoring, run by the Huey consumer of ``careops up``."""
