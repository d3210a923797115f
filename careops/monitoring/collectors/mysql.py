"""``mysql``: probe a MySQL (5.7, 8.x) or MariaDB (10.x, 11.x) server with a monitoring user.

target  ``host:port`` (port 3306 when left out).
params  ``database`` (optional; nothing is read from it), ``long_transaction_s`` (300),
        ``slow_query_s`` (60), ``ssl`` (true: require TLS, without verifying the
        certificate; default false).
credential  user name and password of a user with PROCESS, REPLICATION CLIENT (MariaDB
        10.5+: SLAVE MONITOR) and SELECT on performance_schema (docs/monitoring-databases.md).

Metric names follow mysqld_exporter, so the same rules work on an existing exporter:
``mysql_up``, ``mysql_version_info{version,vendor}``, ``mysql_global_status_<name>`` for
the status variables in :data:`STATUS` (threads_connected, threads_running, slow_queries,
innodb_row_lock_waits, innodb_row_lock_current_waits, innodb_buffer_pool_reads …),
``mysql_global_variables_<name>`` for :data:`VARIABLES` (max_connections …),
``mysql_slave_status_seconds_behind_master{channel_name}``,
``mysql_slave_status_slave_io_running`` / ``_slave_sql_running`` on a replica.
Ours (``careops_mysql_*``): ``connections_used_ratio`` (threads_connected /
max_connections), ``max_used_connections_ratio``, ``innodb_buffer_pool_hit_ratio``
(1 - reads / read requests, since start), ``longest_transaction_seconds``,
``long_transaction_count`` (information_schema.innodb_trx), ``lock_waiting_count``
(transactions in LOCK WAIT), ``longest_query_seconds``, ``slow_query_count`` (queries
running longer than ``slow_query_s``, from the process list), ``replica`` (1/0),
``schema_size_bytes{schema}`` (data + index of the tables the user can see).

Statements run under ``max_statement_time`` (MariaDB) or ``max_execution_time``
(MySQL); connecting, reading and writing wait at most the check's timeout. A section the
user may not read is left out and named in the (ok) result's error.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pymysql
import pymysql.cursors

from careops.logic.promtext import Sample
from careops.monitoring.collectors.base import CheckSpec, CollectError, CollectResult
from careops.monitoring.collectors.dbcommon import (
    Budget,
    _,
    failed,
    host_port,
    param_name,
    param_seconds,
    run_probe,
    short,
    timed_out,
)

# Exceptions are caught as pymysql.MySQLError, never pymysql.err.…: where Django runs on
# MariaDB, pymysql is also installed as MySQLdb and Django's ``import MySQLdb.err`` loads a
# second copy of that module whose classes pymysql itself never raises.
DEFAULT_PORT = 3306
STATUS = (
    "aborted_clients", "aborted_connects", "connections", "created_tmp_disk_tables",
    "created_tmp_tables", "innodb_buffer_pool_pages_free", "innodb_buffer_pool_pages_total",
    "innodb_buffer_pool_read_requests", "innodb_buffer_pool_reads", "innodb_deadlocks",
    "innodb_row_lock_current_waits", "innodb_row_lock_time", "innodb_row_lock_waits",
    "max_used_connections", "open_files", "open_tables", "opened_tables", "questions",
    "select_full_join", "slow_queries", "sort_merge_passes", "table_locks_immediate",
    "table_locks_waited", "threads_cached", "threads_connected", "threads_created",
    "threads_running", "uptime",
)
VARIABLES = (
    "innodb_buffer_pool_size", "innodb_log_file_size", "long_query_time", "max_connections",
    "open_files_limit", "read_only", "slow_query_log", "table_open_cache", "thread_cache_size",
)
_VARIABLES_SQL = "SHOW GLOBAL VARIABLES WHERE Variable_name IN ({})".format(
    ", ".join(f"'{name}'" for name in VARIABLES))
# Error numbers: access denied (1045 user, 1044 database), unknown database, the server
# refusing statements (1142/1227 privileges), query interrupted by the time limit.
ER_ACCESS_DENIED = 1045
ER_DBACCESS_DENIED = 1044
ER_BAD_DB = 1049
PRIVILEGE_ERRORS = (1142, 1227, 1044, 1143, 1356)
TIME_LIMIT_ERRORS = (1969, 3024, 2013)  # MariaDB, MySQL, lost connection during query
CONNECT_REFUSED = 2003
PARAMS = frozenset({"database", "long_transaction_s", "slow_query_s", "ssl"})


@dataclass(frozen=True)
class MysqlOptions:
    host: str
    port: int
    database: str  # "": none
    long_transaction_s: float
    slow_query_s: float
    ssl: Mapping[str, Any] | None  # pymysql's ssl argument; None: no TLS


def _on_off(value: Any) -> float | None:
    text = str(value).strip().upper()
    if text in ("ON", "YES"):
        return 1.0
    if text in ("OFF", "NO"):
        return 0.0
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def collect(spec: CheckSpec) -> CollectResult:
    return run_probe("mysql_up", spec, _collect)


def _ssl(params: Mapping[str, Any]) -> dict[str, Any] | None:
    value = params.get("ssl", False)
    if value in (True, "true", "yes", "1", "on"):
        return {"check_hostname": False}
    if value in (False, None, "", "false", "no", "0", "off"):
        return None
    raise failed(_("Parameter ssl must be true or false."))


def prepare(spec: CheckSpec) -> MysqlOptions:
    """The target and params of a MySQL probe, parsed; CollectError if wrong. No I/O."""
    host, port = host_port(spec.target, DEFAULT_PORT)
    database = param_name(spec.params, "database", "")
    long_tx = param_seconds(spec.params, "long_transaction_s", 300.0)
    slow = param_seconds(spec.params, "slow_query_s", 60.0)
    ssl = _ssl(spec.params)
    return MysqlOptions(host, port, database, long_tx, slow, ssl)


def _collect(spec: CheckSpec, budget: Budget) -> CollectResult:
    options = prepare(spec)
    host, port, database = options.host, options.port, options.database
    if spec.credential is None or not spec.credential.username:
        raise failed(_("No credential: the probe needs a monitoring user."))
    ssl = dict(options.ssl) if options.ssl is not None else None
    wait = max(1, math.ceil(budget.left()))
    try:
        conn = pymysql.connect(
            host=host, port=port, user=spec.credential.username,
            password=spec.credential.password, database=database or None,
            connect_timeout=wait, read_timeout=wait, write_timeout=wait, autocommit=True,
            ssl=ssl, charset="utf8mb4", program_name="careops-probe")
    except pymysql.MySQLError as exc:
        raise _connect_error(exc, spec, host, port, database, budget) from None
    probe = _Probe(conn, budget)
    try:
        samples = probe.run(options.long_transaction_s, options.slow_query_s)
    except pymysql.MySQLError as exc:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
        if code in TIME_LIMIT_ERRORS:
            raise timed_out(budget.timeout_s) from None
        raise failed(_("MySQL error %(code)s during the probe.")
                     % {"code": code or type(exc).__name__}) from None
    except (OSError, TimeoutError):
        raise timed_out(budget.timeout_s) from None
    finally:
        try:
            conn.close()
        except Exception:  # noqa: S110 - already closed or broken: nothing to do
            pass
    samples.append(Sample("careops_probe_duration_seconds", {},
                          round(budget.timeout_s - budget.left(), 6)))
    error = ""
    if probe.skipped:
        error = _("Not readable with this user: %(sections)s.") % {
            "sections": ", ".join(probe.skipped)}
    return CollectResult(samples, "ok", error, state=dict(spec.state))


def _connect_error(exc: pymysql.MySQLError, spec: CheckSpec, host: str, port: int,
                   database: str, budget: Budget) -> CollectError:
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
    text = str(exc.args[1]) if len(exc.args) > 1 else ""
    user = spec.credential.username if spec.credential else ""
    if code == ER_ACCESS_DENIED:
        return failed(_("Authentication failed for user %(user)s.") % {"user": user})
    if code == ER_DBACCESS_DENIED:
        return failed(_("User %(user)s may not use database %(database)s.")
                      % {"user": user, "database": database})
    if code == ER_BAD_DB:
        return failed(_("Database %(database)s does not exist.") % {"database": database})
    if code == CONNECT_REFUSED:
        if "timed out" in text or "timeout" in text.lower():
            return timed_out(budget.timeout_s)
        if "Name or service not known" in text or "getaddrinfo" in text:
            return failed(_("Unknown host %(host)s.") % {"host": host})
        if "refused" in text:
            return failed(_("Connection refused by %(host)s port %(port)s.")
                          % {"host": host, "port": port})
        return failed(_("Could not connect to %(host)s port %(port)s.")
                      % {"host": host, "port": port})
    if isinstance(exc.__cause__, socket.timeout | TimeoutError):
        return timed_out(budget.timeout_s)
    return failed(_("Could not connect to MySQL (error %(code)s).")
                  % {"code": code or type(exc).__name__})


class _Probe:
    def __init__(self, conn: pymysql.connections.Connection[Any], budget: Budget) -> None:
        self.conn = conn
        self.budget = budget
        self.samples: list[Sample] = []
        self.skipped: list[str] = []

    def add(self, name: str, value: Any, **labels: str) -> None:
        if value is None:
            return
        try:
            number = float(value)
        except (TypeError, ValueError):
            return
        if math.isfinite(number):
            self.samples.append(Sample(name, labels, number))

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self.budget.left()
        with self.conn.cursor() as cur:
            cur.execute(sql, params or None)
            return list(cur.fetchall())

    def dict_rows(self, sql: str) -> list[dict[str, Any]]:
        self.budget.left()
        with self.conn.cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute(sql)
            return list(cur.fetchall())

    def optional(self, section: str, sql: str, params: tuple[Any, ...] = ()
                 ) -> list[tuple[Any, ...]] | None:
        try:
            return self.rows(sql, params)
        except pymysql.MySQLError as exc:
            if exc.args and exc.args[0] in PRIVILEGE_ERRORS:
                self.skipped.append(section)
                return None
            raise

    def run(self, long_tx: float, slow: float) -> list[Sample]:
        (version, comment), = self.rows("SELECT VERSION(), @@version_comment")
        mariadb = "mariadb" in f"{version} {comment}".lower()
        limit_s = max(0.001, self.budget.left())
        if mariadb:
            self.rows(f"SET SESSION max_statement_time = {limit_s:.3f}")
        else:
            self.rows(f"SET SESSION max_execution_time = {max(1, int(limit_s * 1000))}")
        self.add("mysql_up", 1)
        self.add("mysql_version_info", 1, version=short(str(version))[:100],
                 vendor="mariadb" if mariadb else "mysql")
        status = {str(k).lower(): v for k, v in self.rows("SHOW GLOBAL STATUS")}
        for name in STATUS:
            if name in status:
                self.add(f"mysql_global_status_{name}", _on_off(status[name]))
        variables = {str(k).lower(): v for k, v in self.rows(_VARIABLES_SQL)}
        for name in VARIABLES:
            if name in variables:
                self.add(f"mysql_global_variables_{name}", _on_off(variables[name]))
        self._ratios(status, variables)
        self._transactions(long_tx)
        self._processes(slow)
        self._replication()
        self._schemas()
        return self.samples

    def _ratios(self, status: dict[str, Any], variables: dict[str, Any]) -> None:
        max_conn = _on_off(variables.get("max_connections"))
        if max_conn:
            connected = _on_off(status.get("threads_connected"))
            used = _on_off(status.get("max_used_connections"))
            if connected is not None:
                self.add("careops_mysql_connections_used_ratio", connected / max_conn)
            if used is not None:
                self.add("careops_mysql_max_used_connections_ratio", used / max_conn)
        requests = _on_off(status.get("innodb_buffer_pool_read_requests"))
        reads = _on_off(status.get("innodb_buffer_pool_reads"))
        if requests and reads is not None:
            self.add("careops_mysql_innodb_buffer_pool_hit_ratio", 1.0 - reads / requests)

    def _transactions(self, long_tx: float) -> None:
        rows = self.optional(
            "transactions",
            "SELECT COALESCE(MAX(TIMESTAMPDIFF(MICROSECOND, trx_started, NOW(6))), 0) / 1e6, "
            "COALESCE(SUM(TIMESTAMPDIFF(MICROSECOND, trx_started, NOW(6)) > %s * 1e6), 0), "
            "COALESCE(SUM(trx_state = 'LOCK WAIT'), 0), "
            "COALESCE(MAX(IF(trx_state = 'LOCK WAIT', "
            "  TIMESTAMPDIFF(MICROSECOND, trx_wait_started, NOW(6)), 0)), 0) / 1e6 "
            "FROM information_schema.innodb_trx WHERE trx_mysql_thread_id <> CONNECTION_ID()",
            (long_tx,))
        if rows:
            longest, long_count, waiting, longest_wait = rows[0]
            self.add("careops_mysql_longest_transaction_seconds", longest)
            self.add("careops_mysql_long_transaction_count", long_count)
            self.add("careops_mysql_lock_waiting_count", waiting)
            self.add("careops_mysql_lock_longest_wait_seconds", longest_wait)

    def _processes(self, slow: float) -> None:
        rows = self.optional(
            "process list",
            "SELECT COALESCE(MAX(TIME), 0), COALESCE(SUM(TIME > %s), 0) "
            "FROM information_schema.processlist "
            "WHERE COMMAND = 'Query' AND ID <> CONNECTION_ID() "
            "AND USER NOT IN ('system user', 'event_scheduler')", (slow,))
        if rows:
            self.add("careops_mysql_longest_query_seconds", rows[0][0])
            self.add("careops_mysql_slow_query_count", rows[0][1])

    def _replication(self) -> None:
        rows: list[dict[str, Any]] | None = None
        for statement in ("SHOW ALL REPLICAS STATUS", "SHOW REPLICA STATUS",
                          "SHOW ALL SLAVES STATUS", "SHOW SLAVE STATUS"):
            try:
                rows = self.dict_rows(statement)
                break
            except pymysql.ProgrammingError:
                continue  # not this server's syntax
            except pymysql.MySQLError as exc:
                if exc.args and exc.args[0] in PRIVILEGE_ERRORS:
                    self.skipped.append("replication")
                    return
                if exc.args and exc.args[0] == 1064:  # syntax error
                    continue
                raise
        if rows is None:
            self.skipped.append("replication")
            return
        self.add("careops_mysql_replica", 1 if rows else 0)
        for row in rows:
            channel = str(row.get("Connection_name") or row.get("Channel_Name")
                          or row.get("Channel_name") or "")
            behind = row.get("Seconds_Behind_Master", row.get("Seconds_Behind_Source"))
            io = row.get("Slave_IO_Running", row.get("Replica_IO_Running"))
            sql = row.get("Slave_SQL_Running", row.get("Replica_SQL_Running"))
            self.add("mysql_slave_status_seconds_behind_master", behind, channel_name=channel)
            self.add("mysql_slave_status_slave_io_running", 1 if io == "Yes" else 0,
                     channel_name=channel)
            self.add("mysql_slave_status_slave_sql_running", 1 if sql == "Yes" else 0,
                     channel_name=channel)

    def _schemas(self) -> None:
        rows = self.optional(
            "schema sizes",
            "SELECT table_schema, COALESCE(SUM(data_length + index_length), 0) "
            "FROM information_schema.tables WHERE table_schema NOT IN "
            "('information_schema', 'performance_schema', 'mysql', 'sys') "
            "GROUP BY table_schema ORDER BY table_schema")
        for schema, size in rows or []:
            self.add("careops_mysql_schema_size_bytes", size, schema=str(schema))
