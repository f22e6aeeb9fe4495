#!/usr/bin/env bash
# How heavy pages are to load: serves the release build on a fresh SQLite file, sets up
# Ada Lovelace's workspace Acme, and loads pages cold in Chromium (end2end/page-weight.mjs),
# reporting the WASM each transfers, LCP and layout shift. Then the size of every built
# WASM file: raw, and as the server sends it (brotli, gzip). Expects `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/release-server.sh
require_release_build page-weight

port=$(free_port)
data_dir=$(mktemp -d)
trap 'stop_release_server; rm -rf "$data_dir"' EXIT
start_release_server "$port" "$data_dir/server.log" GATEHOUSE_DATA_DIR="$data_dir" RUST_LOG=warn
base="http://127.0.0.1:$port"
curl -fsS -H 'sec-fetch-site: same-origin' "$base/api/set-up" \
  --data-urlencode 'full_name=Ada Lovelace' --data-urlencode 'email=ada@example.com' \
  --data-urlencode 'password=analytical engine' --data-urlencode 'workspace_name=Acme' > /dev/null

(cd end2end && GATEHOUSE_URL="$base" node page-weight.mjs)

echo
printf '%-48s %10s %10s %10s\n' "built WASM file" raw gzip brotli
total=0
for module in "$target_dir"/site/pkg/*.wasm; do
  raw=$(stat -c %s "$module")
  total=$((total + raw))
  gz=$( [ -f "$module.gz" ] && stat -c %s "$module.gz" || gzip -9 -c "$module" | wc -c)
  br=$( [ -f "$module.br" ] && stat -c %s "$module.br" || echo -)
  printf '%-48s %10s %10s %10s\n' "$(basename "$module")" "$raw" "$gz" "$br"
done
printf '%-48s %10s\n' "all WASM" "$total"
