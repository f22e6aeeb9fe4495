#!/usr/bin/env bash
# Builds the release site and server: the steps `cargo leptos build --release` runs, so that
# building needs no cargo-leptos (25 minutes to compile on two cores). The settings are
# `[[workspace.metadata.leptos]]` in Cargo.toml, which `cargo leptos watch` still reads.
#   target/site/           public/, and pkg/ with gatehouse.{js,wasm,css}
#   target/release/gatehouse
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
site="$target_dir/site"
pkg="$site/pkg"
bin="$PWD/end2end/node_modules/.bin"
name=gatehouse
bundle="$target_dir/front/wasm32-unknown-unknown/wasm-release/frontend.wasm"
# Written once a bundle has been through wasm-opt and terser, so that an interrupted run
# starts those steps again.
optimised="$target_dir/front/optimised.stamp"

step() {
  local started=$SECONDS
  printf 'build: %s\n' "$1"
  "${@:2}"
  printf 'build: %s took %ss\n' "$1" $((SECONDS - started))
}

# leptos reads the output name at compile time: with it, the page asks for
# gatehouse.wasm instead of wasm-bindgen's gatehouse_bg.wasm.
export LEPTOS_OUTPUT_NAME=$name
unset LEPTOS_WATCH

front() {
  # Its own target directory, as cargo-leptos keeps it: the browser's build of the shared
  # crates would otherwise evict the server's from the cache.
  cargo build --package=frontend --lib --target=wasm32-unknown-unknown \
    --no-default-features --profile=wasm-release --target-dir="$target_dir/front"
}

bindgen() {
  rm -f "$optimised"
  mkdir -p "$pkg"
  wasm-bindgen --target=web --out-name="$name" --out-dir="$pkg" "$bundle"
  mv "$pkg/${name}_bg.wasm" "$pkg/$name.wasm"
}

optimise() {
  # npm's binaryen: Debian's wasm-opt produces a bundle that never hydrates.
  "$bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$pkg/$name.wasm" -o "$pkg/$name.wasm"
  "$bin/terser" "$pkg/$name.js" --module --compress --mangle --output "$pkg/$name.js"
  touch "$optimised"
}

assets() {
  "$bin/lightningcss" --minify --targets defaults style/main.css --output-file "$pkg/$name.css"
  cp -R public/. "$site/"
}

server() {
  cargo build --package=server --bin=gatehouse --no-default-features --release
}

step "the browser bundle (frontend, wasm32)" front
# wasm-opt takes two minutes: only a changed bundle goes through it again.
if [ "$optimised" -nt "$bundle" ] && [ -f "$pkg/$name.wasm" ]; then
  printf 'build: the bundle is unchanged since it was last optimised\n'
else
  step "wasm-bindgen" bindgen
  step "wasm-opt and JS minification" optimise
fi
step "stylesheet and public assets" assets
step "the server (release)" server
