"""``careops monitoring SUBCOMMAND …``: monitoring from the command line.

    careops monitoring load-rules            create/update the shipped default alert rules
    careops monitoring load-rules --as alice
    careops monitoring eval-rules            evaluate the due rules now and print the signals

Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

from careops.core.management.subcommands import SubcommandsCommand

# The providers of subcommands: ``module:Class`` with NAME, HELP, add_arguments(parser)
# and run(command, options). Each part of monitoring adds its own here.
SUBCOMMANDS = ("careops.monitoring.cli.rules:LoadRules",
               "careops.monitoring.cli.rules:EvalRules")


class Command(SubcommandsCommand):
    help = "Monitoring from the command line."
    subcommands = SUBCOMMANDS
