"""The documents of the service desk: a ticket's maintenance record and a contract's
monthly list of records (docs/reports.md). Each builds a format-neutral Document."""
