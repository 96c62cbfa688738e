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
ensure_test_python
ensure_test_node

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
# The web app's pure logic (the seat-map editor's checks), natively.
say "the web app's unit tests"
cargo test -p web

# Public catalogue reads may go to secondaries: the API and cluster tests
# again with that read preference (decisions and a user's own data still
# read the primary, so every test must pass unchanged).
say "running the API and cluster tests again with database.read_preference = secondaryPreferred"
APP_DATABASE__READ_PREFERENCE=secondaryPreferred APP_DATABASE__MAX_STALENESS_SECONDS=90 \
  cargo test -p tests --test api --test cluster -- --test-threads "${TEST_THREADS:-8}"

# The contract, fuzzed: schemathesis with every check against a running API
# (its own database on the same server), a fixed seed so a failure can be
# replayed. Any failure fails the run.
say "fuzzing the OpenAPI contract with schemathesis"
bash scripts/fuzz-contract.sh --seed 1

# The load test (cargo run -p tests --bin load) in its short profile against
# a running API with a small generated catalogue: proves the tool runs and
# that nothing errs under it. Speed is measured with the full profile by
# hand (README, "Performance").
say "load test, smoke profile"
LOAD_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export APP_DATABASE__NAME="load_smoke_$$" APP_APPLICATION__PORT="$LOAD_PORT"
# One machine plays thousands of buyers: the per-address and per-user rate
# limits would measure themselves, not the booking path.
export APP_RATE_LIMITS__LOGIN_PER_ADDRESS=off APP_RATE_LIMITS__REGISTER_PER_ADDRESS=off \
  APP_RATE_LIMITS__BOOKING_PER_USER=off APP_RATE_LIMITS__PUBLIC_READS_PER_ADDRESS=off
"$API_BIN" seed-catalog --shows 20 --performances 2 >/dev/null
"$API_BIN" serve >"${TMPDIR:-/tmp}/load-smoke-api.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$LOAD_PORT") 2>/dev/null && break
  sleep 0.1
done
# Stop the API whatever the load test's outcome, then pass that outcome on.
smoke=0
cargo run -q -p tests --bin load -- --profile smoke --host "http://127.0.0.1:$LOAD_PORT" || smoke=$?
kill "$API_PID" 2>/dev/null || true
wait "$API_PID" 2>/dev/null || true
unset APP_DATABASE__NAME APP_APPLICATION__PORT APP_RATE_LIMITS__LOGIN_PER_ADDRESS \
  APP_RATE_LIMITS__REGISTER_PER_ADDRESS APP_RATE_LIMITS__BOOKING_PER_USER \
  APP_RATE_LIMITS__PUBLIC_READS_PER_ADDRESS
exit "$smoke"
