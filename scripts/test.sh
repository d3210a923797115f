#!/usr/bin/env bash
# The whole test suite: lint, types, migrations, translations, then the tests on
# SQLite and again on PostgreSQL and on MariaDB (the browser and process tests run once).
# Run it through `make test`, which first sets up what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export CAREOPS_VAR_DIR="${CAREOPS_VAR_DIR:-$PWD/var/test}"
PG_URL="${CAREOPS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/careops}"
MARIADB_URL="${CAREOPS_TEST_MARIADB_URL:-mysql://root@127.0.0.1:3306/careops}"
ci=false; case "${CI:-}" in 1|true|TRUE|yes) ci=true;; esac

step() { printf '\n==> %s\n' "$*"; }

step "ruff"
ruff check .
step "mypy"
mypy careops
step "makemigrations --check"
careops makemigrations --check --dry-run >/dev/null
step "translations"
python scripts/i18n.py check

port_open() { python -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null; }

step "tests on SQLite"
pytest -n 2 -q "$@"

if port_open 5432; then
  step "tests on PostgreSQL"
  DATABASE_URL="$PG_URL" pytest -n 2 -q -m "not browser and not slow" "$@"
elif $ci; then
  echo "PostgreSQL is required in CI but 127.0.0.1:5432 is closed" >&2; exit 1
else
  echo "PostgreSQL is not running at 127.0.0.1:5432: skipped the PostgreSQL run"
fi

if port_open 3306; then
  step "tests on MariaDB"
  DATABASE_URL="$MARIADB_URL" pytest -n 2 -q -m "not browser and not slow" "$@"
elif $ci; then
  echo "MariaDB is required in CI but 127.0.0.1:3306 is closed" >&2; exit 1
else
  echo "MariaDB is not running at 127.0.0.1:3306: skipped the MariaDB run"
fi
step "all passed"
