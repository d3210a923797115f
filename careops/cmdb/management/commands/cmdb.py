"""``careops cmdb SUBCOMMAND …``: the CMDB from the command line.

    careops cmdb discover SRV-LIS                     what node_exporter says, vs the record
    careops cmdb discover SRV-LIS --ssh --apply --as alice
    careops cmdb file-sd --out /etc/prometheus/careops   Prometheus targets by zone
    careops cmdb import hosts.xlsx --class host        dry run: every bad row, nothing written
    careops cmdb import hosts.xlsx --class host --apply --as alice
    careops cmdb export --class host --out hosts.xlsx --as alice

Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

from careops.core.management.subcommands import SubcommandsCommand

# The modules of careops.cmdb.cli that provide subcommands.
SUBCOMMANDS = ("careops.cmdb.cli.discover", "careops.cmdb.cli.file_sd",
               "careops.cmdb.cli.imports:ImportCommand", "careops.cmdb.cli.imports:ExportCommand")


class Command(SubcommandsCommand):
    help = "Configuration items from the command line."
    subcommands = SUBCOMMANDS
