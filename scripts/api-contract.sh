#!/usr/bin/env bash
# Checks the REST API against its own OpenAPI document with real clients: the document
# must pass openapi-spec-validator, and Schemathesis fuzzes every operation of the live
# server with an access token (bounded examples). Fails on any 5xx, any response the
# document doesn't allow, and any change made by a request the server refused.
# Expects `make build` to have run; Python packages go into a virtualenv in the target dir.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
SPEC_VALIDATOR_VERSION=0.9.0
EXAMPLES="${API_CONTRACT_EXAMPLES:-25}"

source scripts/lib/release-server.sh
require_release_build api-contract

venv="$target_dir/api-contract-venv"
# Read whole before matching: grep -q stopping early would fail the pipe under pipefail.
installed_schemathesis=$("$venv/bin/st" --version 2>/dev/null || true)
installed_validator=$("$venv/bin/pip" show openapi-spec-validator 2>/dev/null || true)
if [[ "$installed_schemathesis" != *"$SCHEMATHESIS_VERSION"* ]] \
  || [[ "$installed_validator" != *"Version: $SPEC_VALIDATOR_VERSION"* ]]; then
  echo "api-contract: installing schemathesis $SCHEMATHESIS_VERSION and openapi-spec-validator $SPEC_VALIDATOR_VERSION"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$SPEC_VALIDATOR_VERSION"
fi

port=$(free_port)
data_dir=$(mktemp -d)
log="$data_dir/server.log"
base="http://127.0.0.1:$port"
cleanup() {
  status=$?
  stop_release_server
  if [ "$status" -ne 0 ]; then
    echo "--- server log ($log) ---" >&2
    tail -n 40 "$log" >&2 || true
  else
    rm -rf "$data_dir"
  fi
  exit "$status"
}
trap cleanup EXIT

# An instance with an admin from the start, and a rate limit no fuzzer reaches.
start_release_server "$port" "$log" \
  GATEHOUSE_DATA_DIR="$data_dir" \
  GATEHOUSE_ADMIN_EMAIL=admin@example.com \
  GATEHOUSE_ADMIN_PASSWORD='contract test password' \
  GATEHOUSE_WORKSPACE=Acme \
  GATEHOUSE_API_REQUESTS_PER_MINUTE=1000000 \
  GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS=1000

# A token with every scope, made the way a person makes one: signed in, in Profile.
cookies="$data_dir/cookies"
curl -fsS -c "$cookies" -H 'sec-fetch-site: same-origin' \
  --data-urlencode email=admin@example.com --data-urlencode 'password=contract test password' \
  "$base/api/sign-in" > /dev/null
token=$(curl -fsS -b "$cookies" -H 'sec-fetch-site: same-origin' -H 'content-type: application/json' \
  -d '{"name":"contract","scopes":["members:read","members:write","groups:read","groups:write","resources:read","resources:write","audit:read","instance:read"],"valid_for_days":1}' \
  "$base/api/tokens/create" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')

curl -fsS "$base/api/v1/openapi.json" -o "$data_dir/openapi.json"
"$venv/bin/openapi-spec-validator" "$data_dir/openapi.json"

# A member and a group for the fuzzer to find by id, besides the ids it makes up.
curl -fsS -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"full_name":"Bea Bee","email":"bea@example.com","role":"builder"}' "$base/api/v1/workspaces/acme/members" > /dev/null

run_schemathesis() {
  "$venv/bin/st" run "$data_dir/openapi.json" --url "$base" \
    --header "Authorization: Bearer $token" \
    --max-examples "$EXAMPLES" --seed 20261130 --workers 1 \
    --generation-database none --no-color "$@"
}

newest_change() {
  curl -fsS -H "authorization: Bearer $token" "$base/api/v1/workspaces/acme/audit?limit=1" \
    | python3 -c 'import json,sys; e=json.load(sys.stdin)["entries"]; print(e[0]["id"] if e else 0)'
}

echo "api-contract: requests the document allows"
run_schemathesis --mode positive \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance

echo "api-contract: requests the document doesn't allow change nothing"
before=$(newest_change)
# Only the generated phases: the stateful one sets its scenarios up with valid requests.
run_schemathesis --mode negative --phases coverage,fuzzing \
  --checks not_a_server_error,negative_data_rejection,content_type_conformance
after=$(newest_change)
if [ "$before" != "$after" ]; then
  echo "api-contract: a refused request changed something: the audit trail moved from $before to $after" >&2
  exit 1
fi
echo "api-contract: passed"
