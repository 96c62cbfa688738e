#!/usr/bin/env bash
# Runs the whole product locally: SecantusDB (a MongoDB-compatible server) on
# 127.0.0.1:27117 with its data in .data/, the demo data (meeting rooms and a
# generated show catalogue), and the API serving the web app on
# http://127.0.0.1:8080. Set MONGODB_URI to use your own
# MongoDB replica set instead. Ctrl-C stops everything.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/tools.sh

ensure_web_tools
build_web
say "building the API"
cargo build --release -p api

if [ -z "${MONGODB_URI:-}" ]; then
  ensure_secantus
  DB_PORT="${DB_PORT:-27117}"
  say "starting SecantusDB on 127.0.0.1:$DB_PORT (data in .data/db)"
  # --sync-on-commit makes acknowledged (journaled) writes survive a crash.
  start_db "$DB_PORT" "$ROOT/.data/db" --sync-on-commit
  trap 'kill "$DB_PID" 2>/dev/null; wait "$DB_PID" 2>/dev/null' EXIT
  export MONGODB_URI="mongodb://127.0.0.1:$DB_PORT/?replicaSet=secantus"
fi

say "loading the demo data (idempotent)"
./target/release/api seed deploy/demo/meeting-rooms.json
# The seated-event catalogue of deploy/demo/concert-catalog.md: 200 shows x
# 140 seats; pass e.g. CATALOG_OPTIONS="--shows 50 --performances 3".
# shellcheck disable=SC2086
./target/release/api seed-catalog ${CATALOG_OPTIONS:-}

export APP_APPLICATION__STATIC_DIR="${APP_APPLICATION__STATIC_DIR:-$ROOT/web/dist}"
say "open http://127.0.0.1:${APP_APPLICATION__PORT:-8080}  (admin: lee3@example.com / demo-pass-3; API docs at /api/docs)"
./target/release/api serve
