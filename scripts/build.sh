#!/usr/bin/env bash
# Builds the release site and server: the steps `cargo leptos build --release --split`
# runs, so that building needs no cargo-leptos (25 minutes to compile on two cores). The
# settings are `[[workspace.metadata.leptos]]` in Cargo.toml, which `cargo leptos watch`
# still reads.
#   scripts/build.sh          the release build, which the tests run and production serves
#   scripts/build.sh --local  what `make run` serves, built for a short first run: the
#                             server in the `local` profile (unoptimised) and the bundle
#                             in `wasm-local` (no whole-program optimisation, no wasm-opt),
#                             the two compiled side by side
#   target/site/pkg/         gatehouse.<hash>.{js,wasm,css}; the modules split off the
#                            bundle (<name>.<hash>.wasm), the loader that fetches them
#                            and its manifest (__wasm_split{,_manifest}.<hash>.*); each
#                            also compressed (.br, .gz) for the server to send as it is
#   target/site/pkg/fonts/   style/fonts/*.woff2, the font the style sheet sets pages in
#   target/site/             public/
#   target/release/gatehouse (target/local/ with --local) and hash.txt beside it, which
#                            names the hashed files for it
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/wasm-bindgen-cli.sh

profile=release
bundle_profile=wasm-release
if [ "${1:-}" = "--local" ]; then
  profile=local
  bundle_profile=wasm-local
fi
target_dir="${CARGO_TARGET_DIR:-target}"
site="$target_dir/site"
pkg="$site/pkg"
bin="$PWD/end2end/node_modules/.bin"
name=gatehouse
bundle="$target_dir/front/wasm32-unknown-unknown/$bundle_profile/frontend.wasm"
main_module="$target_dir/front/$name.main.wasm"
hashed="$target_dir/front/hashes"
# leptos reads this file beside the server binary to name the hashed files in its pages.
hashes="$target_dir/$profile/hash.txt"
# Written once a bundle has been optimised and compressed, so that an interrupted run
# starts those steps again.
optimised="$target_dir/front/optimised.stamp"

step() {
  local started=$SECONDS
  printf 'build: %s\n' "$1"
  "${@:2}"
  printf 'build: %s took %ss\n' "$1" $((SECONDS - started))
}

# leptos reads the output name at compile time: without hash.txt (under `cargo leptos
# watch`), the page then asks for gatehouse.wasm instead of wasm-bindgen's gatehouse_bg.wasm.
export LEPTOS_OUTPUT_NAME=$name
unset LEPTOS_WATCH

front() {
  # Its own target directory, as cargo-leptos keeps it: the browser's build of the shared
  # crates would otherwise evict the server's from the cache.
  cargo build --package=frontend --lib --target=wasm32-unknown-unknown \
    --no-default-features --profile="$bundle_profile" --target-dir="$target_dir/front"
}

# The hash of what the bundle is built from names its files: a changed bundle gets new
# names, so browsers may keep each file for good.
content_hash() {
  cat "$@" | sha256sum | cut -c1-16
}

# The bundle is cut at its lazy routes (`xtask split-bundle`, see xtask/src/main.rs): the
# main module, which wasm-bindgen then binds, a module for each area of pages
# (app/src/routes.rs) and one for each set of areas sharing code.
split() {
  cargo build --package=xtask --release --quiet
  "$target_dir/release/xtask" split-bundle "$bundle" "$main_module" "$pkg" "$name" "$bundle_hash"
}

bindgen() {
  rm -f "$optimised"
  rm -rf "$pkg"
  mkdir -p "$pkg"
  bundle_hash=$(content_hash "$bundle")
  step "splitting the bundle at its lazy routes" split
  # wasm-bindgen would take the hash for an extension: it names the files, then they are
  # renamed to what hash.txt tells the pages. The split-off modules call the main one's
  # functions by the names the linker gave them.
  wasm-bindgen --target=web --no-typescript --keep-lld-exports --no-demangle \
    --out-name="$name" --out-dir="$pkg" "$main_module"
  mv "$pkg/$name.js" "$pkg/$name.$bundle_hash.js"
  mv "$pkg/${name}_bg.wasm" "$pkg/$name.$bundle_hash.wasm"
  printf 'js: %s\nwasm: %s\nsplit: %s\nmanifest: %s\n' \
    "$bundle_hash" "$bundle_hash" "$bundle_hash" "$bundle_hash" > "$hashed"
}

optimise() {
  # npm's binaryen: Debian's wasm-opt produces a bundle that never hydrates.
  for module in "$pkg"/*.wasm; do
    "$bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      "$module" -o "$module"
  done
  "$bin/terser" "$pkg/$name.$bundle_hash.js" --module --compress --mangle \
    --output "$pkg/$name.$bundle_hash.js"
  compress "$pkg"/*.wasm "$pkg"/*.js
  touch "$optimised"
}

# Brotli and gzip copies at their strongest, made once here rather than per request.
compress() {
  for file in "$@"; do
    gzip -9 --keep --force "$file"
  done
  node -e '
    const fs = require("fs"), zlib = require("zlib");
    for (const file of process.argv.slice(1)) {
      const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY };
      fs.writeFileSync(file + ".br", zlib.brotliCompressSync(fs.readFileSync(file), { params }));
    }' "$@"
}

assets() {
  rm -f "$pkg/$name".*.css*
  css_hash=$(content_hash style/main.css)
  "$bin/lightningcss" --minify --targets defaults style/main.css \
    --output-file "$pkg/$name.$css_hash.css"
  compress "$pkg/$name.$css_hash.css"
  # The font the style sheet sets every page in, served beside it (/pkg/fonts).
  mkdir -p "$pkg/fonts"
  cp style/fonts/*.woff2 "$pkg/fonts/"
  cp -R public/. "$site/"
  mkdir -p "$(dirname "$hashes")"
  { cat "$hashed"; printf 'css: %s\n' "$css_hash"; } > "$hashes"
}

server() {
  cargo build --package=server --bin=gatehouse --no-default-features --profile="$profile"
}

browser() {
  step "the browser bundle (frontend, wasm32, $bundle_profile)" front
  if [ -n "${cli_install:-}" ]; then
    printf 'build: waiting for the wasm-bindgen CLI\n'
    wait "$cli_install" || { tail -n 40 "$cli_log" >&2; exit 1; }
  fi
  # wasm-opt takes minutes: only a changed bundle goes through these steps again.
  if [ "$profile" = release ] && [ "$optimised" -nt "$bundle" ] && [ -f "$hashed" ]; then
    printf 'build: the bundle is unchanged since it was last optimised\n'
  elif [ "$profile" = local ] && [ "$hashed" -nt "$bundle" ]; then
    printf 'build: the bundle is unchanged\n'
  else
    step "wasm-bindgen" bindgen
    # Served locally, an unoptimised bundle loads fast enough.
    if [ "$profile" = release ]; then
      step "wasm-opt, JS minification and compression" optimise
    fi
  fi
  step "stylesheet and public assets" assets
}

if [ "$profile" = release ]; then
  browser
  step "the server (release)" server
else
  # On a first run the wasm-bindgen CLI, needed only once the bundle is compiled, is
  # downloaded and compiled meanwhile (`setup.sh --run` leaves it here).
  cli_install=
  cli_log="$target_dir/wasm-bindgen-cli-install.log"
  if ! wasm_bindgen_cli_installed; then
    mkdir -p "$target_dir"
    step "wasm-bindgen-cli $wasm_bindgen_version" install_wasm_bindgen_cli > "$cli_log" 2>&1 &
    cli_install=$!
  fi
  # The bundle's build ends in minutes of work on one core, which the server's build
  # uses meanwhile; neither needs the other's output.
  step "the server (local)" server &
  server_build=$!
  # A failed step ends the build, and the compilers still running with it.
  trap 'for job in "$server_build" $cli_install; do pkill -TERM -P "$job" 2> /dev/null || true; done' EXIT
  browser
  wait "$server_build"
  [ -z "$cli_install" ] || grep '^build:' "$cli_log"
fi
