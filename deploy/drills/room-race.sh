#!/usr/bin/env bash
# Drill against a running API: N users (default 100) post overlapping
# reservations for one room at the same moment. Exactly one must win.
#   bash deploy/drills/room-race.sh [BASE_URL] [N]
set -euo pipefail
BASE="${1:-http://127.0.0.1:8080}/api/v1"
N="${2:-100}"
J='content-type: application/json'
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run="$(date +%s)-$$"

room=$(curl -sf "$BASE/rooms?limit=1" | sed 's/.*"id":"\([^"]*\)".*/\1/')
# A slot a few weeks ahead, on the hour, so it is aligned and in the future.
day=$(date -u -d "+$(( 20 + RANDOM % 300 )) days" +%Y-%m-%d)
hour=$(( 10 + RANDOM % 8 ))

echo "registering and logging in $N users..."
seq 1 "$N" | xargs -P 16 -I{} sh -c '
  email="race-'"$run"'-{}@example.com"
  curl -sf -X POST "'"$BASE"'/auth/register" -H "'"$J"'" \
    -d "{\"email\":\"$email\",\"name\":\"Racer {}\",\"password\":\"race-password\"}" >/dev/null
  curl -sf -X POST "'"$BASE"'/auth/login" -H "'"$J"'" \
    -d "{\"email\":\"$email\",\"password\":\"race-password\"}" \
    | sed "s/.*\"token\":\"\([^\"]*\)\".*/\1/" > "'"$work"'/token-{}"'

echo "firing $N overlapping reservations for room $room at ${day} ${hour}:00 UTC..."
seq 1 "$N" | xargs -P "$N" -I{} sh -c '
  minutes=$(( ({} % 3) * 15 ))
  curl -s -o /dev/null -w "%{http_code}\n" -X POST "'"$BASE"'/reservations" \
    -H "authorization: Bearer $(cat "'"$work"'/token-{}")" -H "'"$J"'" \
    -d "{\"room_id\":\"'"$room"'\",\"start\":\"'"$day"'T'"$hour"':$(printf %02d $minutes):00Z\",\"end\":\"'"$day"'T'"$hour"':45:00Z\",\"purpose\":\"race\"}"' \
  > "$work/statuses"

sort "$work/statuses" | uniq -c
created=$(grep -c '^201$' "$work/statuses" || true)
conflicts=$(grep -c '^409$' "$work/statuses" || true)
if [ "$created" = 1 ] && [ "$conflicts" = $(( N - 1 )) ]; then
  echo "OK: exactly one reservation won, $conflicts were refused with 409"
else
  echo "FAILED: $created created, $conflicts conflicts"; exit 1
fi
