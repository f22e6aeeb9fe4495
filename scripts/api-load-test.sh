#!/usr/bin/env bash
# Measures the REST API's member listing under load: a workspace of 100,000 members on a
# fresh SQLite file, and wrk (Debian's package) asking for pages of 100 with an access
# token. Expects `make build` to have run.
#   scripts/api-load-test.sh [seconds] [members]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-15}"
members="${2:-100000}"
source scripts/lib/release-server.sh
require_release_build api-load-test
command -v wrk > /dev/null || { echo "api-load-test: installing wrk"; apt-get install -y -qq wrk > /dev/null; }

port=$(free_port)
data_dir=$(mktemp -d)
base="http://127.0.0.1:$port"
start_server() {
  start_release_server "$port" "$data_dir/server.log" GATEHOUSE_DATA_DIR="$data_dir" \
    GATEHOUSE_ADMIN_EMAIL=ada@example.com GATEHOUSE_ADMIN_PASSWORD='analytical engine' \
    GATEHOUSE_WORKSPACE=Acme GATEHOUSE_API_REQUESTS_PER_MINUTE=100000000 RUST_LOG=warn
}
trap 'stop_release_server; rm -rf "$data_dir"' EXIT
start_server

# The members go straight into the database file (inviting 100,000 people through the
# API would measure invitations); the server is stopped meanwhile.
stop_release_server
python3 - "$data_dir/gatehouse.db" "$members" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
count = int(sys.argv[2])
workspace = db.execute("SELECT id FROM workspaces WHERE slug = 'acme'").fetchone()[0]
with db:
    db.executemany(
        "INSERT INTO users (email, full_name, status, created_at, updated_at) VALUES (?, ?, 'active', 0, 0)",
        ((f"member{n:06d}@example.com", f"Member {n}") for n in range(count)),
    )
    db.execute(
        """INSERT INTO memberships (workspace_id, user_id, role, status, created_at, updated_at, email, name_key)
           SELECT ?, id, CASE id % 5 WHEN 0 THEN 'builder' ELSE 'end-user' END, 'active', 0, 0, email, lower(full_name)
           FROM users WHERE email LIKE 'member%@example.com'""",
        (workspace,),
    )
PY
start_server

cookies="$data_dir/cookies"
curl -fsS -c "$cookies" -H 'sec-fetch-site: same-origin' \
  --data-urlencode email=ada@example.com --data-urlencode 'password=analytical engine' \
  "$base/api/sign-in" > /dev/null
token=$(curl -fsS -b "$cookies" -H 'sec-fetch-site: same-origin' -H 'content-type: application/json' \
  -d '{"name":"load","scopes":["members:read"],"valid_for_days":1}' \
  "$base/api/tokens/create" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
path="/api/v1/workspaces/acme/members?limit=100"
echo "first page: $(curl -fsS -H "authorization: Bearer $token" "$base$path" | head -c 200)…"
wrk -t2 -c16 -d"${seconds}s" --latency -H "authorization: Bearer $token" "$base$path"
