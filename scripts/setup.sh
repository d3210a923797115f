#!/usr/bin/env bash
# Set up everything CareOps needs on a Debian machine with Python 3.11+.
#   scripts/setup.sh run    what `make run` needs
#   scripts/setup.sh test   the above plus test tools and chromium
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

# WeasyPrint (PDF documents) needs Pango; fonts-noto-cjk gives the documents their Chinese.
# iputils-ping: the ping collector runs the system's ping (ICMP without raw-socket rights).
debs=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext iputils-ping)
if [ "$mode" = test ]; then
  # dovecot-imapd: a real IMAP server for the email intake tests;
  # poppler-utils: pdftotext/pdffonts read the PDF documents back in the tests.
  # victoria-metrics, prometheus, prometheus-alertmanager: the real metric store and the
  # peers of the monitoring tests and benchmarks.
  debs+=(chromium prometheus-node-exporter openssh-server dovecot-imapd poppler-utils
         victoria-metrics prometheus prometheus-alertmanager)
fi
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing; install them with:"
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
fi

PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "setup: Python 3.11 or newer is needed (found $($PY --version 2>&1))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
extra=""
[ "$mode" = test ] && extra="[dev]"
stamp=".venv/.careops-$mode-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".$extra"
  touch "$stamp"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
.venv/bin/python scripts/vendor_assets.py
.venv/bin/python scripts/i18n.py compile
