"""Database triggers that protect the audit trail below the application.

UPDATE of ``core_auditrecord`` is always rejected; DELETE only for rows younger
than the legal minimum retention (180 days, GB/T 22239-2019 8.1.4.3). The ORM
refuses both already (``AuditQuerySet``); the triggers also stop raw SQL and
database clients without DDL rights. The migration ``0003_audit_triggers``
installs them; the SQL lives here so that tests install the same text.

No Django model import here: the test configuration imports this module early.
"""

from __future__ import annotations

from typing import Any

TABLE = "core_auditrecord"
MIN_RETENTION_DAYS = 180
UPDATE_MESSAGE = "audit records are append-only"
DELETE_MESSAGE = "audit records are kept at least 180 days"

# vendor -> (statements that create the triggers, statements that drop them)
_SQL: dict[str, tuple[list[str], list[str]]] = {
    "sqlite": (
        [
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{UPDATE_MESSAGE}'); END",
            # SQLite keeps datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC, which
            # sorts like the time itself.
            f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
            f"WHEN OLD.at > datetime('now', '-{MIN_RETENTION_DAYS} days') "
            f"BEGIN SELECT RAISE(ABORT, '{DELETE_MESSAGE}'); END",
        ],
        [
            f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
        ],
    ),
    "postgresql": (
        [
            f"""CREATE OR REPLACE FUNCTION {TABLE}_protect() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION '{UPDATE_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'DELETE' AND OLD.at <= now() - interval '{MIN_RETENTION_DAYS} days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '{DELETE_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END
$$""",
            f"CREATE TRIGGER {TABLE}_protect BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_protect()",
            # TRUNCATE fires no row trigger: refuse it as a whole.
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_protect()",
        ],
        [
            f"DROP TRIGGER IF EXISTS {TABLE}_protect ON {TABLE}",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
            f"DROP FUNCTION IF EXISTS {TABLE}_protect()",
        ],
    ),
    "mysql": (
        [
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} FOR EACH ROW "  # noqa: S608
            f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{UPDATE_MESSAGE}'",
            # Django keeps datetimes in UTC on MySQL/MariaDB.
            f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} FOR EACH ROW "
            f"BEGIN IF OLD.at > UTC_TIMESTAMP(6) - INTERVAL {MIN_RETENTION_DAYS} DAY THEN "
            f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{DELETE_MESSAGE}'; END IF; END",
        ],
        [
            f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
        ],
    ),
}


def create_statements(vendor: str) -> list[str]:
    return list(_SQL[vendor][0]) if vendor in _SQL else []


def drop_statements(vendor: str) -> list[str]:
    return list(_SQL[vendor][1]) if vendor in _SQL else []


def install(connection: Any) -> None:
    """(Re)create the triggers on ``connection`` (a Django database connection)."""
    with connection.cursor() as cursor:
        for sql in drop_statements(connection.vendor) + create_statements(connection.vendor):
            cursor.execute(sql)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in drop_statements(connection.vendor):
            cursor.execute(sql)
