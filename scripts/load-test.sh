#!/usr/bin/env bash
# Serves the release build on a fresh SQLite file, sets up an admin whose metadata an app
# reads, and measures with wrk (Debian's package) how many times a second the server
# renders that app for them: `apps/details`, the request the app viewer makes, with the
# permission check, metadata decryption and rendering. Expects `make build` to have run.
#   scripts/load-test.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-15}"
source scripts/lib/release-server.sh
require_release_build load-test
command -v wrk > /dev/null || { echo "load-test: installing wrk"; apt-get install -y -qq wrk > /dev/null; }

port=$(free_port)
data_dir=$(mktemp -d)
trap 'stop_release_server; rm -rf "$data_dir"' EXIT
start_release_server "$port" "$data_dir/server.log" GATEHOUSE_DATA_DIR="$data_dir" RUST_LOG=warn
base="http://127.0.0.1:$port"

api() { # endpoint, curl arguments…
  local endpoint=$1; shift
  curl -fsS -H 'sec-fetch-site: same-origin' -b "$data_dir/cookies" -c "$data_dir/cookies" "$@" "$base/api/$endpoint"
}
api set-up --data-urlencode 'full_name=Ada Lovelace' --data-urlencode 'email=ada@example.com' \
  --data-urlencode 'password=analytical engine' --data-urlencode 'workspace_name=Acme' > /dev/null
user_id=$(api users/list --data-urlencode 'slug=acme' \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).members[0].user_id))')
metadata='[{"key":"department","value":"Engineering"},{"key":"region","value":"eu-west"},{"key":"cost centre","value":"CC-7"}]'
api users/update -H 'content-type: application/json' \
  -d "{\"slug\":\"acme\",\"user_id\":$user_id,\"role\":\"admin\",\"metadata\":$metadata}" > /dev/null
app_id=$(api apps/create --data-urlencode 'slug=acme' --data-urlencode 'name=Directory')
body='Hello {{globals.currentUser.firstName}} of {{globals.currentUser.metadata.department}} ({{globals.currentUser.metadata.region}}, {{globals.currentUser.metadata["cost centre"]}}). Groups: {{globals.currentUser.groups}}.'
api apps/update --data-urlencode 'slug=acme' --data-urlencode "app_id=$app_id" \
  --data-urlencode 'name=Directory' --data-urlencode "body=$body" > /dev/null
echo "rendered once: $(api apps/details --data-urlencode 'slug=acme' --data-urlencode "app_id=$app_id")"

cookie=$(awk '$6 ~ /gatehouse/ { print $6 "=" $7 }' "$data_dir/cookies")
cat > "$data_dir/details.lua" <<LUA
wrk.method = "POST"
wrk.body = "slug=acme&app_id=$app_id"
wrk.headers["content-type"] = "application/x-www-form-urlencoded"
wrk.headers["sec-fetch-site"] = "same-origin"
wrk.headers["cookie"] = "$cookie"
LUA
wrk -t2 -c32 -d"${seconds}s" --latency -s "$data_dir/details.lua" "$base/api/apps/details"
