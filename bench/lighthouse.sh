#!/usr/bin/env bash
# Lighthouse audit of Loket's public pages, as a phone sees them.
#
# What it does: installs the pinned Lighthouse (bench/package.json) into bench/node_modules
# when missing, serves Loket with gunicorn on a throwaway SQLite database (temp dir,
# migrated, demo data loaded) on a free loopback port, and runs Lighthouse with Debian's
# Chromium, default mobile settings (mobile form factor, simulated throttling) and the
# categories performance, accessibility, best-practices and seo on two service pages,
# the catalogue and the home page. Each page's report goes to
# bench/results/lighthouse-<page>-<timestamp>.json; bench/lighthouse_summary.py then
# prints the scores and, for every category under its target (performance 0.95,
# accessibility 1.0, best-practices 0.95, seo 0.9), the failing audits with the elements.
#
# Usage: bench/lighthouse.sh [PATH ...]    (default: the four pages below)
#        LH_ALL=1 bench/lighthouse.sh      (list non-perfect audits in every category)
# Exit status: 0 when every page meets every target, 1 when not, 2 on a set-up error.
# Needs: node (Lighthouse 12.8.2 is the newest that runs on Node 20), npm, chromium.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
RESULTS="$BENCH/results"
LIGHTHOUSE="$BENCH/node_modules/.bin/lighthouse"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-background-networking \
--disable-component-update --disable-sync --no-first-run"
PAGES=("/layanan/izin-instalasi-genset" "/layanan/izin-kerja-tenaga-sanitarian" "/layanan" "/")
[[ $# -gt 0 ]] && PAGES=("$@")
TMP=""
SERVER_PID=""

# die MESSAGE: print MESSAGE on stderr and exit 2.
die() {
  echo "lighthouse.sh: $*" >&2
  exit 2
}

# cleanup: stop gunicorn (TERM, then KILL after 10 s) and remove the temp dir; runs on every exit.
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "$TMP" ]]; then rm -rf "$TMP"; fi
}

# ensure_lighthouse: install the pinned Lighthouse from bench/package.json when it is missing.
ensure_lighthouse() {
  [[ -x "$LIGHTHOUSE" ]] && return
  command -v npm >/dev/null || die "npm is missing (apt-get install -y npm, or Node.js from your vendor)"
  echo "Installing Lighthouse into bench/node_modules ..."
  # Not `npm ci`: a Lighthouse dependency asks for third-party-web@"latest", which outdates the lock file.
  timeout 600 npm install --prefix "$BENCH" --no-audit --no-fund --loglevel=error
}

# free_port: print a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  "$ROOT/.venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server: migrate and load a temp SQLite database, start gunicorn on $PORT, wait until it answers.
start_server() {
  TMP="$(mktemp -d /tmp/loket-lighthouse-XXXXXX)"
  export DATABASE_URL="sqlite:///$TMP/loket.sqlite" SECRET_KEY="lighthouse-only"
  (cd "$ROOT" && .venv/bin/flask --app webapp db upgrade && .venv/bin/flask --app webapp demo load) \
    >"$TMP/setup.log" 2>&1 || { cat "$TMP/setup.log" >&2; die "database set-up failed"; }
  PORT="$(free_port)"
  (cd "$ROOT" && exec .venv/bin/gunicorn -w 2 -k sync -b "127.0.0.1:$PORT" --log-level warning 'webapp:create_app()') &
  SERVER_PID=$!
  for _ in $(seq 150); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/healthz" 2>/dev/null && return
    kill -0 "$SERVER_PID" 2>/dev/null || die "gunicorn exited"
    sleep 0.2
  done
  die "gunicorn did not answer within 30 s"
}

# audit PATH OUTPUT: run Lighthouse on http://127.0.0.1:$PORT/PATH and write its JSON report to OUTPUT.
audit() {
  local url="http://127.0.0.1:$PORT$1"
  curl -fsS -o /dev/null --max-time 10 "$url" || die "$url does not answer 200"
  echo "Lighthouse: $url"
  timeout 240 "$LIGHTHOUSE" "$url" --quiet --output=json --output-path="$2" \
    --only-categories=performance,accessibility,best-practices,seo \
    --form-factor=mobile --throttling-method=simulate --max-wait-for-load=30000 \
    --chrome-flags="$CHROME_FLAGS"
}

main() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  [[ -x "$CHROME_PATH" ]] || die "no Chromium at $CHROME_PATH (apt-get install -y chromium)"
  ensure_lighthouse
  echo "Lighthouse $("$LIGHTHOUSE" --version), $("$CHROME_PATH" --version 2>/dev/null)"
  start_server
  mkdir -p "$RESULTS"
  local stamp reports=() name
  stamp="$(date +%Y%m%d-%H%M%S)"
  for page in "${PAGES[@]}"; do
    name="$(echo "$page" | sed 's#^/##; s#/#-#g')"
    reports+=("$RESULTS/lighthouse-${name:-home}-$stamp.json")
    audit "$page" "${reports[-1]}"
  done
  "$ROOT/.venv/bin/python" "$BENCH/lighthouse_summary.py" "${reports[@]}"
}

main
