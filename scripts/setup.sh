#!/usr/bin/env bash
# Installs what building and testing Gatehouse needs, skipping whatever is already there.
#   scripts/setup.sh          build tools: wasm target, wasm-bindgen CLI, npm packages
#   scripts/setup.sh --test   also Chromium and a running PostgreSQL
#   scripts/setup.sh --run    as without options, but leaves the wasm-bindgen CLI to
#                             `scripts/build.sh --local`, which compiles it beside the app
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/wasm-bindgen-cli.sh

say() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  say "installing $* from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}

for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "${1:-}" != "--run" ] && ! wasm_bindgen_cli_installed; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version (about 3 minutes)"
  install_wasm_bindgen_cli
fi

command -v npm > /dev/null || apt_install nodejs npm
node_major=$(node --version | sed 's/^v\([0-9]*\).*/\1/')
if [ "$node_major" -lt 20 ]; then
  say "Playwright needs Node.js 20 or newer; this machine has $(node --version). Install a newer Node.js and run this again." >&2
  exit 1
fi

# Playwright, and the build's binaryen wasm-opt (Debian's breaks hydration), terser and
# lightningcss.
if [ ! -f end2end/node_modules/.package-lock.json ] \
  || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages in end2end/"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || apt_install chromium

  # The tests expect PostgreSQL at GATEHOUSE_TEST_POSTGRES_URL, by default the `test`
  # database on 127.0.0.1:5432 with trust authentication, as machines of this kind have.
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if ! ls -d /etc/postgresql/*/main > /dev/null 2>&1; then
      apt_install postgresql
      version=$(ls /etc/postgresql | sort -V | tail -n 1)
      # A fresh local cluster for tests only: trust connections from this machine.
      as_root sed -i '1i host all all 127.0.0.1/32 trust' "/etc/postgresql/$version/main/pg_hba.conf"
    fi
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    say "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
      say "PostgreSQL did not start on 127.0.0.1:5432; start it, or point GATEHOUSE_TEST_POSTGRES_URL at one" >&2
      exit 1
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
  fi
  if [ -z "${GATEHOUSE_TEST_POSTGRES_URL:-}" ] \
    && ! psql -h 127.0.0.1 -U postgres -d test -Atc 'SELECT 1' > /dev/null 2>&1; then
    say "creating the test database"
    psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' > /dev/null
  fi
fi
