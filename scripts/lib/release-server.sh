# Sourced by the scripts that run the built server (end-to-end tests, API contract, SCIM
# conformance, page weight, load test): where the build is, a free port, starting the
# server and waiting until it answers, stopping it.

target_dir="${CARGO_TARGET_DIR:-target}"
release_binary="${GATEHOUSE_BINARY:-$target_dir/release/gatehouse}"

# require_release_build NAME: stops the calling script NAME unless `make build` has run.
require_release_build() {
  [ -x "$release_binary" ] || { echo "$1: $release_binary is missing; run: make build" >&2; exit 1; }
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

release_server_pids=()

# start_release_server PORT LOG [NAME=VALUE...]: serves the release site on
# 127.0.0.1:PORT with the given settings, adding to LOG, and returns once /health
# answers. Sets server_pid.
start_release_server() {
  local port=$1 log=$2
  shift 2
  env GATEHOUSE_LISTEN_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$target_dir/site" LEPTOS_ENV=PROD \
    "$@" "$release_binary" >> "$log" 2>&1 &
  server_pid=$!
  release_server_pids+=("$server_pid")
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/health" > /dev/null 2>&1 && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the server exited at start; the end of its log:" >&2
      tail -n 40 "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "the server did not answer /health within 10 seconds" >&2
  exit 1
}

# Stops every server this script started.
stop_release_server() {
  local pid
  for pid in "${release_server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  release_server_pids=()
  server_pid=""
}
