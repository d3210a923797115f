"""State changes of the CMDB; each function checks rights, validates and audits."""
