#!/usr/bin/env bash
# Runs the Playwright suite against the built server: a free port, a fresh SQLite file,
# Debian's Chromium. Expects `make build` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/release-server.sh
require_release_build e2e

port=$(free_port)
no_javascript_port=$(free_port)
look_port=$(free_port)
smtp_port=$(free_port)
sink_port=$(free_port)
oidc_port=$(free_port)
data_dir=$(mktemp -d)
log="$data_dir/server.log"
playwright_log="$data_dir/playwright.log"
cleanup() {
  status=$?
  stop_release_server
  for pid in "${sink_pid:-}" "${oidc_pid:-}"; do
    [ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  done
  if [ "$status" -ne 0 ]; then
    echo "--- server log ($log) ---" >&2
    tail -n 60 "$log" >&2 || true
    # Last, so that a log showing only the end of the output still names the failure.
    if [ -s "${playwright_log:-}" ]; then
      echo "--- Playwright's report, again ---" >&2
      grep -v '^  ✓' "$playwright_log" | tail -n 120 >&2 || true
    fi
  else
    rm -rf "$data_dir"
  fi
  # The stopped processes' statuses must not become this script's.
  exit "$status"
}
trap cleanup EXIT

# A real SMTP server that keeps what it receives, so tests can open the mailed links.
SMTP_PORT="$smtp_port" HTTP_PORT="$sink_port" node end2end/smtp-sink.mjs > "$data_dir/smtp-sink.log" 2>&1 &
sink_pid=$!

# A real OpenID provider (oidc-provider) with a login form, for single sign-on.
OIDC_PORT="$oidc_port" \
OIDC_REDIRECT_URIS="http://127.0.0.1:$port/sso/test-idp/callback" \
OIDC_POST_LOGOUT_URIS="http://127.0.0.1:$port/sign-in" \
  node end2end/oidc-provider.mjs > "$data_dir/oidc-provider.log" 2>&1 &
oidc_pid=$!
for _ in $(seq 1 100); do
  grep -q "oidc provider ready" "$data_dir/oidc-provider.log" 2>/dev/null && break
  kill -0 "$oidc_pid" 2>/dev/null || { cat "$data_dir/oidc-provider.log" >&2; echo "e2e: the OpenID provider exited at start" >&2; exit 1; }
  sleep 0.1
done

start_release_server "$port" "$log" GATEHOUSE_DATA_DIR="$data_dir" \
  GATEHOUSE_SMTP_URL="smtp://127.0.0.1:$smtp_port" RUST_LOG="${RUST_LOG:-info}"
# A second, empty instance, for the tests with JavaScript turned off: they set it up.
mkdir -p "$data_dir/no-javascript"
start_release_server "$no_javascript_port" "$data_dir/no-javascript/server.log" \
  GATEHOUSE_DATA_DIR="$data_dir/no-javascript" GATEHOUSE_SMTP_URL="smtp://127.0.0.1:$smtp_port" \
  RUST_LOG="${RUST_LOG:-info}"
# A third, for the screenshots of look.spec.ts: its invitations expire after a second, so
# that it shows expired ones.
mkdir -p "$data_dir/look"
start_release_server "$look_port" "$data_dir/look/server.log" \
  GATEHOUSE_DATA_DIR="$data_dir/look" GATEHOUSE_SMTP_URL="smtp://127.0.0.1:$smtp_port" \
  GATEHOUSE_INVITE_TTL=1s RUST_LOG="${RUST_LOG:-info}"

cd end2end
GATEHOUSE_E2E_URL="http://127.0.0.1:$port" \
GATEHOUSE_E2E_LOOK_URL="http://127.0.0.1:$look_port" \
GATEHOUSE_E2E_NO_JAVASCRIPT_URL="http://127.0.0.1:$no_javascript_port" \
SMTP_SINK_URL="http://127.0.0.1:$sink_port" \
OIDC_ISSUER="http://127.0.0.1:$oidc_port" \
  npx playwright test "$@" 2>&1 | tee "$playwright_log"
