"""Subcommands of ``careops cmdb``: one module each, listed in
careops.cmdb.management.commands.cmdb.SUBCOMMANDS. A module defines ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(command, options)``."""
