#!/usr/bin/env bash
# How heavy pages are to load: serves the release build on a fresh SQLite file, sets up
# Ada Lovelace's workspace Acme, and loads pages cold in Chromium (end2end/page-weight.mjs),
# reporting the WASM each transfers, LCP and layout shift. Then the size of every built
# WASM file: raw, and as the server sends it (brotli, gzip). Expects `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
binary="$target_dir/release/gatehouse"
[ -x "$binary" ] || { echo "page-weight: $binary is missing; run: make build" >&2; exit 1; }

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
data_dir=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$data_dir"' EXIT
GATEHOUSE_DATA_DIR="$data_dir" GATEHOUSE_LISTEN_ADDR="127.0.0.1:$port" \
LEPTOS_SITE_ROOT="$target_dir/site" LEPTOS_ENV=PROD RUST_LOG=warn \
  "$binary" > "$data_dir/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/health" > /dev/null 2>&1 && break; sleep 0.1; done
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
