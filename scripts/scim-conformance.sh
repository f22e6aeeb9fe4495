#!/usr/bin/env bash
# Checks the SCIM 2.0 service with a third-party client: scim2-tester, through scim2-cli,
# discovers what the live server says it supports, then creates, reads, lists, replaces,
# patches and deletes Users and Groups the way an identity provider would. Every check
# must pass; the server runs on SQLite and then on a fresh PostgreSQL database (skipped
# only when GATEHOUSE_TEST_POSTGRES_URL is set to "none").
# Expects `make build` to have run; Python packages go into a virtualenv in the target dir.
set -euo pipefail
cd "$(dirname "$0")/.."

SCIM2_CLI_VERSION=0.6.0
SCIM2_TESTER_VERSION=0.5.2

source scripts/lib/release-server.sh
require_release_build scim-conformance
postgres="${GATEHOUSE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

venv="$target_dir/scim-conformance-venv"
installed=$("$venv/bin/pip" freeze 2>/dev/null || true)
if [[ "$installed" != *"scim2-cli==$SCIM2_CLI_VERSION"* ]] \
  || [[ "$installed" != *"scim2-tester==$SCIM2_TESTER_VERSION"* ]]; then
  echo "scim-conformance: installing scim2-cli $SCIM2_CLI_VERSION and scim2-tester $SCIM2_TESTER_VERSION"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "scim2-cli==$SCIM2_CLI_VERSION" "scim2-tester==$SCIM2_TESTER_VERSION"
fi

work=$(mktemp -d)
created_database=""
cleanup() {
  status=$?
  stop_release_server
  [ -n "$created_database" ] && psql "$postgres" -qc "DROP DATABASE IF EXISTS $created_database" > /dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then
    echo "--- server log ---" >&2
    tail -n 40 "$work"/*.log >&2 || true
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT

# Runs every check against a fresh instance on the database at $1 (empty: SQLite).
check_on() {
  local database_url="$1" name="$2"
  local port data_dir base cookies token
  port=$(free_port)
  data_dir="$work/$name"
  mkdir -p "$data_dir"
  base="http://127.0.0.1:$port"
  start_release_server "$port" "$work/$name.log" \
    ${database_url:+DATABASE_URL="$database_url"} \
    GATEHOUSE_DATA_DIR="$data_dir" \
    GATEHOUSE_PUBLIC_URL="$base" \
    GATEHOUSE_ADMIN_EMAIL=admin@example.com \
    GATEHOUSE_ADMIN_PASSWORD='conformance test password' \
    GATEHOUSE_WORKSPACE=Acme

  # A SCIM token made the way an admin makes one: signed in, on the Provisioning page.
  cookies="$data_dir/cookies"
  curl -fsS -c "$cookies" -H 'sec-fetch-site: same-origin' \
    --data-urlencode email=admin@example.com --data-urlencode 'password=conformance test password' \
    "$base/api/sign-in" > /dev/null
  token=$(curl -fsS -b "$cookies" -H 'sec-fetch-site: same-origin' \
    --data-urlencode slug=acme --data-urlencode name=conformance \
    "$base/api/provisioning/tokens/create" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')

  echo "scim-conformance: scim2-tester on $name"
  SCIM_CLI_HEADERS="Authorization: Bearer $token" \
    "$venv/bin/scim2" --url "$base/scim/v2/acme" test | tee "$work/$name.results"
  echo "scim-conformance: $name: $(grep -c '^SUCCESS' "$work/$name.results") checks passed"
  stop_release_server
}

check_on "" sqlite
if [ "$postgres" != none ]; then
  created_database="scim_conformance_$$"
  psql "$postgres" -qc "CREATE DATABASE $created_database" > /dev/null
  check_on "${postgres%/*}/$created_database" postgres
fi
echo "scim-conformance: passed"
