#!/usr/bin/env bash
# Fuzzes the running API against its committed OpenAPI document with
# schemathesis (every check, 40 examples per operation, stateful phase
# included), authenticated with an admin API key that has every scope.
# Starts its own API on a fresh database (and a throwaway SecantusDB
# unless MONGODB_URI is set), with the rate limits off so the fuzzer
# measures the contract, not the limits. Prints schemathesis's report;
# exits non-zero when it finds a failure.
#
# scripts/test.sh runs it with `--seed 1`. Extra arguments go to
# `schemathesis run`, e.g. `--seed 7` or `--include-path /api/v1/rooms`.
# A schema-valid request may be refused with 422 (a rule the document
# cannot state); scripts/schemathesis.toml says so to the tool.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/tools.sh

SCHEMATHESIS="schemathesis==4.32.5"
venv="$ROOT/target/fuzz-venv"
if [ "$(cat "$venv/.packages" 2>/dev/null)" != "$SCHEMATHESIS" ]; then
  say "installing $SCHEMATHESIS into target/fuzz-venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "$SCHEMATHESIS"
  echo "$SCHEMATHESIS" >"$venv/.packages"
fi

cleanup=()
trap 'for c in "${cleanup[@]}"; do eval "$c"; done' EXIT
if [ -z "${MONGODB_URI:-}" ]; then
  ensure_secantus
  DB_DIR="$(mktemp -d)"
  start_db 0 "$DB_DIR/db" --cache-size 256M
  cleanup+=("kill $DB_PID 2>/dev/null; rm -rf $DB_DIR")
  export MONGODB_URI="mongodb://127.0.0.1:$DB_PORT/?replicaSet=secantus"
fi

say "building the api binary"
cargo build -q -p api
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
ADMIN_PASSWORD="fuzz-$RANDOM-$RANDOM"
export APP_DATABASE__NAME="fuzz_$$" APP_APPLICATION__PORT="$PORT" \
  APP_AUTH__BOOTSTRAP_ADMIN_EMAIL=fuzz-admin@example.com \
  APP_AUTH__BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  APP_RATE_LIMITS__LOGIN_PER_ADDRESS=off APP_RATE_LIMITS__REGISTER_PER_ADDRESS=off \
  APP_RATE_LIMITS__BOOKING_PER_USER=off APP_RATE_LIMITS__PUBLIC_READS_PER_ADDRESS=off
./target/debug/api seed-catalog --shows 3 --performances 2 >/dev/null
./target/debug/api serve >"${TMPDIR:-/tmp}/fuzz-api.log" 2>&1 &
API_PID=$!
cleanup+=("kill $API_PID 2>/dev/null")
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$PORT/api/v1/health/ready" >/dev/null && break
  sleep 0.1
done

json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }
TOKEN="$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" \
  -H 'Content-Type: application/json' \
  -d "{\"email\": \"fuzz-admin@example.com\", \"password\": \"$ADMIN_PASSWORD\"}" | json_field '["token"]')"
KEY="$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/me/api-keys" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name": "contract fuzzing", "scopes": ["read", "book", "admin"]}' | json_field '["secret"]')"

say "schemathesis against http://127.0.0.1:$PORT (API log: ${TMPDIR:-/tmp}/fuzz-api.log)"
"$venv/bin/schemathesis" --config-file scripts/schemathesis.toml run openapi/openapi.json --url "http://127.0.0.1:$PORT" \
  --checks all --max-examples 40 --workers 2 --no-color \
  -H "Authorization: Bearer $KEY" "$@"
