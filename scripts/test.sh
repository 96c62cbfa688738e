#!/usr/bin/env bash
# Runs every test: unit tests, the black-box API tests against a real
# MongoDB-compatible server, and the browser journeys (headless Chromium
# through chromedriver, against the API serving the freshly built web app).
# Without MONGODB_URI it starts a throwaway SecantusDB for the run; each
# test still gets its own database.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/tools.sh

ensure_web_tools
build_web
ensure_browser
# promtool checks /metrics and the alert rules as Prometheus would.
ensure_apt promtool prometheus

if [ -z "${MONGODB_URI:-}" ]; then
  ensure_secantus
  DB_DIR="$(mktemp -d)"
  start_db 0 "$DB_DIR/db" --cache-size 512M --log-file-max 64MB
  trap 'kill "$DB_PID" 2>/dev/null; wait "$DB_PID" 2>/dev/null; rm -rf "$DB_DIR"' EXIT
  export MONGODB_URI="mongodb://127.0.0.1:$DB_PORT/?replicaSet=secantus"
fi

# The shutdown tests send SIGTERM to a real `api` process.
say "building the api binary"
cargo build -p api
export API_BIN="${API_BIN:-$ROOT/target/debug/api}"

say "running the tests against $MONGODB_URI"
cargo test --workspace --exclude web -- --test-threads "${TEST_THREADS:-8}"

# Public catalogue reads may go to secondaries: the API and cluster tests
# again with that read preference (decisions and a user's own data still
# read the primary, so every test must pass unchanged).
say "running the API and cluster tests again with database.read_preference = secondaryPreferred"
APP_DATABASE__READ_PREFERENCE=secondaryPreferred APP_DATABASE__MAX_STALENESS_SECONDS=90 \
  cargo test -p tests --test api --test cluster -- --test-threads "${TEST_THREADS:-8}"
