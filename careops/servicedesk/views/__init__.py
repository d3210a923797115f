"""Service desk pages (docs/servicedesk.md, "Pages")."""
