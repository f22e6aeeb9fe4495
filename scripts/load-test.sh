#!/usr/bin/env bash
# Whole requests under load, with the release build and wrk (Debian's package), on a fresh
# SQLite file and then on a fresh PostgreSQL database, each served by one server with an
# admin (Ada) of a workspace of [members] members and an app that reads her metadata:
#   list       the Users page's list request (users/list: the first page of 50, the
#              total, the metadata counts)
#   dashboard  the apps the caller sees (dashboard)
#   viewer     the app viewer's request (apps/details: permissions, metadata decryption,
#              rendering)
#   sign-in    signing in (Argon2id at the argon2 crate's defaults, OWASP's minimum:
#              19 MiB, 2 passes), then the list again while sign-ins keep every hashing
#              slot busy
# and prints what each reached: requests a second, median and 99th percentile latency.
# wrk shares the machine's cores with the server.
#   scripts/load-test.sh [seconds] [members]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-15}"
members="${2:-10000}"
source scripts/lib/release-server.sh
require_release_build load-test
command -v wrk > /dev/null || { echo "load-test: installing wrk"; apt-get install -y -qq wrk > /dev/null; }
postgres="${GATEHOUSE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

work=$(mktemp -d)
created_database=""
cleanup() {
  stop_release_server
  [ -n "$created_database" ] && psql "$postgres" -qc "DROP DATABASE IF EXISTS $created_database WITH (FORCE)" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The members go straight into the database (inviting them would measure invitations):
# one statement each for users and memberships, the same SQL on both databases.
members_sql="
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $members)
INSERT INTO users (email, full_name, status, created_at, updated_at)
SELECT 'member' || i || '@example.com', 'Member ' || i, 'active', 0, 0 FROM n;
INSERT INTO memberships (workspace_id, user_id, role, status, created_at, updated_at, email, name_key)
SELECT w.id, u.id, CASE WHEN u.id % 5 = 0 THEN 'builder' ELSE 'end-user' END, 'active', 0, 0,
       u.email, lower(u.full_name)
FROM users u, workspaces w WHERE w.slug = 'acme' AND u.email LIKE 'member%@example.com';"

# wrk's request scripts: a POST of the form fields, with the session cookie when given.
post_script() { # file, form, cookie
  cat > "$1" <<LUA
wrk.method = "POST"
wrk.body = "$2"
wrk.headers["content-type"] = "application/x-www-form-urlencoded"
wrk.headers["sec-fetch-site"] = "same-origin"
wrk.headers["cookie"] = "$3"
LUA
}

# Runs wrk and prints one row: name, requests/s, p50, p99, and the non-2xx answers.
measure() { # backend, name, connections, script, path
  local output
  output=$(wrk -t2 -c"$3" -d"${seconds}s" --latency -s "$4" "$5")
  echo "$output" > "$work/$1-$2.wrk"
  awk -v backend="$1" -v name="$2" '
    /Requests\/sec/ { rate = $2 }
    / 50%/ { p50 = $2 }
    / 99%/ { p99 = $2 }
    /Non-2xx/ { failed = $4 }
    END { printf "%-10s %-26s %10s %10s %10s %8s\n", backend, name, rate, p50, p99, failed + 0 }
  ' <<< "$output"
}

run_on() { # backend, DATABASE_URL (empty: SQLite in the data directory)
  local backend=$1 database_url=$2 port base data_dir cookies cookie user_id app_id
  port=$(free_port)
  base="http://127.0.0.1:$port"
  data_dir="$work/$backend"
  mkdir -p "$data_dir"
  start_release_server "$port" "$data_dir/server.log" \
    ${database_url:+DATABASE_URL="$database_url"} GATEHOUSE_DATA_DIR="$data_dir" \
    GATEHOUSE_ADMIN_EMAIL=ada@example.com GATEHOUSE_ADMIN_PASSWORD='analytical engine' \
    GATEHOUSE_ADMIN_NAME='Ada Lovelace' GATEHOUSE_WORKSPACE=Acme \
    GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS=100000000 \
    GATEHOUSE_SIGN_IN_LIMIT_PER_ADDRESS=100000000 RUST_LOG=warn
  # Then the statistics, as autovacuum gathers them after a bulk load: without them
  # PostgreSQL planned the list as if the workspace were empty (110 requests/s).
  if [ -z "$database_url" ]; then
    python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1], timeout=30); db.executescript(sys.argv[2])' \
      "$data_dir/gatehouse.db" "$members_sql ANALYZE;"
  else
    psql "$database_url" -q -c "$members_sql" -c "VACUUM ANALYZE" > /dev/null
  fi

  cookies="$data_dir/cookies"
  api() { # endpoint, curl arguments…
    local endpoint=$1; shift
    curl -fsS -H 'sec-fetch-site: same-origin' -b "$cookies" -c "$cookies" "$@" "$base/api/$endpoint"
  }
  api sign-in --data-urlencode email=ada@example.com --data-urlencode 'password=analytical engine' > /dev/null
  user_id=$(api users/list --data-urlencode 'slug=acme' --data-urlencode 'search=ada@' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["members"][0]["user_id"])')
  local metadata='[{"key":"department","value":"Engineering"},{"key":"region","value":"eu-west"},{"key":"cost centre","value":"CC-7"}]'
  api users/update -H 'content-type: application/json' \
    -d "{\"slug\":\"acme\",\"user_id\":$user_id,\"role\":\"admin\",\"metadata\":$metadata}" > /dev/null
  app_id=$(api apps/create --data-urlencode 'slug=acme' --data-urlencode 'name=Directory')
  local body='Hello {{globals.currentUser.firstName}} of {{globals.currentUser.metadata.department}} ({{globals.currentUser.metadata.region}}, {{globals.currentUser.metadata["cost centre"]}}). Groups: {{globals.currentUser.groups}}.'
  api apps/update --data-urlencode 'slug=acme' --data-urlencode "app_id=$app_id" \
    --data-urlencode 'name=Directory' --data-urlencode "body=$body" > /dev/null
  api apps/release --data-urlencode 'slug=acme' --data-urlencode "app_id=$app_id" --data-urlencode 'notes=' > /dev/null
  local total
  total=$(api users/list --data-urlencode 'slug=acme' | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"] or 0)')
  [ "$total" -gt "$members" ] || { echo "load-test: $backend lists $total members" >&2; exit 1; }

  cookie=$(awk '$6 ~ /gatehouse/ { print $6 "=" $7 }' "$cookies")
  post_script "$data_dir/list.lua" "slug=acme" "$cookie"
  post_script "$data_dir/dashboard.lua" "slug=acme" "$cookie"
  post_script "$data_dir/viewer.lua" "slug=acme&app_id=$app_id" "$cookie"
  post_script "$data_dir/sign-in.lua" "email=ada%40example.com&password=analytical+engine" ""
  measure "$backend" "list" 16 "$data_dir/list.lua" "$base/api/users/list"
  measure "$backend" "dashboard" 16 "$data_dir/dashboard.lua" "$base/api/dashboard"
  measure "$backend" "viewer" 16 "$data_dir/viewer.lua" "$base/api/apps/details"
  measure "$backend" "sign-in" 8 "$data_dir/sign-in.lua" "$base/api/sign-in"
  # Sign-ins keep every hashing slot busy while the list is measured beside them.
  wrk -t1 -c8 -d"$((seconds + 2))s" -s "$data_dir/sign-in.lua" "$base/api/sign-in" > "$work/$backend-saturating.wrk" &
  local saturating=$!
  sleep 1
  measure "$backend" "list while signing in" 16 "$data_dir/list.lua" "$base/api/users/list"
  wait "$saturating"
  stop_release_server
}

printf "%-10s %-26s %10s %10s %10s %8s\n" backend request "req/s" p50 p99 non-2xx
run_on sqlite ""
created_database="load_test_$$"
psql "$postgres" -qc "CREATE DATABASE $created_database" > /dev/null
run_on postgres "${postgres%/*}/$created_database"
