#!/usr/bin/env bash
# Runs the fault and load harness (scripts/chaos.py) against the release build: the short
# run by default (inside `make test`, under two minutes), or with the options given
# (`make chaos` runs it for minutes). Expects `make build` to have run, and PostgreSQL at
# GATEHOUSE_TEST_POSTGRES_URL, which it restarts once with pg_ctlcluster.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/release-server.sh
require_release_build chaos

exec python3 scripts/chaos.py --binary "$release_binary" --site "$target_dir/site" "$@"
